"""Fingerprints of a run's inputs: SHA-256 of each file and of each plan as validated.

The ledger keeps them with every payroll run and ``run.json`` with every run, so a
result can always be matched to exactly the data and plans that produced it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from compplan.schema import Plan

_CHUNK = 1 << 20


def file_digest(paths: dict[str, Path | None]) -> dict[str, str]:
    """SHA-256 of each input file, read in chunks (deal exports run to gigabytes)."""
    out = {}
    for name, path in sorted(paths.items()):
        if path is None:
            continue
        digest = hashlib.sha256()
        with Path(path).open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        out[name] = digest.hexdigest()
    return out


def plan_digest(plans: dict[str, Plan]) -> dict[str, str]:
    """A short SHA-256 of each plan's validated content (comments and layout aside)."""
    return {p: hashlib.sha256(plan.model_dump_json().encode()).hexdigest()[:16]
            for p, plan in sorted(plans.items())}
