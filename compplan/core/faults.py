"""Fault points: places where the fault tests stop a process, mid-write.

A kill test sets ``COMPPLAN_FAULT_POINT`` to a point's name; when the process gets
there it writes the file named by ``COMPPLAN_FAULT_MARKER`` and waits, so the test can
kill it at exactly that place (inside a ledger transaction, between two output files).
Unset, a point costs one dictionary lookup. With ``COMPPLAN_FAULT_SQLSTATE`` set too, a
point in a ledger transaction makes PostgreSQL raise that error there instead (a full
disk, SQLSTATE 53100, which CI cannot cause by filling a real one).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def fault_point(name: str) -> None:
    """Stop here if the fault tests asked to (see the module docstring)."""
    if os.environ.get("COMPPLAN_FAULT_POINT") != name:
        return
    Path(os.environ["COMPPLAN_FAULT_MARKER"]).write_text(name)
    time.sleep(float(os.environ.get("COMPPLAN_FAULT_WAIT", "30")))


def fault_sql(conn: Any, name: str) -> None:
    """At point ``name`` of a ledger transaction, have PostgreSQL raise the SQLSTATE the
    fault tests name (``COMPPLAN_FAULT_SQLSTATE``): the server's own error, not a mock."""
    state = os.environ.get("COMPPLAN_FAULT_SQLSTATE", "")
    if os.environ.get("COMPPLAN_FAULT_POINT") != name or not state.isalnum() or len(state) != 5:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DO $$ BEGIN RAISE EXCEPTION 'fault test' USING ERRCODE = "
                             f"'{state}'; END $$")
