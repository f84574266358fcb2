"""The web app (FastAPI): Japanese mobile-first pages, the journal and the JSON API."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
