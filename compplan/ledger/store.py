"""Ledger storage through SQLAlchemy: SQLite by path, PostgreSQL by URL.

The schema is versioned: a new ledger is created at the current version, and an older
one is upgraded step by step (``MIGRATIONS``) when opened, in one transaction. Every
write is one transaction, and every transaction that may write holds the ledger's lock
from its first statement: ``BEGIN IMMEDIATE`` on SQLite, a transaction-level advisory
lock on PostgreSQL. Two people paying or closing at once are serialized, never
interleaved: the second waits (``COMPPLAN_LEDGER_WAIT`` seconds, 60 by default), then
reads what the first committed. Schema creation takes the same lock, so two processes
opening a fresh database do not race. Triggers make closed periods immutable in the
database itself, whatever program writes to it.

Credentials never leave this module in clear: every location shown to a user goes
through :func:`masked`, and database errors are reported by kind, never with the SQL
parameters (names, amounts) a driver puts in its message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compplan.errors import CompplanError, InputError, Issue, OutputError, masked

SCHEMA_VERSION = 6
metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer))

runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("period", sa.String(7), nullable=False, index=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("plans", sa.Text, nullable=False),
)

lines = sa.Table(
    "lines", metadata,
    sa.Column("line_id", sa.String(60), primary_key=True),
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), nullable=False, index=True),
    sa.Column("pay_period", sa.String(7), nullable=False, index=True),
    sa.Column("earned_period", sa.String(7), nullable=False),
    sa.Column("payee_id", sa.String(200), nullable=False, index=True),
    sa.Column("payee_name", sa.String(400), nullable=False),
    sa.Column("component", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("earning_code", sa.String(40), nullable=False),
    sa.Column("cents", sa.BigInteger, nullable=False),
    sa.Column("memo", sa.String(400), nullable=False),
    sa.Column("release_period", sa.String(7), nullable=True),  # for a hold: when it is due
    sa.Column("ref", sa.String(60), nullable=True),  # for a release: the hold it releases
    sa.Column("currency", sa.String(3), nullable=True),  # the line's (the payee's) currency
)

periods = sa.Table(
    "periods", metadata,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=True),
    sa.Column("closed_at", sa.String(32), nullable=True),
)


draw_balances = sa.Table(
    "draw_balances", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.run_id"), nullable=False,
              index=True),
    sa.Column("pay_period", sa.String(7), nullable=False, index=True),
    sa.Column("payee_id", sa.String(200), nullable=False),
    sa.Column("plan", sa.String(200), nullable=False),
    sa.Column("component", sa.String(200), nullable=False),
    sa.Column("balance_cents", sa.BigInteger, nullable=False),  # owed after the period
    sa.Column("forgiven_cents", sa.BigInteger, nullable=False),  # written off in it
)
"""Each run's draw balances (:mod:`compplan.ledger.draws`): what the next year opens with."""

# The web app's people and what they do (compplan serve): in the same database as the
# pay they look at, so an approval and the payroll it leads to share one lock.
users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("payee_id", sa.String(200), nullable=True),  # a rep's or manager's own payee
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("must_change", sa.Boolean, nullable=False, default=False),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(400), nullable=False),
    sa.Column("detail", sa.String(2000), nullable=False),
)
"""Append-only (triggers refuse UPDATE and DELETE): logins, approvals, overrides, closes."""

