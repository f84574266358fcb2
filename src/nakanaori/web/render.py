"""What every page route shares: rendering a Jinja2 page, redirecting after a POST, the form types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ..labels import LABEL_JA, REGISTER_JA, RELATIONSHIP_JA, STAGE_JA, Relationship, Stage
from .common import db_session

DB = Annotated[Session, Depends(db_session)]
OptStr = Annotated[str | None, Form()]


def render(
    request: Request, name: str, ctx: dict[str, Any], status: int = 200, response: Response | None = None
) -> Response:
    base = {
        "relationships": [(r.value, RELATIONSHIP_JA[r.value]) for r in Relationship],
        "stages": [(s.value, STAGE_JA[s.value]) for s in Stage],
        "RELATIONSHIP_JA": RELATIONSHIP_JA,
        "STAGE_JA": STAGE_JA,
        "REGISTER_JA": REGISTER_JA,
        "LABEL_JA": LABEL_JA,
    }
    base.update(ctx)
    out: Response = request.app.state.templates.TemplateResponse(request, name, base, status_code=status)
    if response is not None:
        for key, value in response.headers.items():
            if key.lower() == "set-cookie":
                out.headers.append(key, value)
    return out


def see_other(url: str, response: Response | None = None) -> RedirectResponse:
    out = RedirectResponse(url, status_code=303)
    if response is not None:
        for key, value in response.headers.items():
            if key.lower() == "set-cookie":
                out.headers.append(key, value)
    return out


def not_found(request: Request, title: str) -> Response:
    return render(request, "error.html", {"title": title, "message": "", "nav": ""}, status=404)
