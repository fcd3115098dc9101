"""The app's users: a role, a payee for reps and managers, an argon2 password hash.

Logins are rate limited per e-mail address: after ``MAX_FAILURES`` failed attempts in
``WINDOW`` minutes, further attempts are refused until the window has passed, whatever
the password (every attempt is recorded; a login, failed or not, is in the audit log).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from compplan.errors import InputError, Issue
from compplan.ledger.store import locked, login_attempts, users
from compplan.web.audit import now, record

ROLES = ("rep", "manager", "finance", "payroll", "admin")
MAX_FAILURES = 5
WINDOW = 15
HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    user_id: int
    email: str
    role: str
    payee_id: str | None
    must_change: bool = False
    """Logged in with a one-time password: choose one before anything else."""


class TooManyAttemptsError(Exception):
    """Login refused: too many failures for this address lately."""


def add_user(engine: sa.Engine, email: str, role: str, payee_id: str | None = None,
             password: str | None = None, actor: str = "command line") -> str:
    """Create a user; returns the password (a random one-time one when none is given)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise InputError([Issue("--role", f"{role!r}: expected one of {', '.join(ROLES)}")])
    if role in ("rep", "manager") and not payee_id:
        raise InputError([Issue("--payee", f"a {role} sees their own pay: give their "
                                           "payee_id")])
    if "@" not in email or len(email) > 320:
        raise InputError([Issue("--email", f"{email!r}: expected an e-mail address")])
    one_time = password is None
    password = password or secrets.token_urlsafe(12)
    with locked(engine) as conn:
        if conn.execute(sa.select(users.c.user_id).where(users.c.email == email)).first():
            raise InputError([Issue("--email", f"{email} already has a user")])
        conn.execute(users.insert().values(
            email=email, password_hash=HASHER.hash(password), role=role,
            payee_id=payee_id or None, created_at=now(), must_change=one_time))
        record(conn, actor, "user added", email, f"role {role}"
               + (f", payee {payee_id}" if payee_id else ""))
    return password


def _user(row: sa.RowMapping) -> User:
    return User(int(row["user_id"]), str(row["email"]), str(row["role"]),
                str(row["payee_id"]) if row["payee_id"] else None, bool(row["must_change"]))


MIN_LENGTH = 12


def change_password(engine: sa.Engine, user: User, new: str) -> None:
    """Set a user's own password (at least ``MIN_LENGTH`` characters, not their e-mail)."""
    if len(new) < MIN_LENGTH or new.strip().lower() == user.email:
        raise InputError([Issue("password", f"choose at least {MIN_LENGTH} characters, "
                                            "not your e-mail address")])
    with locked(engine) as conn:
        conn.execute(users.update().where(users.c.user_id == user.user_id).values(
            password_hash=HASHER.hash(new), must_change=False))
        record(conn, user.email, "password changed", user.email)


def user_by_id(engine: sa.Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.user_id == user_id)
                           ).mappings().first()
    return _user(row) if row is not None else None


def authenticate(engine: sa.Engine, email: str, password: str) -> User | None:
    """The user if the password is right; None if not; :class:`TooManyAttemptsError` when
    the address has failed too often lately (see the module)."""
    email = email.strip().lower()[:320]
    since = (datetime.now(UTC) - timedelta(minutes=WINDOW)).strftime("%Y-%m-%dT%H:%M:%S")
    with locked(engine) as conn:
        failures = conn.execute(sa.select(sa.func.count()).select_from(login_attempts).where(
            login_attempts.c.email == email, login_attempts.c.at >= since,
            login_attempts.c.ok.is_(False))).scalar_one()
        if failures >= MAX_FAILURES:
            conn.execute(login_attempts.insert().values(email=email, at=now(), ok=False))
            record(conn, email, "login refused", email, "too many failed attempts")
            raise TooManyAttemptsError(email)
        row = conn.execute(sa.select(users).where(users.c.email == email)).mappings().first()
        ok = False
        if row is not None:
            try:
                ok = HASHER.verify(str(row["password_hash"]), password)
            except (VerifyMismatchError, InvalidHashError):
                ok = False
        conn.execute(login_attempts.insert().values(email=email, at=now(), ok=ok))
        record(conn, email, "login" if ok else "login failed", email)
    return _user(row) if ok and row is not None else None
