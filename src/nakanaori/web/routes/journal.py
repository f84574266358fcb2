"""記録 (journal): the journal pages. Cases, messages, promises and steps are the journal service's
(:mod:`nakanaori.journal`); this module only reads forms, checks identity and CSRF, and renders."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ...check.checker import check
from ...errors import InputError, validate_text
from ...journal import Journal, NotFound, today_tokyo
from ...journal.service import empty_export
from ...plan.planner import plan
from ...store import Case, User
from ..common import date_or_error, relationship_or_error, stage_or_error
from ..identity import clear_identity_cookie, current_user, require_csrf, visitor, visitor_csrf_ok, writing_user
from ..render import DB, OptStr, not_found, render, see_other

router = APIRouter(include_in_schema=False)


def _owned_case(db: Session, user: User | None, case_id: int) -> Case:
    """The case if it belongs to *user*; 404 otherwise (never reveal that it exists)."""
    if user is None:
        raise HTTPException(status_code=404)
    try:
        return Journal(db, user).case(case_id)
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.get("/journal")
def journal_page(request: Request, db: DB) -> Response:
    cookie = Response()
    user, csrf = visitor(request, cookie, db)  # reading creates no user row (the first write does)
    return render(
        request,
        "journal.html",
        {
            "nav": "journal",
            "user": user,
            "csrf": csrf,
            "cases": user.cases if user else [],
            "today": today_tokyo().isoformat(),
            "notice": "記録を1件削除しました。" if request.query_params.get("deleted") == "1" else None,
        },
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
            validate_text(what_happened or "", max_chars=2000, what="できごと") if (what_happened or "").strip() else ""
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
    case = Journal(db, user).create_case(
        relationship=rel.value,
        stage=stg.value if stg else None,
        title=title,
        what_happened=what,
        apologized_on=day,
        timeline=timeline,
    )
    db.commit()
    return see_other(f"/journal/cases/{case.id}")


@router.get("/journal/cases/{case_id}")
def journal_case(request: Request, db: DB, case_id: int) -> Response:
    user = current_user(request, db)
    case = _owned_case(db, user, case_id)
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
    case = _owned_case(db, user, case_id)
    user = require_csrf(user, csrf)
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
    Journal(db, user).save_checked_message(case, report, day)
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
    case = _owned_case(db, user, case_id)
    user = require_csrf(user, csrf)
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
    Journal(db, user).add_step(case, day, title)
    db.commit()
    return see_other(f"/journal/cases/{case.id}#steps")


@router.post("/journal/cases/{case_id}/steps/{step_id}/toggle")
def journal_toggle_step(request: Request, db: DB, case_id: int, step_id: int, csrf: OptStr = None) -> Response:
    user = current_user(request, db)
    case = _owned_case(db, user, case_id)
    user = require_csrf(user, csrf)
    step = Journal(db, user).toggle_step(case, step_id)
    if step is None:
        return not_found(request, "予定が見つかりません")
    db.commit()
    return see_other(f"/journal/cases/{case.id}#step-{step.id}")


@router.post("/journal/cases/{case_id}/promises/{promise_id}/toggle")
def journal_toggle_promise(request: Request, db: DB, case_id: int, promise_id: int, csrf: OptStr = None) -> Response:
    user = current_user(request, db)
    case = _owned_case(db, user, case_id)
    user = require_csrf(user, csrf)
    if Journal(db, user).toggle_promise(case, promise_id) is None:
        return not_found(request, "約束が見つかりません")
    db.commit()
    return see_other(f"/journal/cases/{case.id}#promises")


@router.post("/journal/cases/{case_id}/delete")
def journal_delete_case(request: Request, db: DB, case_id: int, csrf: OptStr = None) -> Response:
    user = current_user(request, db)
    case = _owned_case(db, user, case_id)
    user = require_csrf(user, csrf)
    Journal(db, user).delete_case(case)
    db.commit()
    return see_other("/journal?deleted=1")


@router.get("/journal/cases/{case_id}/plan.ics")
def journal_ics(request: Request, db: DB, case_id: int) -> Response:
    user = current_user(request, db)
    case = _owned_case(db, user, case_id)
    assert user is not None  # _owned_case answered 404 otherwise
    return Response(
        Journal(db, user).steps_ics(case),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nakanaori-case-{case.id}.ics"'},
    )


@router.get("/journal/export.json")
def journal_export(request: Request, db: DB) -> Response:
    user = current_user(request, db)
    data = Journal(db, user).export() if user else empty_export()
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
    Journal(db, user).forget()
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
