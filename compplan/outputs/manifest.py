"""``run.json``: what a run read, what it wrote, and its conservation balance.

Written last into the output folder (see :func:`compplan.core.atomic.write_atomically`),
so its presence says the folder holds one complete run, and its contents let anyone
check which files and plans produced the payouts and that no input row was lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from compplan.engine.result import Evaluation
from compplan.outputs.digest import file_digest, plan_digest
from compplan.reports.conservation import Balance


def _version() -> str:
    try:
        return version("compplan")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def run_manifest(result: Evaluation, inputs: dict[str, Path | None],
                 balances: list[Balance]) -> dict[str, object]:
    """The content of ``run.json`` (the files written are added as they are staged)."""
    digests = file_digest(inputs)
    return {
        "compplan": _version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "year": result.year,
        "inputs": {name: {"file": str(inputs[name]), "sha256": digest}
                   for name, digest in digests.items()},
        "plans": plan_digest(result.plans),
        "payout_lines": len(result.payouts),
        "payees": int(result.payouts["payee_id"].nunique()),
        "credits": len(result.credit_rows),
        "exceptions": len(result.exceptions),
        "conservation": [b.as_dict() for b in balances],
        "balanced": all(b.ok for b in balances),
    }
