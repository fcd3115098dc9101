"""The Python API for notebooks and scripts: the same functions the CLI calls.

>>> import compplan
>>> sorted(compplan.load_plans(compplan.sample_path("plans")))
['ae-2026', 'am-2026', 'inside-2026', 'kam-2026', 'mgr-2026', 'partner-2026', 'sdr-2026']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compplan.accounting.books import books_of, read_opening
from compplan.accounting.files import Books
from compplan.accounting.policy import load_policy
from compplan.forecast.odds import STAGE_HISTORY, WIN_RATES
from compplan.forecast.open_deals import Stages
from compplan.forecast.run import Forecast, Request
from compplan.forecast.run import forecast as _forecast
from compplan.forecast.simulate import Settings
from compplan.inputs.bundle import Inputs, load_inputs
from compplan.inputs.ingest import Table, load_table, table_from_frame
from compplan.inputs.mapping import load_mapping
from compplan.inputs.pipeline_sample import pipeline_of
from compplan.inputs.sample import SampleCompany, make_company
from compplan.ledger.payroll import PayrollRun, history
from compplan.ledger.run import close_period, opening_draws
from compplan.ledger.run import payroll as _payroll
from compplan.ledger.store import open_ledger, reported
from compplan.plan.load import load_plans
from compplan.quotas.params import QuotaParams
from compplan.quotas.planner import QuotaPlan
from compplan.quotas.planner import plan as _plan_quotas
from compplan.quotas.territories import prepare
from compplan.result import Result
from compplan.result import evaluate as _evaluate
from compplan.scenarios.estimate import estimate as _estimate
from compplan.scenarios.run import Comparison, with_monte_carlo
from compplan.scenarios.run import compare as _compare
from compplan.schema import Plan
from compplan.schema.accounting import AccountingPolicy

TableLike = pd.DataFrame | Path | str | Table


def _table(value: TableLike | None, name: str) -> Table | None:
    if value is None or isinstance(value, Table):
        return value
    if isinstance(value, pd.DataFrame):
        return table_from_frame(value, name)
    return load_table(value, name)


def evaluate(
    plans: dict[str, Plan] | Path | str,
    roster: TableLike,
    deals: TableLike,
    year: int,
    quotas: TableLike | None = None,
    accounts: TableLike | None = None,
    assignments: TableLike | None = None,
    tables: dict[str, TableLike] | None = None,
    draw_opening: dict[tuple[str, str], int] | None = None,
    fx: TableLike | None = None,
) -> Result:
    """Evaluate plans on frames or files; return payouts, credits, exceptions, explain().

    ``fx`` is the exchange rate table (``date|period, from, to, rate``).
    ``draw_opening`` gives draw balances owed from earlier years, in cents, by
    (payee, draw component id): what the payroll ledger carries into a year.
    """
    loaded = plans if isinstance(plans, dict) else load_plans(plans)
    roster_t, deals_t = _table(roster, "roster"), _table(deals, "deals")
    assert roster_t is not None and deals_t is not None
    inputs = Inputs(
        roster=roster_t,
        deals=deals_t,
        quotas=_table(quotas, "quotas"),
        accounts=_table(accounts, "accounts"),
        assignments=_table(assignments, "assignments"),
        extra={k: t for k, v in (tables or {}).items() if (t := _table(v, k)) is not None},
        draw_opening=dict(draw_opening or {}),
        fx=_table(fx, "fx"),
    )
    return _evaluate(loaded, inputs, year)


def sample_company(seed: int = 7, year: int = 2026) -> SampleCompany:
    """The built-in sample company (roster, deals, quotas, accounts, territories)."""
    return make_company(seed, year)


def sample_pipeline(company: SampleCompany, as_of: str = "2026-09-30", seed: int = 7
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample company's open pipeline on ``as_of`` and its stage history (what
    ``compplan demo`` writes as pipeline.csv and stage_history.csv)."""
    return pipeline_of(company, as_of, seed)


def payout_curve(plan: Plan) -> tuple[np.ndarray, np.ndarray] | None:
    """Pay as a multiple of target along attainment of the plan's first quota measure
    (attainment 0 to 250 %), for plotting; None for a plan without one."""
    from compplan.excel.charts import GRID, plan_curve  # noqa: PLC0415

    curve = plan_curve(plan)
    return None if curve is None else (GRID.copy(), curve)


def plan_quotas(territories: pd.DataFrame | Path | str, history: pd.DataFrame | None = None,
                overrides: pd.DataFrame | None = None, **params: Any) -> QuotaPlan:
    """Distribute a target over territories (see ``compplan quotas``); params as its flags."""
    table = _table(territories, "territories")
    assert table is not None
    terr = prepare(table, _table(overrides, "overrides"))
    past = None
    if history is not None:
        past = history.copy()
        past["close_date"] = pd.to_datetime(past["close_date"], errors="coerce")
        if "territory_id" not in past:
            owners = terr.frame.drop_duplicates("payee_id").set_index("payee_id")
            past["territory_id"] = owners["territory_id"].reindex(past["owner_id"]).to_numpy()
        past = past[past["territory_id"].notna()]
    return _plan_quotas(terr, QuotaParams(**params), past)


