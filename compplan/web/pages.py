"""What every page shares: the templates, the signed session's user and CSRF token,
role checks, and rendering a page (:mod:`compplan.web.app` wires the routes).

Every POST must send back the session's CSRF token; a user's role is checked on the
server for every route that needs one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from compplan.core.currencies import decimals
from compplan.reports.conservation import grouped_cents
from compplan.web.users import User, user_by_id

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
HOURS = 8


def money(cents: int, code: str) -> str:
    """Minor units as grouped decimal text in their currency (no float on the way)."""
    return grouped_cents(int(cents), decimals(code))


TEMPLATES.env.filters["money"] = money


class PasswordNeededError(Exception):
    """Logged in with a one-time password: choose one first."""


class LoginNeededError(Exception):
    """No session: go to the login page."""


def current_user(request: Request) -> User:
    user_id = request.session.get("user_id")
    engine: sa.Engine = request.app.state.engine
    user = user_by_id(engine, int(user_id)) if user_id is not None else None
    if user is None:
        raise LoginNeededError()
    if user.must_change and request.url.path not in ("/password", "/logout"):
        raise PasswordNeededError()
    return user


def role(*allowed: str) -> Callable[[Request], User]:
    """A dependency: the user, if their role is one of ``allowed`` (else 403)."""
    def check(request: Request) -> User:
        user = current_user(request)
        if user.role not in allowed:
            raise HTTPException(403, "not for your role")
        return user
    return check


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Every POST carries the session's token in its form (``csrf``)."""
    form = await request.form()
    sent = form.get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, csrf_token(request)):
        raise HTTPException(403, "the form has expired: reload the page")


Posted = Annotated[None, Depends(check_csrf)]


def page(request: Request, template: str, user: User | None, status: int = 200,
         **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {
        "user": user, "csrf": csrf_token(request), "year": request.app.state.company.config.year,
        **context}, status_code=status)


def home_of(user: User) -> str:
    return {"rep": "/me", "manager": "/team", "finance": "/finance", "payroll": "/payroll",
            "admin": "/finance"}[user.role]
