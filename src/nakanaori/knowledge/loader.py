"""The one loader of the knowledge base: YAML read safely and validated into pydantic models, with one
error format that names the file, the place and the entry's id.

Every knowledge file goes through :func:`load_model` (one file, one model) or :func:`load_directory`
(every ``*.yaml`` of a folder, ids unique across files). A problem is a :class:`KnowledgeError` whose
message reads the same for every file::

    plan.yaml: invalid plan file
      plan.yaml: at stages.no_reply.steps[1] ('one_light_message'): Field required

This module imports no capability: the schemas live with the code that uses them.

The on-disk cache
-----------------
An on-disk cache of the validated knowledge base, so a fresh process does not parse and validate the
same YAML again (the rules alone took ~75 ms of a ~0.45 s ``nakanaori check``).

:func:`cached` keys each entry by a SHA-256 of everything the value is built from: the bytes of its
knowledge files, the size and modification time of every module of the package (the schemas and the
code that validates), and the versions of Python and pydantic. Any change to any of them is a new key,
so an entry is never stale; entries of older keys are removed when the new one is written.

The schemas of the files a ``check`` reads (rules, lexicon, message checks) are ``defer_build``: pydantic
builds a schema's validator when it first validates, so a process that finds them all in the cache never
builds those validators (~20 ms of a ~0.35 s ``nakanaori check``).

A corrupt, truncated or unreadable entry is rebuilt, never an error. A cache directory that cannot be
created or written (read-only home, no permission) costs the cache, nothing else.

Where: ``NAKANAORI_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/nakanaori``, else
``~/.cache/nakanaori``, with a folder per installed copy of the package. ``NAKANAORI_CACHE_DIR=off``
turns the cache off. Only entries owned by the current user are read (the folders are created
private to the user).
"""

from __future__ import annotations

import gc
import hashlib
import mmap
import os
import pickle
import struct
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel, ValidationError

KNOWLEDGE_DIR = Path(__file__).parent

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class KnowledgeError(ValueError):
    """The knowledge base is invalid. The message names the file, the entry and the field."""


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely (no arbitrary objects); problems are :class:`KnowledgeError`."""
    import yaml  # here, not at the top: a process served from the cache never parses YAML (~10 ms import)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is about ten times faster
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: YAML error: {exc}") from None
    except OSError as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc.strerror}") from None


def where(data: object, loc: Sequence[str | int]) -> str:
    """``stages.no_reply.steps[1] ('one_light_message')``: the place of an error in *data*, with the id
    of the innermost entry on the way that has one."""
    parts: list[str] = []
    node: object = data
    ident = ""
    for key in loc:
        parts.append(f"[{key}]" if isinstance(key, int) else ("." if parts else "") + str(key))
        try:
            node = node[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            ident = node["id"]
    place = "".join(parts) or "(top level)"
    return f"{place} ({ident!r})" if ident else place


def invalid(path: Path, what: str, problems: Sequence[tuple[str, str]]) -> KnowledgeError:
    """The one error format: a header naming the file, then one line per (place, message)."""
    lines = [f"{path.name}: invalid {what}"]
    lines += [f"  {path.name}: at {place}: {msg}" for place, msg in problems]
    return KnowledgeError("\n".join(lines))


def validation_error(
    path: Path, what: str, data: object, exc: ValidationError, prefix: Sequence[str | int] = ()
) -> KnowledgeError:
    """A pydantic error as a :class:`KnowledgeError`; *prefix* is the place of the validated part in
    *data* when only a part was validated."""
    return invalid(path, what, [(where(data, [*prefix, *err["loc"]]), err["msg"]) for err in exc.errors()])


def validate(
    path: Path, data: object, model: type[M], what: str, *, whole: object = None, prefix: Sequence[str | int] = ()
) -> M:
    """Validate *data* (read from *path*) as *model*; errors in the one format. When *data* is a part of
    the file, *whole* is the file's data and *prefix* the part's place in it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, what, data if whole is None else whole, exc, prefix) from None


def load_model(path: Path, model: type[M], what: str) -> M:
    """Load *path* and validate it as *model*."""
    return validate(path, load_yaml(path), model, what)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=_HasId)


def load_directory(directory: Path, load_file: Callable[[Path], list[Item]], kind: str) -> tuple[Item, ...]:
    """Every item of every ``*.yaml`` under *directory* (sorted by file name), ids unique across files."""
    seen: dict[str, str] = {}
    out: list[Item] = []
    for path in sorted(directory.glob("*.yaml")):
        for item in load_file(path):
            if item.id in seen:
                raise KnowledgeError(f"{path.name}: {kind} {item.id!r} is also defined in {seen[item.id]}")
            seen[item.id] = path.name
            out.append(item)
    if not out:
        raise KnowledgeError(f"no {kind}s found under {directory}")
    return tuple(out)


# ------------------------------------------------------------------ the on-disk cache (see the module doc)

PACKAGE_DIR = KNOWLEDGE_DIR.resolve().parent
CACHE_FORMAT = 1  # bump when the entry layout changes


def cache_dir() -> Path | None:
    """The cache directory, or ``None`` when the cache is off."""
    explicit = os.environ.get("NAKANAORI_CACHE_DIR")
    if explicit is not None and explicit.strip():
        return None if explicit.strip().lower() == "off" else Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "nakanaori"


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """Size and mtime of every module of the package: editing any schema or validator changes it."""
    import pydantic

    h = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version}|{pydantic.VERSION}|{PACKAGE_DIR}".encode())
    for rel, size, mtime in sorted(_modules(str(PACKAGE_DIR), "")):
        h.update(f"{rel}|{size}|{mtime}\n".encode())
    return h.digest()


