"""``compplan simulate``: baseline and every scenario through the same engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress, TaskID

from compplan.engine.pipeline import evaluate
from compplan.engine.result import Evaluation
from compplan.inputs.bundle import Inputs
from compplan.scenarios.apply import apply
from compplan.scenarios.compare import metrics, pay_by_payee, winners_and_losers
from compplan.scenarios.load import load_scenarios
from compplan.scenarios.monte_carlo import DrawSettings, Evaluator, in_process, monte_carlo
from compplan.schema import Plan


@dataclass(frozen=True)
class Comparison:
    """Every scenario's result beside the baseline's."""

    results: dict[str, Evaluation]
    metrics: pd.DataFrame
    movers: pd.DataFrame
    montecarlo: pd.DataFrame | None = None
    draws: dict[str, np.ndarray] | None = None


def compare(plans: dict[str, Plan], inputs: Inputs, year: int,
            scenarios: Path) -> Comparison:
    """Evaluate the baseline, then each scenario applied to copies of it."""
    results = {"baseline": evaluate(plans, inputs, year)}
    for scenario, file in load_scenarios(scenarios):
        changed_plans, changed_inputs = apply(plans, inputs, scenario, file)
        results[scenario.scenario] = evaluate(changed_plans, changed_inputs, year)
    table = pd.concat([metrics(name, r) for name, r in results.items()], ignore_index=True)
    base = pay_by_payee(results["baseline"])
    movers = [winners_and_losers(base, pay_by_payee(r), name) for name, r in results.items()
              if name != "baseline"]
    moved = pd.concat(movers, ignore_index=True) if movers else pd.DataFrame(
        columns=["scenario", "payee_id", "baseline_pay", "scenario_pay", "delta"])
    return Comparison(results, table, moved)


def with_monte_carlo(comparison: Comparison, draws: int, seed: int, method: str,
                     console: Console | None = None,
                     evaluator: Evaluator = in_process) -> Comparison:
    """Add the Monte Carlo distribution of every scenario (same seed for each)."""
    settings = DrawSettings(draws=draws, seed=seed, method=method)
    tables, variable = [], {}
    with Progress(console=console, disable=console is None or not console.is_terminal,
                  transient=True) as bar:
        for name, result in comparison.results.items():
            task = bar.add_task(f"{name}", total=draws)

            def advance(n: int, task: TaskID = task) -> None:
                bar.advance(task, n)

            table, draws_of_variable = monte_carlo(name, result, settings, advance, evaluator)
            tables.append(table)
            variable[name] = draws_of_variable
    return replace(comparison, montecarlo=pd.concat(tables, ignore_index=True), draws=variable)
