"""``compplan quotas``: load, plan, write, and print what was done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from compplan.ingest import load_table
from compplan.quotas.history import load_history
from compplan.quotas.params import load_params
from compplan.quotas.planner import QuotaPlan, plan
from compplan.quotas.report import write_plan
from compplan.quotas.territories import prepare


def build_plan(territories: Path, plan_file: Path | None, history: Path | None,
               overrides: Path | None, flags: dict[str, Any]) -> QuotaPlan:
    """Read every input, then plan (the Python API of ``compplan quotas``)."""
    params = load_params(plan_file, flags)
    terr = prepare(load_table(territories, "territories"),
                   load_table(overrides, "overrides") if overrides else None)
    past = load_history(history, terr) if history else None
    return plan(terr, params, past)


def run_quotas(territories: Path, out: Path, plan_file: Path | None, history: Path | None,
               overrides: Path | None, flags: dict[str, Any], console: Console) -> None:
    result = build_plan(territories, plan_file, history, overrides, flags)
    written = write_plan(result, out)
    failed = int((~result.smart["passed"]).sum())
    console.print(f"{result.territories.size} territories, quotas sum to "
                  f"{result.allocation.months.sum():,.0f} (target x (1 + o) = "
                  f"{result.bounds.total:,.0f}); solver {result.solution.solver}: "
                  f"{result.solution.status}, objective {result.solution.objective:.6g}; "
                  f"{failed} SMART checks failed", highlight=False)
    for path in written:
        console.print(f"  {path}", highlight=False)