inquiries = sa.Table(
    "inquiries", metadata,
    sa.Column("inquiry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("payee_id", sa.String(200), nullable=False, index=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("component", sa.String(200), nullable=False),
    sa.Column("question", sa.String(4000), nullable=False),
    sa.Column("asked_by", sa.String(320), nullable=False),
    sa.Column("asked_at", sa.String(32), nullable=False),
    sa.Column("answer", sa.String(4000), nullable=True),
    sa.Column("answered_by", sa.String(320), nullable=True),
    sa.Column("answered_at", sa.String(32), nullable=True),
)

login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("attempt_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
)

quota_reviews = sa.Table(
    "quota_reviews", metadata,
    sa.Column("review_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("manager_id", sa.String(200), nullable=False, index=True),
    sa.Column("state", sa.String(12), nullable=False),  # draft, submitted, approved
    sa.Column("overrides", sa.Text, nullable=False),  # JSON: territory -> [quota, reason]
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("decided_by", sa.String(320), nullable=True),
)
WEB_TABLES = (users, audit, inquiries, login_attempts, quota_reviews)


def _v1_to_v2(conn: sa.Connection) -> None:
    """Version 2 records holds: when a hold is due, and which hold a release pays."""
    conn.execute(sa.text("ALTER TABLE lines ADD COLUMN release_period VARCHAR(7)"))
    conn.execute(sa.text("ALTER TABLE lines ADD COLUMN ref VARCHAR(60)"))


CLOSED = "compplan: a closed period never changes"

_SQLITE_GUARDS = [
    (table, f"""CREATE TRIGGER IF NOT EXISTS closed_{table}_{op.lower()} BEFORE {op} ON {table}
    WHEN {when}
    BEGIN SELECT RAISE(ABORT, '{CLOSED}'); END""")
    for table, op, when in [
        ("lines", "UPDATE", "EXISTS (SELECT 1 FROM periods WHERE run_id = OLD.run_id "
                            "AND state = 'closed')"),
        ("lines", "DELETE", "EXISTS (SELECT 1 FROM periods WHERE run_id = OLD.run_id "
                            "AND state = 'closed')"),
        ("lines", "INSERT", "EXISTS (SELECT 1 FROM periods WHERE run_id = NEW.run_id "
                            "AND state = 'closed')"),
        ("draw_balances", "UPDATE", "EXISTS (SELECT 1 FROM periods WHERE run_id = "
                                    "OLD.run_id AND state = 'closed')"),
        ("draw_balances", "DELETE", "EXISTS (SELECT 1 FROM periods WHERE run_id = "
                                    "OLD.run_id AND state = 'closed')"),
        ("draw_balances", "INSERT", "EXISTS (SELECT 1 FROM periods WHERE run_id = "
                                    "NEW.run_id AND state = 'closed')"),
        ("runs", "UPDATE", "EXISTS (SELECT 1 FROM periods WHERE run_id = OLD.run_id "
                           "AND state = 'closed')"),
        ("runs", "DELETE", "EXISTS (SELECT 1 FROM periods WHERE run_id = OLD.run_id "
                           "AND state = 'closed')"),
        ("periods", "UPDATE", "OLD.state = 'closed'"),
        ("periods", "DELETE", "OLD.state = 'closed'")]]

_POSTGRES_GUARDS = [
    ("", f"""CREATE OR REPLACE FUNCTION compplan_closed_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'periods' THEN
            IF OLD.state = 'closed' THEN RAISE EXCEPTION '{CLOSED}'; END IF;
        ELSIF TG_OP = 'INSERT' THEN
            IF EXISTS (SELECT 1 FROM periods WHERE run_id = NEW.run_id AND state = 'closed')
            THEN RAISE EXCEPTION '{CLOSED}'; END IF;
        ELSIF EXISTS (SELECT 1 FROM periods WHERE run_id = OLD.run_id AND state = 'closed')
        THEN RAISE EXCEPTION '{CLOSED}';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql"""),  # noqa: S608 - constants only, no input
    *((table, f"""DROP TRIGGER IF EXISTS compplan_closed_guard ON {table}""") for table in
      ("lines", "runs", "periods", "draw_balances")),
    *((table, f"""CREATE TRIGGER compplan_closed_guard BEFORE {ops} ON {table}
    FOR EACH ROW EXECUTE FUNCTION compplan_closed_guard()""") for table, ops in
      (("lines", "INSERT OR UPDATE OR DELETE"), ("draw_balances", "INSERT OR UPDATE OR DELETE"),
       ("runs", "UPDATE OR DELETE"),
       ("periods", "UPDATE OR DELETE")))]


APPEND_ONLY = "compplan: the audit log is append-only"
_SQLITE_AUDIT = [f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_{op.lower()} BEFORE {op}
    ON audit BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""" for op in ("UPDATE", "DELETE")]
_POSTGRES_AUDIT = [
    f"""CREATE OR REPLACE FUNCTION compplan_audit_guard() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS compplan_audit_guard ON audit",
    """CREATE TRIGGER compplan_audit_guard BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION compplan_audit_guard()"""]


def _audit_guard(conn: sa.Connection) -> None:
    for statement in (_POSTGRES_AUDIT if conn.dialect.name == "postgresql"
                      else _SQLITE_AUDIT):
        conn.execute(sa.text(statement))


_V3_TABLES = ("", "lines", "runs", "periods")


def _guards(conn: sa.Connection, tables: tuple[str, ...] | None = None) -> None:
    """Closed periods immutable in the database: their period row, run, lines and draw
    balances (``tables``: only those guards, for a schema version that had only them)."""
    for table, statement in (_POSTGRES_GUARDS if conn.dialect.name == "postgresql"
                             else _SQLITE_GUARDS):
        if tables is None or table in tables:
            conn.execute(sa.text(statement))


def _v2_to_v3(conn: sa.Connection) -> None:
    """Version 3 guards closed periods with triggers."""
    _guards(conn, _V3_TABLES)


def _v3_to_v4(conn: sa.Connection) -> None:
    """Version 4 records draw balances, guarded like lines."""
    metadata.create_all(conn, tables=[draw_balances])
    _guards(conn)


def _v4_to_v5(conn: sa.Connection) -> None:
    """Version 5 records each line's currency (older lines: the plans' one currency,
    read as the currency the payee is paid in now)."""
    conn.execute(sa.text("ALTER TABLE lines ADD COLUMN currency VARCHAR(3)"))


def _v5_to_v6(conn: sa.Connection) -> None:
    """Version 6 keeps the web app's users, audit log (append-only), inquiries, login
    attempts and quota reviews."""
    metadata.create_all(conn, tables=list(WEB_TABLES))
    _audit_guard(conn)


MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3,
                                                          3: _v3_to_v4, 4: _v4_to_v5,
                                                          5: _v5_to_v6}


def url_for(location: str) -> str:
    """A SQLAlchemy URL: ``postgresql://...`` (through psycopg 3), else a SQLite file.

    >>> url_for("postgresql://u:p@db/ledger")
    'postgresql+psycopg://u:p@db/ledger'
    """
    if location.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + location.split("://", 1)[1]
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).resolve()}"


