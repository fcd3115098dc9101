"""Fault points: places where the fault tests stop a process, mid-write.

A kill test sets ``COMPPLAN_FAULT_POINT`` to a point's name; when the process gets
there it writes the file named by ``COMPPLAN_FAULT_MARKER`` and waits, so the test can
kill it at exactly that place (inside a ledger transaction, between two output files).
Unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def fault_point(name: str) -> None:
    """Stop here if the fault tests asked to (see the module docstring)."""
    if os.environ.get("COMPPLAN_FAULT_POINT") != name:
        return
    Path(os.environ["COMPPLAN_FAULT_MARKER"]).write_text(name)
    time.sleep(float(os.environ.get("COMPPLAN_FAULT_WAIT", "30")))
