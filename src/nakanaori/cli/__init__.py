"""The ``nakanaori`` command line (Typer + Rich): a thin shell over the core."""

from typing import Any

from .main import main

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":  # every command (see nakanaori.cli.main)
        from .main import app

        return app
    raise AttributeError(name)