def wait_seconds() -> float:
    """How long a writer waits for another to finish: ``COMPPLAN_LEDGER_WAIT``, or 60."""
    try:
        return max(0.0, float(os.environ.get("COMPPLAN_LEDGER_WAIT", "60")))
    except ValueError:
        return 60.0


_LOCK_KEY = 7_202_604_201  # one advisory lock per PostgreSQL database: its ledger


def _engine(location: str) -> Engine:
    url = url_for(location)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": wait_seconds()})

        @sa.event.listens_for(engine, "connect")
        def _manual(dbapi_conn: Any, _: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy's BEGIN, not the driver's

        @sa.event.listens_for(engine, "begin")
        def _immediate(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, taken first

        return engine
    return sa.create_engine(url)


@contextmanager
def locked(engine: Engine) -> Iterator[sa.Connection]:
    """One transaction holding the ledger's lock from its first statement to its commit.

    On PostgreSQL a transaction-level advisory lock (waiting at most
    :func:`wait_seconds`) serializes every payroll, close and schema change; SQLite's
    ``BEGIN IMMEDIATE`` does the same with its busy timeout.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"SET LOCAL lock_timeout = '{int(wait_seconds() * 1000)}ms'"))
            conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))
        yield conn


class LedgerBusyError(OutputError):
    """Another payroll or close held the ledger longer than the wait: nothing recorded."""


def _kind(exc: BaseException) -> str:
    """What a database error means: full disk, a lock waited for too long, a closed
    period guarded by its trigger, or something else (by SQLSTATE or SQLite's words)."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None),
                                                        "sqlstate", None)
    words = str(orig).lower()
    if state == "53100" or "disk is full" in words or "file too large" in words:
        return "full"
    if "disk i/o error" in words or str(getattr(orig, "sqlite_errorname", "")).startswith(
            "SQLITE_IOERR"):
        return "io"
    if state in ("55P03", "57014") or "database is locked" in words:
        return "busy"
    if CLOSED in str(orig):
        return "closed"
    return "other"


_SAID = {
    "full": (OutputError, "the ledger's disk is full: nothing was recorded; free space and "
                          "run it again"),
    "io": (OutputError, "the ledger cannot be written (a disk I/O error: a full disk, a file "
                        "size limit?): nothing was recorded; free space and run it again"),
    "closed": (InputError, "a closed period never changes: the database refused to change "
                           "one"),
}


def _translated(exc: sa.exc.SQLAlchemyError, location: str) -> CompplanError | None:
    """The compplan error a database error means, holding no SQL and no data; None for
    one that is none of full disk, I/O error, busy ledger or closed period."""
    where, kind = masked(location), _kind(exc)
    if kind == "busy":
        return LedgerBusyError([Issue(where, f"the ledger is busy: another payroll or close "
                                      f"held it for {wait_seconds():g} s; nothing was "
                                      "recorded; run it again")])
    if kind in _SAID:
        error, message = _SAID[kind]
        return error([Issue(where, message)])
    return None


@contextmanager
def reported(location: str) -> Iterator[None]:
    """Turn a database error into a compplan error that holds no SQL and no data:
    a full disk is exit 3 (nothing was recorded), so is a ledger busy for too long."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        said = _translated(exc, location)
        if said is not None:
            raise said from None
        first = masked(str(getattr(exc, "orig", exc)).splitlines()[0]) if str(exc) else ""
        raise CompplanError([Issue(masked(location), f"ledger error ({exc.__class__.__name__}): "
                                   f"{first[:200]}")]) from None


def open_ledger(location: str, create: bool = True) -> Engine:
    """Open (creating, unless told not to, or upgrading) a ledger."""
    where = masked(location)
    if not create and "://" not in location and not Path(location).exists():
        raise InputError([Issue(where, "no such ledger: run compplan payroll first")])
    try:
        engine = _engine(location)
        with locked(engine) as conn:
            existed = sa.inspect(conn).has_table("schema_version")
            version = (conn.execute(sa.select(schema_version.c.version)).scalar()
                       if existed else None)
            if version is not None and version > SCHEMA_VERSION:
                raise InputError([Issue(where, f"ledger schema version {version} is newer "
                                        f"than this compplan ({SCHEMA_VERSION})")])
            while version is not None and version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(schema_version.update().values(version=version))
            if version is None:
                metadata.create_all(conn)
                _guards(conn)
                _audit_guard(conn)
                conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
    except sa.exc.SQLAlchemyError as exc:
        said = _translated(exc, location)
        if said is not None:
            raise said from None
        first = masked(str(getattr(exc, "orig", exc)).splitlines()[0])
        raise InputError([Issue(where, f"cannot open the ledger: {exc.__class__.__name__}: "
                                f"{first[:300]}")]) from None
    return engine
