"""``run.json``: what a run read, what it wrote, and its conservation balance.

Written last into the output folder (see :func:`compplan.core.atomic.write_atomically`),
so its presence says the folder holds one complete run, and its contents let anyone
check which files and plans produced the payouts and that no input row was lost.
"""

from __future__ import annotations

from pathlib import Path

from compplan.engine.result import Evaluation
from compplan.outputs.digest import plan_digest
from compplan.outputs.stamp import RunInfo, compplan_version
from compplan.reports.conservation import Balance


def run_manifest(result: Evaluation, inputs: dict[str, Path | None],
                 balances: list[Balance], info: RunInfo) -> dict[str, object]:
    """The content of ``run.json`` (the files written are added as they are staged);
    ``info`` carries the run's id and the inputs' digests, computed once."""
    digests = info.files
    return {
        "compplan": compplan_version(),
        "run_id": info.run_id,
        "created_at": info.created_at,
        "inputs_digest": info.inputs_digest,
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
