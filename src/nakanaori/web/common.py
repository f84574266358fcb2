"""Helpers shared by the API and the pages: option parsing with Japanese errors, DB sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from ..errors import InputError
from ..labels import Relationship, Stage, parse_relationship, parse_stage


def relationship_or_error(value: str | None) -> Relationship | None:
    try:
        return parse_relationship(value)
    except ValueError:
        choices = "、".join(r.value for r in Relationship)
        raise InputError(
            "bad_option",
            f"関係の指定が正しくありません。{choices} から選んでください。",
            "unknown relationship",
        ) from None


def stage_or_error(value: str | None) -> Stage | None:
    try:
        return parse_stage(value)
    except ValueError:
        choices = "、".join(s.value for s in Stage)
        raise InputError(
            "bad_option",
            f"状況(stage)の指定が正しくありません。{choices} から選んでください。",
            "unknown stage",
        ) from None


MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(9000, 12, 31)


def date_or_error(value: str | dt.date | None, what: str = "日付") -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InputError("bad_date", f"{what}は 2026-11-29 のような形で入力してください。", "bad date") from None
    if not MIN_DATE <= value <= MAX_DATE:  # beyond these, date arithmetic (calendars, plans) overflows
        raise InputError("bad_date", f"{what}は1900年から9000年までの日付にしてください。", "date out of range")
    return value


def db_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request. Handlers commit explicitly before they answer
    (so a redirect never races the commit); anything uncommitted is rolled back on close."""
    factory = request.app.state.session_factory
    with factory() as session:
        yield session
