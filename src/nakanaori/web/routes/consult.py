"""相談: advice on a situation, with the dated steps (``/consult``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...errors import InputError
from ...journal import today_tokyo
from ...labels import RELATIONSHIP_JA, STAGE_JA
from ...plan.planner import plan
from ..common import date_or_error, relationship_or_error, stage_or_error
from ..render import OptStr, render

router = APIRouter(include_in_schema=False)


@router.get("/consult")
def consult_page(request: Request) -> Response:
    return render(request, "consult.html", {"nav": "consult", "form": {}, "today": today_tokyo().isoformat()})


@router.post("/consult")
def consult_post(
    request: Request,
    text: OptStr = None,
    relationship: OptStr = None,
    stage: OptStr = None,
    apologized_on: OptStr = None,
) -> Response:
    from ...advise.advisor import advise

    form = {
        "text": text,
        "relationship": relationship or "",
        "stage": stage or "",
        "apologized_on": apologized_on or "",
    }
    today = today_tokyo()
    ctx: dict[str, Any] = {"nav": "consult", "form": form, "today": today.isoformat()}
    try:
        rel = relationship_or_error(relationship)
        stg = stage_or_error(stage)
        day = date_or_error(apologized_on, "謝った日")
        situation = text if text and text.strip() else None
        if situation is None and (rel is None or stg is None):
            raise InputError("empty", "状況を書くか、関係といまの状況の両方を選んでください。", "nothing to go on")
        advice = advise(
            situation,
            relationship=rel.value if rel else None,
            stage=stg.value if stg else None,
            today=today,
            apologized_on=day,
        )
        apology_day = day or advice.facts.apology_date
        ctx["steps"] = (
            plan(advice.relationship.value, advice.stage.value, apology_day, today=today).steps if apology_day else []
        )
    except InputError as exc:
        ctx["error"] = exc.message_ja
        return render(request, "consult.html", ctx, status=413 if exc.code == "too_long" else 422)
    ctx["advice"] = advice
    ctx["guess"] = _guess(advice)
    # what was read pre-fills the selectors, so a second try starts from it
    form["relationship"] = advice.relationship.value
    form["stage"] = advice.stage.value
    return render(request, "consult.html", ctx)


# what the one question asks, per thing advise can be unsure of (``Advice.ask``): the prompt and the answers
_ASK = {
    "relationship": ("謝った相手は、どなたですか?近いものを選んでください。", RELATIONSHIP_JA),
    "stage": ("いまの状況に、いちばん近いものを選んでください。", STAGE_JA),
}


def _guess(advice: Any) -> dict[str, Any] | None:
    """When the reading is unsure: the guess, and one-tap answers for the one thing advise asks about."""
    if advice.ask is None:
        return None
    prompt, names = _ASK[advice.ask]
    return {
        "field": advice.ask,
        "prompt": prompt,
        "choices": list(names.items()),
        "current": getattr(advice, advice.ask).value,
        "current_ja": getattr(advice, advice.ask + "_ja"),
    }