def compare_scenarios(plans: dict[str, Plan], inputs: Inputs, year: int,
                      scenarios: Path | str, draws: int = 0, seed: int = 1,
                      method: str = "lognormal") -> Comparison:
    """Baseline and scenarios side by side (see ``compplan simulate``)."""
    comparison = _compare(plans, inputs, year, Path(scenarios))
    return with_monte_carlo(comparison, draws, seed, method) if draws else comparison


def inputs_from_frames(roster: TableLike, deals: TableLike, quotas: TableLike | None = None,
                       accounts: TableLike | None = None, fx: TableLike | None = None
                       ) -> Inputs:
    """Typed inputs from frames or files, checked as the CLI checks files."""
    roster_t, deals_t = _table(roster, "roster"), _table(deals, "deals")
    assert roster_t is not None and deals_t is not None
    return Inputs(roster=roster_t, deals=deals_t, quotas=_table(quotas, "quotas"),
                  accounts=_table(accounts, "accounts"), fx=_table(fx, "fx"))


def pay_month(result: Result, ledger: str, period: str, out: Path | str,
              files: dict[str, Path | None] | None = None) -> PayrollRun:
    """Record a month's payroll in the ledger and write its files (``compplan payroll``)."""
    run, _ = _payroll(result, ledger, period, files or {}, Path(out))
    return run


def close_month(ledger: str, period: str) -> str:
    """Lock a paid month (``compplan close``); returns the closed run id."""
    return close_period(ledger, period)


def draw_balances(ledger: str, year: int) -> dict[tuple[str, str], int]:
    """The draw balances (cents, by payee and draw id) a ledger carries into ``year``:
    pass them as ``evaluate(..., draw_opening=...)`` to pay a new year, as
    ``compplan payroll`` does."""
    return opening_draws(ledger, year)


def ledger_history(ledger: str, payee_id: str) -> pd.DataFrame:
    """A payee's ledger by period (``compplan ledger show``)."""
    with reported(ledger):
        return history(open_ledger(ledger, create=False), payee_id)


def amortize(result: Result, policy: Path | str | AccountingPolicy,
             opening: pd.DataFrame | Path | str | None = None) -> Books:
    """Capitalize and amortize a run's commissions under an accounting policy
    (``accounting.yaml`` or a validated :class:`AccountingPolicy`); ``opening`` is last
    year's assets.csv. The result's ``rollforward``, ``journal`` and ``schedule.assets``
    are frames of integer cents; :func:`compplan.accounting.files.write_books` writes
    them as ``compplan amortize`` does."""
    chosen = policy if isinstance(policy, AccountingPolicy) else load_policy(policy,
                                                                             result.plans)
    prior = read_opening(Path(opening)) if isinstance(opening, Path | str) else opening
    return books_of(result, chosen, prior)


def estimate_deal(result: Result, payee: str, amount: float, date: str,
                  like: str | None = None, values: dict[str, str] | None = None
                  ) -> pd.DataFrame:
    """What one more deal would change, line by line (cents ``before``, ``after`` and
    ``change``), for everyone it credits: the run again with the deal added
    (:mod:`compplan.scenarios.estimate`)."""
    found = _estimate(result.plans, result.inputs, result.year, payee, amount, date, like,
                      values, result)
    return found.lines


def forecast_year(result: Result, as_of: str, pipeline: TableLike | None = None,
             win_rates: TableLike | dict[str, float] | None = None,
             stage_history: TableLike | None = None, slip_months: str | None = None,
             draws: int = 1000, seed: int = 1, won_stage: str = "Closed Won",
             lost_stages: tuple[str, ...] = ("Closed Lost", "Disqualified")) -> Forecast:
    """The year's forecast from the run's inputs as of ``as_of`` (``compplan forecast``):
    ``.plans`` and ``.payees`` (P10/P50/P90 and run rate), ``.estimates`` (each open
    deal's earnings), ``.accrual`` and ``.journal``; ``win_rates`` may be a
    ``{stage: rate}`` dict."""
    if isinstance(win_rates, dict):
        win_rates = pd.DataFrame({"stage": list(win_rates), "win_rate": list(win_rates.values())})
    request = Request(as_of, Settings(draws, seed), Stages(won_stage, lost_stages),
                      _table(pipeline, "deals"), _table(win_rates, WIN_RATES.name),
                      _table(stage_history, STAGE_HISTORY.name), slip_months)
    return _forecast(result.plans, result.inputs, result.year, request)


__all__ = [
    "Result",
    "amortize",
    "close_month",
    "compare_scenarios",
    "draw_balances",
    "estimate_deal",
    "evaluate",
    "forecast_year",
    "inputs_from_frames",
    "ledger_history",
    "load_inputs",
    "load_mapping",
    "load_plans",
    "pay_month",
    "payout_curve",
    "plan_quotas",
    "sample_company",
    "sample_pipeline",
]
