"""Anonymous per-browser identity and CSRF protection, both backed by the database.

The browser keeps a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure over https);
the database keeps only its SHA-256. Each user row also holds a random CSRF token that every
state-changing form must echo back. Nothing lives in process memory, so any number of app
processes behind a load balancer agree on who is who.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import User

COOKIE_NAME = "nakanaori_id"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept


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
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def require_csrf(user: User | None, submitted: str | None) -> User:
    """403 unless the form carried this user's CSRF token."""
    if user is None or not submitted or not hmac.compare_digest(user.csrf_token, submitted):
        raise HTTPException(status_code=403, detail="csrf")
    return user
