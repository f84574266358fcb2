"""Anonymous per-browser identity and CSRF protection, both backed by the database.

The browser keeps a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure over https);
the database keeps only its SHA-256. Each user row also holds a CSRF token that every state-changing
form must echo back. Nothing lives in process memory, so any number of app processes behind a load
balancer agree on who is who.

Reading creates nothing: a cookieless visit to the journal gets a cookie but no row, and its forms
carry a CSRF token derived from the cookie (:func:`csrf_for`). The row is created by the first write
(:func:`writing_user`), with that same CSRF token, so the page already open keeps working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi import HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store import User

COOKIE_NAME = "nakanaori_id"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def current_user(request: Request, session: Session) -> User | None:
    token = request.cookies.get(COOKIE_NAME)
    if not token or len(token) > 200:
        return None
    return session.scalars(select(User).where(User.token_hash == hash_token(token))).one_or_none()


def ensure_user(request: Request, response: Response, session: Session) -> User:
    """The visitor's user, created (with a fresh cookie) when they have none yet."""
    user = current_user(request, session)
    if user is not None:
        return user
    token = secrets.token_urlsafe(32)
    user = User(token_hash=hash_token(token), csrf_token=secrets.token_urlsafe(32))
    session.add(user)
    session.flush()
    set_identity_cookie(request, response, token)
    return user


def _same(expected: str, submitted: str) -> bool:
    """Constant-time comparison; as bytes, since compare_digest refuses non-ASCII str (a forged
    token in Japanese must be a 403, not a 500)."""
    return hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "surrogatepass"))


def csrf_for(token: str) -> str:
    """The CSRF token of a browser identity token (before and after its user row exists)."""
    return hashlib.sha256(f"csrf:{token}".encode()).hexdigest()


def visitor_token(request: Request) -> str | None:
    """The identity cookie when it is one this app could have issued."""
    token = request.cookies.get(COOKIE_NAME)
    return token if token and _TOKEN.fullmatch(token) else None


def visitor(request: Request, response: Response, session: Session) -> tuple[User | None, str]:
    """(the visitor's user or ``None`` before their first write, the CSRF token their forms carry).
    A browser without an identity cookie gets one on *response* — and no database row."""
    user = current_user(request, session)
    if user is not None:
        return user, user.csrf_token
    token = visitor_token(request)
    if token is None:
        token = secrets.token_urlsafe(32)
        set_identity_cookie(request, response, token)
    return None, csrf_for(token)


def visitor_csrf_ok(request: Request, submitted: str | None) -> bool:
    """True when *submitted* is the CSRF token of this browser's cookie (with or without a user row)."""
    token = visitor_token(request)
    return bool(token and submitted and _same(csrf_for(token), submitted))


def writing_user(request: Request, session: Session, submitted: str | None) -> User:
    """The user a state-changing form acts for, created on the browser's first write; 403 unless the
    form carried the right CSRF token."""
    user = current_user(request, session)
    if user is not None:
        return require_csrf(user, submitted)
    token = visitor_token(request)
    if token is None or not visitor_csrf_ok(request, submitted):
        raise HTTPException(status_code=403, detail="csrf")
    # No SAVEPOINT here: with SQLite's Python driver, releasing one commits, and a write that then
    # fails validation must leave no user behind. Nothing else has been written in this session yet,
    # so a plain rollback is all a lost race needs.
    user = User(token_hash=hash_token(token), csrf_token=csrf_for(token))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same browser's first write, twice at once: the other one made the row
        session.rollback()
        user = current_user(request, session)
        if user is None:
            raise
    return user


def set_identity_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_identity_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")


def require_csrf(user: User | None, submitted: str | None) -> User:
    """403 unless the form carried this user's CSRF token."""
    if user is None or not submitted or not _same(user.csrf_token, submitted):
        raise HTTPException(status_code=403, detail="csrf")
    return user
