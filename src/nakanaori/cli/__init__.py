"""The ``nakanaori`` command line (Typer + Rich): a thin shell over the core."""

from .main import app, main

__all__ = ["app", "main"]
