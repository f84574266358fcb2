"""作成: a message from the user's own facts (``/compose``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...errors import InputError
from ...labels import NG_LABELS, RELATIONSHIP_JA, STAGE_JA
from ..common import relationship_or_error, stage_or_error
from ..render import OptStr, render

router = APIRouter(include_in_schema=False)


@router.get("/compose")
def compose_page(request: Request, relationship: str | None = None, stage: str | None = None) -> Response:
    form = {
        "relationship": relationship if relationship in RELATIONSHIP_JA else "",
        "stage": stage if stage in STAGE_JA else "",
    }
    return render(request, "compose.html", {"nav": "compose", "form": form})


@router.post("/compose")
def compose_post(
    request: Request,
    relationship: Annotated[str, Form()] = "",
    stage: Annotated[str, Form()] = "",
    did: OptStr = None,
    will: OptStr = None,
    thanks: OptStr = None,
) -> Response:
    from ...compose.composer import compose

    form = {"relationship": relationship, "stage": stage, "did": did, "will": will, "thanks": thanks}
    ctx: dict[str, Any] = {"nav": "compose", "form": form, "ng_labels": set(NG_LABELS)}
    try:
        rel = relationship_or_error(relationship)
        stg = stage_or_error(stage)
        if rel is None or stg is None:
            raise InputError("bad_option", "相手との関係と、いまの状況を選んでください。", "required")
        ctx["result"] = compose(rel.value, stg.value, did=did or None, will=will or None, thanks=thanks or None)
    except InputError as exc:
        ctx["error"] = exc.message_ja
        return render(request, "compose.html", ctx, status=422)
    return render(request, "compose.html", ctx)
