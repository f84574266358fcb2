"""CLI commands for advise (registered by main.py)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add this module's commands to *app* (filled in by the advise work)."""
    del app, groups