def _modules(directory: str, prefix: str) -> list[tuple[str, int, int]]:
    """(path relative to the package, size, mtime in ns) of every ``.py`` file under *directory*
    (os.scandir: a quarter of the time of Path.rglob and a stat per file, on every process start)."""
    found: list[tuple[str, int, int]] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                found += _modules(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".py"):
                st = entry.stat()
                found.append((prefix + entry.name, st.st_size, st.st_mtime_ns))
    return found


def _files_digest(files: Iterable[Path]) -> bytes:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(f"\0{path.relative_to(path.anchor)}\0{path.stat().st_size}\0".encode())
        h.update(path.read_bytes())
    return h.digest()


@lru_cache(maxsize=1)
def _knowledge_digest() -> bytes:
    """Every knowledge file's bytes (~0.4 MB: under a millisecond), read once per process."""
    return _files_digest(KNOWLEDGE_DIR.rglob("*.yaml"))


def key_for(name: str, files: Iterable[Path] | None = None, large_files: Iterable[Path] = ()) -> str:
    h = hashlib.sha256(_code_fingerprint())
    h.update(name.encode())
    h.update(_knowledge_digest() if files is None else _files_digest(files))
    for path in sorted(large_files):
        st = path.stat()
        h.update(f"\0{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}".encode())
    return h.hexdigest()[:32]


def cached(
    name: str, build: Callable[[], T], files: Iterable[Path] | None = None, *, large_files: Iterable[Path] = ()
) -> T:
    """``build()``, or its result from an earlier process when neither the files it is built from nor
    the code changed. *files* (by content) defaults to every knowledge file; *large_files* are known by
    path, size, modification time and inode instead (hashing the 5 MB model would cost what the cache
    saves; any rewrite of the file changes them)."""
    directory = cache_dir()
    if directory is None:
        return build()
    try:
        entry = directory / _namespace() / f"{name}-{key_for(name, files, large_files)}.pickle"
    except OSError:  # a file is unreadable: let build() report it in its own words
        return build()
    found = _read(entry)
    if found is not None:
        return cast(T, found)
    value = build()
    try:
        buffers: list[pickle.PickleBuffer] = []
        data = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    except Exception:  # a value that cannot be pickled is simply not cached
        return value
    raws = [b.raw() for b in buffers]
    if _write(entry, name, data, raws):
        found = _read(entry)
        if found is not None:
            return cast(T, found)
    # the copy read back, not the value built: a process gets the same objects whether it hit the cache
    # or not, so nothing can behave differently after a cache hit
    return cast(T, pickle.loads(data, buffers=[r.toreadonly() for r in raws]))


# An entry: MAGIC, the number of out-of-band buffers, their sizes and the pickle's size (little-endian
# 64-bit), then each buffer and the pickle, each at a 64-byte boundary. Large arrays (the model's
# weights) are pickled out of band and read back as read-only views of the mapped file: no copy.
MAGIC = b"nakanaori-cache1"
ALIGN = 64


def _aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def _namespace() -> str:
    """One folder per installed copy of the package: two checkouts on one machine keep their own
    entries instead of replacing each other's."""
    return hashlib.sha256(str(PACKAGE_DIR).encode()).hexdigest()[:12]


def _read(entry: Path) -> Any:
    try:
        with open(entry, "rb") as f:
            if os.fstat(f.fileno()).st_uid != os.getuid():
                return None  # never unpickle what someone else wrote
            view = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        if view[: len(MAGIC)] != MAGIC:
            return None
        count = struct.unpack_from("<Q", view, len(MAGIC))[0]
        sizes = struct.unpack_from(f"<{count + 1}Q", view, len(MAGIC) + 8)
        offset = _aligned(len(MAGIC) + 8 * (count + 2))
        parts = []
        for size in sizes:
            parts.append(view[offset : offset + size])
            offset = _aligned(offset + size)
        if offset != _aligned(len(view)) or len(parts[-1]) != sizes[-1]:
            return None  # truncated or padded: not what was written
        return _unpickle(parts[-1], parts[:-1])
    except Exception:  # missing, truncated, corrupt, from an incompatible build: rebuild
        return None


def _unpickle(data: memoryview, buffers: list[memoryview]) -> Any:
    """``pickle.loads`` with the garbage collector paused: an entry is thousands of new objects and no
    garbage, and each collection they would set off walks every object of the process (the rules took
    ~27 ms to read with collections, ~10 ms without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data, buffers=buffers)
    finally:
        if was_enabled:
            gc.enable()


def _write(entry: Path, name: str, data: bytes, buffers: list[memoryview]) -> bool:
    """Write the entry atomically; ``False`` when the cache directory cannot be written."""
    try:
        entry.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        entry.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                sizes = [b.nbytes for b in buffers] + [len(data)]
                f.write(MAGIC + struct.pack(f"<Q{len(sizes)}Q", len(buffers), *sizes))
                for part in [*buffers, memoryview(data)]:
                    f.seek(_aligned(f.tell()))
                    f.write(part)
                f.truncate(_aligned(f.tell()))
            os.replace(tmp, entry)  # atomic: a reader sees the old entry, the new one, or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in entry.parent.glob(f"{name}-*.pickle"):
            if old != entry:
                old.unlink(missing_ok=True)
    except OSError:  # read-only or full disk, no permission: run without the cache
        return False
    return True
