"""The ``nakanaori`` command line (Typer + Rich): a thin shell over the core."""

import os
from typing import Any

# pydantic looks for plugins (every installed distribution's entry points, ~10 ms) when the first model
# is defined; the command line uses none. Set before anything defines a model; an explicit value wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from .main import main

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":  # every command (see nakanaori.cli.main)
        from .main import app

        return app
    raise AttributeError(name)
