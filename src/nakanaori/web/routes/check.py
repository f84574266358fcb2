"""チェック: the draft checker page (``/``, ``/check``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...check.checker import check
from ...errors import InputError
from ...labels import GOOD_LABELS, LABEL_JA, NG_LABELS
from ..common import relationship_or_error, stage_or_error
from ..highlight import segments
from ..identity import current_user
from ..render import DB, OptStr, render, see_other

router = APIRouter(include_in_schema=False)


def _check_context(report: Any) -> dict[str, Any]:
    present = set(report.good)
    chart = [{"label": lab, "ja": LABEL_JA[lab], "present": lab in present} for lab in GOOD_LABELS]
    ng_found = [{"label": lab, "ja": LABEL_JA[lab]} for lab in NG_LABELS if lab in set(report.ng)]
    findings_json = json.dumps(
        [
            {
                "i": i,
                "label": f.label,
                "kind": f.kind,
                "text": f.text,
                "start_utf16": f.start_utf16,
                "end_utf16": f.end_utf16,
            }
            for i, f in enumerate(report.findings)
        ],
        ensure_ascii=False,
    ).replace("</", "<\\/")
    return {
        "report": report,
        "segments": segments(report.text, report.findings),
        "chart": chart,
        "ng_found": ng_found,
        "findings_json": findings_json,
        "good_count": sum(1 for c in chart if c["present"]),
    }


@router.get("/")
def check_page(request: Request, db: DB) -> Response:
    user = current_user(request, db)
    return render(
        request, "check.html", {"nav": "check", "form": {}, "user": user, "cases": user.cases if user else []}
    )


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
    user = current_user(request, db)
    form = {"text": text, "relationship": relationship or "", "stage": stage or ""}
    ctx: dict[str, Any] = {"nav": "check", "form": form, "user": user, "cases": user.cases if user else []}
    try:
        rel = relationship_or_error(relationship)
        stg = stage_or_error(stage)
        report = check(text, relationship=rel, stage=stg)
    except InputError as exc:
        ctx["error"] = exc.message_ja
        return render(request, "check.html", ctx, status=413 if exc.code == "too_long" else 422)
    ctx.update(_check_context(report))
    return render(request, "check.html", ctx)
