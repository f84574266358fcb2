"""Reading a model artefact (a ``.json`` of metadata beside an ``.npz`` of arrays): the checks every shipped
model makes before it is used, each failure a clear error that names the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def read_artefact(
    npz: Path,
    meta_path: Path,
    *,
    error: type[Exception],
    what: str,
    rebuild: str,
    fmt: str,
    feature_version: int,
    arrays: tuple[str, ...],
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The metadata and the named arrays, once the files exist, the metadata parses, and its format and
    feature version are this code's (*what* names the model in messages, *rebuild* says how to remake it)."""
    for p in (npz, meta_path):
        if not p.is_file():
            raise error(f"{p}: the {what} artefact is missing (run {rebuild})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise error(f"{meta_path}: unreadable {what} metadata ({exc})") from None
    if meta.get("format") != fmt:
        raise error(f"{meta_path}: format {meta.get('format')!r}, this code reads {fmt!r}")
    if meta.get("feature_version") != feature_version:
        raise error(
            f"{meta_path}: built with features v{meta.get('feature_version')}, this code makes "
            f"v{feature_version} (run {rebuild})"
        )
    try:
        with np.load(npz, allow_pickle=False) as data:
            loaded = {k: data[k] for k in arrays}
    except Exception as exc:  # zip/npy errors of many kinds: one clear message
        raise error(f"{npz}: corrupt {what} weights ({type(exc).__name__}: {exc})") from None
    return meta, loaded
