"""The server-rendered pages (Jinja2), one module per group. Every core form works without JavaScript;
text travels only in POST bodies, never in URLs (so it can't reach access logs or browser history)."""

from __future__ import annotations

from fastapi import APIRouter

from . import check, compose, consult, guide, journal

router = APIRouter(include_in_schema=False)
for _group in (check, journal, guide, compose, consult):
    router.include_router(_group.router)
