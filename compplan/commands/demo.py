"""``compplan demo``: generate the sample company, run it, print a summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table as RichTable

from compplan.commands.samples import sample_path
from compplan.core.currencies import decimals
from compplan.engine.pipeline import evaluate
from compplan.inputs.bundle import load_inputs
from compplan.inputs.pipeline_sample import AS_OF, write_pipeline
from compplan.inputs.sample import make_company, write_company
from compplan.outputs.run_files import write_run
from compplan.plan.load import load_plans
from compplan.reports.conservation import grouped_cents
from compplan.reports.summary import summarize


def default_plans() -> Path:
    """The plans of the current folder if it has them, else the shipped samples."""
    here = Path("plans")
    return here if here.is_dir() and any(here.glob("*.yaml")) else sample_path("plans")


def _money(value: object) -> str:
    number = float(str(value))
    return "n/a" if np.isnan(number) else f"{number:,.0f}"


def _pct(value: object) -> str:
    number = float(str(value))
    return "n/a" if np.isnan(number) else f"{number * 100:.1f} %"


def run_demo(out: Path, seed: int, year: int, console: Console,
             plans_dir: Path | None = None) -> None:
    """Write sample inputs to ``out/input``, results to ``out/results``, print a table."""
    plans_dir = plans_dir or default_plans()
    plans = load_plans(plans_dir)
    company = make_company(seed, year, currencies=True)
    paths = write_company(company, str(out / "input"))
    paths.update(write_pipeline(company, out / "input", f"{year}-{AS_OF}", seed))
    inputs = load_inputs(paths["roster"], paths["deals"], paths["quotas"], paths["accounts"],
                         fx=paths["fx"])
    result = evaluate(plans, inputs, year)
    files: dict[str, Path | None] = {name: Path(paths[name]) for name in
                                     ("roster", "deals", "quotas", "accounts", "fx")}
    written, kept = write_run(result, out / "results", files)
    table = RichTable(title=f"compplan demo: sample company, plan year {year}")
    for col, justify in (("plan", "left"), ("currency", "left"), ("payees", "right"),
                         ("total pay", "right"),
                         ("variable pay", "right"), ("bookings", "right"),
                         ("cost of sales", "right"), ("at quota", "right")):
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in summarize(result).to_dict("records"):
        table.add_row(str(row["plan"]), str(row["currency"]), str(row["payees"]),
                      _money(row["total_pay"]),
                      _money(row["variable_pay"]), _money(row["bookings"]),
                      _pct(row["cost_of_sales"]), _pct(row["share_at_quota"]))
    console.print(table)
    paid = result.lines.groupby("currency")["cents"].sum()
    console.print("paid in each payee's currency: " + "; ".join(
        f"{grouped_cents(int(cents), decimals(str(code)))} {code}"
        for code, cents in paid.items()), highlight=False)
    console.print(f"{len(result.credit_rows)} credits, {len(result.exceptions)} exceptions "
                  f"(rows left out, each with its reason)")
    for b in kept:
        console.print(f"conservation {b.render()}", highlight=False, soft_wrap=True)
    console.print(f"inputs:  {out / 'input'}", highlight=False)
    for path in written:
        console.print(f"results: {path}", highlight=False)
    console.print(f"try:     compplan explain --payee AE01 --period {year}-03 --plans {plans_dir} "
                  f"--roster {paths['roster']} --deals {paths['deals']} --quotas {paths['quotas']} "
                  f"--accounts {paths['accounts']} --fx {paths['fx']} --year {year}",
                  highlight=False, soft_wrap=True)
    console.print(f"forecast: compplan forecast --as-of {year}-{AS_OF} --plans {plans_dir} "
                  f"--roster {paths['roster']} --deals {paths['deals']} "
                  f"--quotas {paths['quotas']} --accounts {paths['accounts']} "
                  f"--fx {paths['fx']} --year {year} --pipeline {paths['pipeline']} "
                  f"--stage-history {paths['stage_history']} --out {out / 'forecast'}",
                  highlight=False, soft_wrap=True)
