"""Server-rendered pages (Jinja2). Every core form works without JavaScript; text travels only in
POST bodies, never in URLs (so it can't reach access logs or browser history)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ..check.checker import check
from ..errors import InputError, validate_text
from ..labels import (
    GOOD_LABELS,
    LABEL_JA,
    NG_LABELS,
    REGISTER_JA,
    RELATIONSHIP_JA,
    STAGE_JA,
    Relationship,
    Stage,
)
from ..plan.planner import plan
from ..store import Case
from .common import date_or_error, db_session, relationship_or_error, stage_or_error
from .highlight import segments
from .identity import (
    clear_identity_cookie,
    current_user,
    require_csrf,
    visitor,
    visitor_csrf_ok,
    writing_user,
)
from .journal import (
    add_step,
    export_user,
    owned_case,
    save_checked_message,
    steps_to_ics,
    today_tokyo,
    toggle_promise,
    toggle_step,
)

router = APIRouter(include_in_schema=False)
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
    out = request.app.state.templates.TemplateResponse(request, name, base, status_code=status)
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


# ---------------------------------------------------------------- チェック


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


# ---------------------------------------------------------------- 記録 (journal)


@router.get("/journal")
def journal_page(request: Request, db: DB) -> Response:
    cookie = Response()
    user, csrf = visitor(request, cookie, db)  # reading creates no user row (the first write does)
    return render(
        request,
        "journal.html",
        {"nav": "journal", "user": user, "csrf": csrf, "cases": user.cases if user else [],
         "today": today_tokyo().isoformat()},
        response=cookie,
    )


@router.post("/journal/cases")
def journal_create_case(
    request: Request,
    db: DB,
    csrf: OptStr = None,
    title: Annotated[str, Form()] = "",
    relationship: Annotated[str, Form()] = "",
    stage: OptStr = None,
    what_happened: OptStr = None,
    apologized_on: OptStr = None,
) -> Response:
    user = writing_user(request, db, csrf)
    try:
        rel = relationship_or_error(relationship)
        if rel is None:
            raise InputError("bad_option", "相手との関係を選んでください。", "relationship required")
        stg = stage_or_error(stage)
        title = validate_text(title, max_chars=100, what="タイトル").strip()
        what = (
            validate_text(what_happened, max_chars=2000, what="できごと")
            if (what_happened or "").strip()
            else ""
        )
        day = date_or_error(apologized_on, "謝った日")
        timeline = plan(rel.value, stg.value, day, today=today_tokyo()) if day and stg else None
    except InputError as exc:
        return render(
            request,
            "journal.html",
            {
                "nav": "journal",
                "user": user,
                "csrf": user.csrf_token,
                "cases": user.cases,
                "today": today_tokyo().isoformat(),
                "error": exc.message_ja,
                "form": {
                    "title": title,
                    "relationship": relationship,
                    "stage": stage or "",
                    "what_happened": what_happened or "",
                    "apologized_on": apologized_on or "",
                },
            },
            status=422,
        )
    case = Case(
        user=user,
        relationship_kind=rel.value,
        stage=stg.value if stg else None,
        title=title,
        what_happened=what,
        apologized_on=day,
    )
    db.add(case)
    if timeline is not None:
        for step in timeline.steps:
            if step.status == "past":  # e.g. a same-day thank-you that is already too late
                continue
            add_step(
                db,
                case,
                step.date,
                step.title,
                kind=step.kind,
                reason=step.reason,
                template=step.template or "",
            )
    db.commit()
    return see_other(f"/journal/cases/{case.id}")


@router.get("/journal/cases/{case_id}")
def journal_case(request: Request, db: DB, case_id: int) -> Response:
    user = current_user(request, db)
    case = owned_case(db, user, case_id)
    return render(
        request,
        "case.html",
        {"nav": "journal", "user": user, "case": case, "today": today_tokyo().isoformat()},
    )


@router.post("/journal/cases/{case_id}/messages")
def journal_add_message(
    request: Request,
    db: DB,
    case_id: int,
    csrf: OptStr = None,
    text: Annotated[str, Form()] = "",
    sent_on: OptStr = None,
) -> Response:
    user = current_user(request, db)
    case = owned_case(db, user, case_id)
    require_csrf(user, csrf)
    try:
        day = date_or_error(sent_on, "送った日")
        report = check(text, relationship=case.relationship_kind, stage=case.stage)
    except InputError as exc:
        return render(
            request,
            "case.html",
            {
                "nav": "journal",
                "user": user,
                "case": case,
                "error": exc.message_ja,
                "today": today_tokyo().isoformat(),
                "form": {"text": text},
            },
            status=422,
        )
    save_checked_message(db, case, report, day)
    db.commit()
    return see_other(f"/journal/cases/{case.id}#messages")


@router.post("/journal/cases/{case_id}/steps")
def journal_add_step(
    request: Request,
    db: DB,
    case_id: int,
    csrf: OptStr = None,
    title: Annotated[str, Form()] = "",
    due_on: OptStr = None,
) -> Response:
    user = current_user(request, db)
    case = owned_case(db, user, case_id)
    require_csrf(user, csrf)
    try:
        title = validate_text(title, max_chars=100, what="予定の内容").strip()
        day = date_or_error(due_on, "予定日")
        if day is None:
            raise InputError("bad_date", "予定日を入力してください。", "date required")
    except InputError as exc:
        return render(
            request,
            "case.html",
            {
                "nav": "journal",
                "user": user,
                "case": case,
                "error": exc.message_ja,
                "today": today_tokyo().isoformat(),
            },
            status=422,
        )
    add_step(db, case, day, title)
    db.commit()
    return see_other(f"/journal/cases/{case.id}#steps")


def _not_found(request: Request, title: str) -> Response:
    return render(request, "error.html", {"title": title, "message": "", "nav": ""}, status=404)


@router.post("/journal/cases/{case_id}/steps/{step_id}/toggle")
def journal_toggle_step(
    request: Request, db: DB, case_id: int, step_id: int, csrf: OptStr = None
) -> Response:
    user = current_user(request, db)
    case = owned_case(db, user, case_id)
    require_csrf(user, csrf)
    step = toggle_step(db, case, step_id)
    if step is None:
        return _not_found(request, "予定が見つかりません")
    db.commit()
    return see_other(f"/journal/cases/{case.id}#step-{step.id}")


@router.post("/journal/cases/{case_id}/promises/{promise_id}/toggle")
def journal_toggle_promise(
    request: Request, db: DB, case_id: int, promise_id: int, csrf: OptStr = None
) -> Response:
    user = current_user(request, db)
    case = owned_case(db, user, case_id)
    require_csrf(user, csrf)
    if toggle_promise(db, case, promise_id) is None:
        return _not_found(request, "約束が見つかりません")
    db.commit()
    return see_other(f"/journal/cases/{case.id}#promises")


@router.post("/journal/cases/{case_id}/delete")
def journal_delete_case(request: Request, db: DB, case_id: int, csrf: OptStr = None) -> Response:
    user = current_user(request, db)
    case = owned_case(db, user, case_id)
    require_csrf(user, csrf)
    db.delete(case)
    db.commit()
    return see_other("/journal")


@router.get("/journal/cases/{case_id}/plan.ics")
def journal_ics(request: Request, db: DB, case_id: int) -> Response:
    case = owned_case(db, current_user(request, db), case_id)
    return Response(
        steps_to_ics(case),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nakanaori-case-{case.id}.ics"'},
    )


@router.get("/journal/export.json")
def journal_export(request: Request, db: DB) -> Response:
    user = current_user(request, db)
    data = export_user(user) if user else {"format": "nakanaori-journal/1", "cases": []}
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="nakanaori-journal.json"'},
    )


@router.post("/journal/delete-all")
def journal_delete_all(request: Request, db: DB, csrf: OptStr = None) -> Response:
    user = current_user(request, db)
    if user is None and visitor_csrf_ok(request, csrf):  # nothing was ever written: only the cookie goes
        out = see_other("/journal/deleted")
        clear_identity_cookie(request, out)
        return out
    user = require_csrf(user, csrf)
    db.delete(user)
    db.commit()
    out = see_other("/journal/deleted")
    clear_identity_cookie(request, out)
    return out


@router.get("/journal/deleted")
def journal_deleted(request: Request) -> Response:
    return render(request, "deleted.html", {"nav": "journal"})


@router.post("/journal/save-message")
def journal_save_from_check(
    request: Request,
    db: DB,
    csrf: OptStr = None,
    case_id: Annotated[int, Form()] = 0,
    text: Annotated[str, Form()] = "",
) -> Response:
    """「記録に残す」 on the チェック page: same as adding a message on the case page."""
    return journal_add_message(request, db, case_id, csrf=csrf, text=text, sent_on=today_tokyo().isoformat())


# ---------------------------------------------------------------- ガイド


@router.get("/guide")
def guide_index(request: Request) -> Response:
    from . import guide

    return render(request, "guide_index.html", {"nav": "guide", "groups": guide.index()})


@router.get("/guide/{slug}")
def guide_page(request: Request, slug: str, relationship: str | None = None) -> Response:
    from . import guide

    found = guide.page(slug, relationship)
    if found is None:
        raise HTTPException(status_code=404)
    return render(request, "guide_page.html", {"nav": "guide", "page": found})


@router.get("/guide/{slug}/{name}")
def guide_named_page(request: Request, slug: str, name: str) -> Response:
    from . import guide

    found = guide.page(slug, name) if slug in ("relationship", "stage") else None
    if found is None:
        raise HTTPException(status_code=404)
    return render(request, "guide_page.html", {"nav": "guide", "page": found})


# ---------------------------------------------------------------- 作成


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
    from ..compose.composer import compose

    form = {"relationship": relationship, "stage": stage, "did": did, "will": will, "thanks": thanks}
    ctx: dict[str, Any] = {"nav": "compose", "form": form, "ng_labels": set(NG_LABELS)}
    try:
        rel = relationship_or_error(relationship)
        stg = stage_or_error(stage)
        if rel is None or stg is None:
            raise InputError("bad_option", "相手との関係と、いまの状況を選んでください。", "required")
        ctx["result"] = compose(
            rel.value, stg.value, did=did or None, will=will or None, thanks=thanks or None
        )
    except InputError as exc:
        ctx["error"] = exc.message_ja
        return render(request, "compose.html", ctx, status=422)
    return render(request, "compose.html", ctx)


# ---------------------------------------------------------------- 相談


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
    from ..advise.advisor import advise

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
            raise InputError(
                "empty", "状況を書くか、関係といまの状況の両方を選んでください。", "nothing to go on"
            )
        advice = advise(
            situation,
            relationship=rel.value if rel else None,
            stage=stg.value if stg else None,
            today=today,
            apologized_on=day,
        )
        apology_day = day or advice.facts.apology_date
        ctx["steps"] = (
            plan(advice.relationship.value, advice.stage.value, apology_day, today=today).steps
            if apology_day
            else []
        )
    except InputError as exc:
        ctx["error"] = exc.message_ja
        return render(request, "consult.html", ctx, status=413 if exc.code == "too_long" else 422)
    ctx["advice"] = advice
    return render(request, "consult.html", ctx)
