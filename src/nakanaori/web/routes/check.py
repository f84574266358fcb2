"""チェック: the draft checker page (``/``, ``/check``): an editor with the result beside it.

The page works as a plain form (POST /check renders the result); ``static/app.js`` turns it into a
live editor that re-checks through ``POST /api/check`` as the user types."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...check.checker import CheckReport, check
from ...errors import InputError
from ...labels import GOOD_LABELS, LABEL_JA, LABELS
from ..common import relationship_or_error, stage_or_error
from ..highlight import segments
from ..identity import visitor
from ..render import DB, OptStr, render, see_other

router = APIRouter(include_in_schema=False)


def check_context(report: CheckReport) -> dict[str, Any]:
    """What the result panel shows: the verdict first, the places to fix, the good words folded."""
    present = set(report.good)
    chart = [{"label": lab, "ja": LABEL_JA[lab], "present": lab in present} for lab in GOOD_LABELS]
    indexed = list(enumerate(report.findings))
    return {
        "report": report,
        "segments": segments(report.text, report.findings),
        "chart": chart,
        "fixes": [(i, f) for i, f in indexed if f.kind == "ng"],
        "goods": [(i, f) for i, f in indexed if f.kind == "good"],
        "warnings": [n for n in report.notes if n.severity == "warning"],
        "others": [n for n in report.notes if n.severity != "warning"],
        # the whole report for the page's script (「反映」 needs the spans); "</" cannot close the tag
        "report_json": json.dumps(report.model_dump(mode="json"), ensure_ascii=False).replace("</", "<\\/"),
        "good_count": len(present & set(GOOD_LABELS)),
    }


def _page(request: Request, db: DB, ctx: dict[str, Any], status: int = 200) -> Response:
    cookie = Response()
    user, csrf = visitor(request, cookie, db)  # reading creates no user row
    base = {"nav": "check", "user": user, "csrf": csrf, "cases": user.cases if user else [], "all_labels": LABELS}
    return render(request, "check.html", {**base, **ctx}, status=status, response=cookie)


@router.get("/")
def check_page(request: Request, db: DB) -> Response:
    return _page(request, db, {"form": {}})


@router.get("/check")
def check_get() -> Response:
    return see_other("/")


@router.post("/check")
def check_post(
    request: Request,
    db: DB,
    text: Annotated[str, Form()] = "",
    relationship: OptStr = None,
    stage: OptStr = None,
) -> Response:
    form = {"text": text, "relationship": relationship or "", "stage": stage or ""}
    try:
        rel = relationship_or_error(relationship)
        stg = stage_or_error(stage)
        report = check(text, relationship=rel, stage=stg)
    except InputError as exc:
        status = 413 if exc.code == "too_long" else 422
        return _page(request, db, {"form": form, "error": exc.message_ja}, status=status)
    return _page(request, db, {"form": form, **check_context(report)})
