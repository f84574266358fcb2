"""The one loader of the knowledge base: YAML read safely and validated into pydantic models, with one
error format that names the file, the place and the entry's id.

Every knowledge file goes through :func:`load_model` (one file, one model) or :func:`load_directory`
(every ``*.yaml`` of a folder, ids unique across files). A problem is a :class:`KnowledgeError` whose
message reads the same for every file::

    plan.yaml: invalid plan file
      plan.yaml: at stages.no_reply.steps[1] ('one_light_message'): Field required

This module imports no capability: the schemas live with the code that uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

KNOWLEDGE_DIR = Path(__file__).parent

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is about ten times faster

M = TypeVar("M", bound=BaseModel)


class KnowledgeError(ValueError):
    """The knowledge base is invalid. The message names the file, the entry and the field."""


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely (no arbitrary objects); problems are :class:`KnowledgeError`."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
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
