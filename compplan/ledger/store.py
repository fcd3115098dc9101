"""Ledger storage through SQLAlchemy: SQLite by path, PostgreSQL by URL.

The schema is versioned: a new ledger is created at the current version, and an older
one is upgraded step by step (``MIGRATIONS``) when opened, in one transaction. Every
write is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compplan.errors import InputError, Issue

SCHEMA_VERSION = 2
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
)

periods = sa.Table(
    "periods", metadata,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=True),
    sa.Column("closed_at", sa.String(32), nullable=True),
)


def _v1_to_v2(conn: sa.Connection) -> None:
    """Version 2 records holds: when a hold is due, and which hold a release pays."""
    conn.execute(sa.text("ALTER TABLE lines ADD COLUMN release_period VARCHAR(7)"))
    conn.execute(sa.text("ALTER TABLE lines ADD COLUMN ref VARCHAR(60)"))


MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {1: _v1_to_v2}


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


def open_ledger(location: str, create: bool = True) -> Engine:
    """Open (creating, unless told not to, or upgrading) a ledger."""
    if not create and "://" not in location and not Path(location).exists():
        raise InputError([Issue(location, "no such ledger: run compplan payroll first")])
    try:
        engine = sa.create_engine(url_for(location))
        with engine.begin() as conn:
            existed = sa.inspect(conn).has_table("schema_version")
            version = (conn.execute(sa.select(schema_version.c.version)).scalar()
                       if existed else None)
            if version is not None and version > SCHEMA_VERSION:
                raise InputError([Issue(location, f"ledger schema version {version} is newer "
                                        f"than this compplan ({SCHEMA_VERSION})")])
            while version is not None and version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(schema_version.update().values(version=version))
            metadata.create_all(conn)
            if version is None:
                conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
    except sa.exc.SQLAlchemyError as exc:
        raise InputError([Issue(location, f"cannot open the ledger: {exc.__class__.__name__}: "
                                f"{str(exc).splitlines()[0]}")]) from None
    return engine
