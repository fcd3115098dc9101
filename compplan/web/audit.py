"""The append-only audit log: who did what, when (the database refuses to change it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from compplan.ledger.store import audit


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(conn: sa.Connection, actor: str, action: str, subject: str = "",
           detail: str = "") -> None:
    """One entry, in the caller's transaction (so it is kept exactly when what it
    records is). Never a password or a session key: callers pass what a reader needs."""
    conn.execute(audit.insert().values(at=now(), actor=actor[:320], action=action[:40],
                                       subject=subject[:400], detail=detail[:2000]))


def entries(engine: sa.Engine, offset: int = 0, limit: int = 100) -> pd.DataFrame:
    """The newest entries first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit).order_by(audit.c.audit_id.desc())
                            .offset(offset).limit(limit)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in audit.columns])
