"""The app: FastAPI with server-rendered Jinja2 pages, the login, the routes of each
role, and the headers every response carries.

Security, on the server for every request: a session cookie signed with the app's key
(HttpOnly, SameSite=strict, Secure when configured), holding the user id and a CSRF
token that every POST must send back (:mod:`compplan.web.pages`); every page asks
:mod:`compplan.web.scope` whether the user may see the payee it shows, and answers 404
when not.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from compplan.errors import InputError
from compplan.ledger.store import open_ledger
from compplan.web import finance, payroll_pages, quota_pages, scenario_pages, statements
from compplan.web.company import Company
from compplan.web.config import WebConfig, session_secret
from compplan.web.pages import (
    HOURS,
    LoginNeededError,
    PasswordNeededError,
    Posted,
    current_user,
    home_of,
    page,
)
from compplan.web.quota_desk import Desk
from compplan.web.users import TooManyAttemptsError, User, authenticate, change_password


def create_app(config: WebConfig, company: Company | None = None) -> FastAPI:
    """The app for a configuration (``company``: an already evaluated run, for tests)."""
    app = FastAPI(title="compplan", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.state.engine = open_ledger(config.ledger)
    app.state.company = company or Company.load(config)
    app.state.desk = Desk.load(config.quota_review) if config.quota_review else None
    app.add_middleware(SessionMiddleware, secret_key=session_secret(config),
                       session_cookie="compplan_session", max_age=HOURS * 3600,
                       same_site="strict", https_only=config.secure_cookies)

    @app.exception_handler(LoginNeededError)
    async def _login(request: Request, exc: LoginNeededError) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(PasswordNeededError)
    async def _password(request: Request, exc: PasswordNeededError) -> Response:
        return RedirectResponse("/password", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        user = None
        with contextlib.suppress(LoginNeededError):
            user = current_user(request)
        return page(request, "error.html", user, exc.status_code, message=str(exc.detail))

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return page(request, "login.html", None)

    @app.post("/login")
    def login(request: Request, _: Posted, email: Annotated[str, Form()],
              password: Annotated[str, Form()]) -> Response:
        try:
            user = authenticate(app.state.engine, email, password)
        except TooManyAttemptsError:
            return page(request, "login.html", None, 429,
                        error="Too many failed attempts: try again in 15 minutes.")
        if user is None:
            return page(request, "login.html", None, 401, error="Wrong e-mail or password.")
        request.session.clear()
        request.session["user_id"] = user.user_id
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse("/password" if user.must_change else home_of(user),
                                status_code=303)

    @app.post("/logout")
    def logout(request: Request, _: Posted) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/password", response_class=HTMLResponse)
    def password_page(request: Request, user: Annotated[User, Depends(current_user)]
                      ) -> Response:
        return page(request, "password.html", user)

    @app.post("/password")
    def set_password(request: Request, user: Annotated[User, Depends(current_user)],
                     _: Posted, new: Annotated[str, Form(max_length=200)],
                     again: Annotated[str, Form(max_length=200)]) -> Response:
        if new != again:
            return page(request, "password.html", user, 400,
                        error="The two passwords differ.")
        try:
            change_password(app.state.engine, user, new)
        except InputError as exc:
            return page(request, "password.html", user, 400, error=exc.issues[0].message)
        return RedirectResponse(home_of(user), status_code=303)

    @app.get("/")
    def home(user: Annotated[User, Depends(current_user)]) -> Response:
        return RedirectResponse(home_of(user), status_code=303)

    for module in (statements, finance, payroll_pages, quota_pages, scenario_pages):
        app.include_router(module.router)
    return app
