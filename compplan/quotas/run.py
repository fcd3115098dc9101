"""``compplan quotas``: load, plan, write, and print what was done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from compplan.inputs.ingest import load_table
from compplan.plan.load import load_plans
from compplan.quotas.history import load_history
from compplan.quotas.params import load_params
from compplan.quotas.planner import QuotaPlan, plan
from compplan.quotas.report import write_plan
from compplan.quotas.territories import prepare


def measures_by_payee(plans: Path, roster: Path) -> dict[str, set[str]]:
    """The measures of each rostered payee's plan, for the SMART 'measurable' check."""
    loaded = load_plans(plans)
    frame = load_table(roster, "roster").frame
    return {str(p): set(loaded[str(plan_id)].measures) if plan_id in loaded else set()
            for p, plan_id in zip(frame["payee_id"], frame["plan"], strict=True)}


def build_plan(territories: Path, plan_file: Path | None, history: Path | None,
               overrides: Path | None, flags: dict[str, Any], plans: Path | None = None,
               roster: Path | None = None) -> QuotaPlan:
    """Read every input, then plan (the Python API of ``compplan quotas``)."""
    params = load_params(plan_file, flags)
    terr = prepare(load_table(territories, "territories"),
                   load_table(overrides, "overrides") if overrides else None)
    past = load_history(history, terr) if history else None
    plan_of = measures_by_payee(plans, roster) if plans and roster else None
    return plan(terr, params, past, plan_of)


def run_quotas(territories: Path, out: Path, plan_file: Path | None, history: Path | None,
               overrides: Path | None, flags: dict[str, Any], console: Console | None,
               plans: Path | None = None, roster: Path | None = None) -> dict[str, Any]:
    """Plan, write the outputs atomically, print a one-line account (unless
    ``console`` is None); return the account as data (``--json``)."""
    result = build_plan(territories, plan_file, history, overrides, flags, plans, roster)
    written = write_plan(result, out)
    failed = int((~result.smart["passed"]).sum())
    alloc = result.allocation
    season = result.params.seasonality
    method = season if isinstance(season, str) else "given shares"
    if console is not None:
        console.print(f"{result.territories.size} territories; quotas sum to "
                      f"{alloc.annual.sum():,.0f} (target x (1 + o) = "
                      f"{result.bounds.total:,.0f}), {alloc.shortfall.sum():,.0f} of it held "
                      f"back by ramps; seasonality {method}; solver {result.solution.solver}: "
                      f"{result.solution.status}, objective {result.solution.objective:.6g}; "
                      f"{failed} SMART checks failed", highlight=False)
        for path in written:
            console.print(f"  {path}", highlight=False)
    return {"command": "quotas", "territories": int(result.territories.size),
            "quota_sum": float(alloc.annual.sum()), "target_total": float(result.bounds.total),
            "ramp_shortfall": float(alloc.shortfall.sum()), "seasonality": method,
            "currency": result.params.currency, "solver": result.solution.solver,
            "status": result.solution.status, "smart_failed": failed,
            "files": [str(p) for p in written]}

