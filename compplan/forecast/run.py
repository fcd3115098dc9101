"""``compplan forecast``: from the open pipeline to year-end attainment, pay and cost,
the month's accrual and each open deal's earnings, in one pass over the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.currencies import decimals
from compplan.core.money import to_minor
from compplan.engine.pipeline import evaluate
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue
from compplan.forecast.accrual import accrual, expected_lines, journal
from compplan.forecast.copies import Base
from compplan.forecast.deal_estimates import deal_estimates
from compplan.forecast.odds import Odds, odds
from compplan.forecast.open_deals import OpenDeals, Stages, open_deals
from compplan.forecast.simulate import Paid, PlanDraws, Settings, monte_carlo, run_rate
from compplan.forecast.variants import variants
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import Table
from compplan.scenarios.monte_carlo import primary
from compplan.schema import Plan
from compplan.schema.accounting import AccountingPolicy

Floats = npt.NDArray[np.float64]
PLAN_COLUMNS = [
    "plan", "currency", "payees", "draws", "variable_to_date", "total_mean", "total_p10",
    "total_p50", "total_p90", "variable_mean", "variable_p10", "variable_p50", "variable_p90",
    "bookings_p50", "cost_of_sales_p10", "cost_of_sales_p50", "cost_of_sales_p90",
    "share_at_quota_p10", "share_at_quota_p50", "share_at_quota_p90", "run_rate_total",
    "run_rate_variable", "run_rate_cost_of_sales", "run_rate_share_at_quota"]
PAYEE_COLUMNS = [
    "payee_id", "plan", "currency", "attainment_to_date", "attainment_p10", "attainment_p50",
    "attainment_p90", "chance_at_quota", "attainment_run_rate", "variable_to_date",
    "variable_p10", "variable_p50", "variable_p90", "variable_run_rate", "total_p50"]

MONEY_PLAN = ["variable_to_date", "total_mean", "total_p10", "total_p50", "total_p90",
              "variable_mean", "variable_p10", "variable_p50", "variable_p90", "bookings_p50",
              "run_rate_total", "run_rate_variable"]
MONEY_PAYEE = ["variable_to_date", "variable_p10", "variable_p50", "variable_p90",
               "variable_run_rate", "total_p50"]


@dataclass(frozen=True)
class Request:
    """What the forecast is asked: the as-of date and the odds' sources."""

    as_of: str
    settings: Settings = field(default_factory=Settings)
    stages: Stages = field(default_factory=Stages)
    pipeline: Table | None = None
    win_rates: Table | None = None
    history: Table | None = None
    slip: str | None = None
    paid: pd.DataFrame | None = None
    """(payee_id, component, currency, cents) paid to date, from the ledger."""
    policy: AccountingPolicy | None = None


@dataclass(frozen=True)
class Forecast:
    request: Request
    actual: Evaluation
    deals: OpenDeals
    odds: Odds
    win: Floats
    draws: dict[str, PlanDraws]
    run_rate: dict[str, Paid]
    plans: pd.DataFrame
    payees: pd.DataFrame
    estimates: pd.DataFrame
    accrual: pd.DataFrame
    journal: pd.DataFrame


def _check_as_of(as_of: str, year: int) -> np.datetime64:
    try:
        day = np.datetime64(as_of, "D")
    except ValueError:
        day = None
    if day is None or len(as_of) != 10 or str(day)[:4] != str(year):
        raise InputError([Issue("--as-of", f"{as_of!r}: expected a date of the plan year "
                                f"{year}, YYYY-MM-DD")])
    return day


def _money(values: npt.ArrayLike, places: int) -> Floats:
    """Amounts rounded half-up to the currency's minor units (as numbers)."""
    return np.asarray(to_minor(values, places) / 10**places, dtype=np.float64)


def _pct(values: Floats, q: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.percentile(finite, q)) if len(finite) else np.nan


def _plan_rows(actual: Evaluation, bases: dict[str, Base], draws: dict[str, PlanDraws],
               rate: dict[str, Paid], month: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    plan_rows, payee_rows = [], []
    for plan_id, d in sorted(draws.items()):
        pr = actual.by_plan[plan_id]
        pf = pr.frame
        code = pf.plan.currency
        places = decimals(code)
        ctx = bases[plan_id].context  # its quotas and attainments computed once
        cents = np.stack([r.cents for r in pr.components], axis=1).astype(np.float64)
        variable = np.array([r.component.kind != "salary" for r in pr.components])
        to_date = cents[:, variable, : month + 1].sum(axis=(1, 2)) / 10**places
        total, var_pay = d.total.sum(axis=1), d.variable.sum(axis=1)
        rr = rate[plan_id]
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.where(d.bookings > 0, var_pay / d.bookings, np.nan)
            rr_cos = rr.variable.sum() / rr.bookings.sum() if rr.bookings.sum() > 0 else np.nan
        share = np.full(len(total), np.nan)
        rr_share = np.nan
        att_now = np.full(pf.size, np.nan)
        if d.attainment is not None and rr.attainment is not None:
            quota = ctx.attainment(primary(pf), "year")[1]
            has = quota[:, 0] > 0
            share = ((np.nan_to_num(d.attainment, nan=-1) >= 1) & has).sum(axis=1) / max(
                int(has.sum()), 1)
            rr_share = float(((np.nan_to_num(rr.attainment, nan=-1) >= 1) & has).sum()
                             / max(int(has.sum()), 1))
            att_now = ctx.attainment(primary(pf), "ytd")[2][:, month]
        plan_rows.append({
            "plan": plan_id, "currency": code, "payees": pf.size, "draws": len(total),
            "variable_to_date": float(_money(to_date.sum(), places)),
            "total_mean": float(_money(total.mean(), places)),
            **{f"total_p{q}": float(_money(np.percentile(total, q), places))
               for q in (10, 50, 90)},
            "variable_mean": float(_money(var_pay.mean(), places)),
            **{f"variable_p{q}": float(_money(np.percentile(var_pay, q), places))
               for q in (10, 50, 90)},
            "bookings_p50": (float(_money(np.percentile(d.bookings, 50), places))
                             if np.isfinite(d.bookings).all() else np.nan),
            **{f"cost_of_sales_p{q}": _pct(cos, q) for q in (10, 50, 90)},
            **{f"share_at_quota_p{q}": _pct(share, q) for q in (10, 50, 90)},
            "run_rate_total": float(_money(rr.total.sum(), places)),
            "run_rate_variable": float(_money(rr.variable.sum(), places)),
            "run_rate_cost_of_sales": rr_cos, "run_rate_share_at_quota": rr_share})
        att = d.attainment if d.attainment is not None else np.full(d.total.shape, np.nan)
        with np.errstate(invalid="ignore"):
            chance = (np.nan_to_num(att, nan=-1) >= 1).mean(axis=0)
        payee_rows.append(pd.DataFrame({
            "payee_id": pf.seats["payee_id"].to_numpy(dtype=object), "plan": plan_id,
            "currency": code, "attainment_to_date": att_now,
            **{f"attainment_p{q}": np.percentile(att, q, axis=0) for q in (10, 50, 90)},
            "chance_at_quota": np.where(np.isfinite(att).all(axis=0), chance, np.nan),
            "attainment_run_rate": (rr.attainment if rr.attainment is not None
                                    else np.full(pf.size, np.nan)),
            "variable_to_date": _money(to_date, places),
            **{f"variable_p{q}": _money(np.percentile(d.variable, q, axis=0), places)
               for q in (10, 50, 90)},
            "variable_run_rate": _money(rr.variable, places),
            "total_p50": _money(np.percentile(d.total, 50, axis=0), places)}))
    payees = (pd.concat(payee_rows, ignore_index=True).sort_values(
        ["payee_id", "plan"], kind="stable").reset_index(drop=True) if payee_rows
        else pd.DataFrame(columns=PAYEE_COLUMNS))
    return pd.DataFrame(plan_rows, columns=PLAN_COLUMNS), payees[PAYEE_COLUMNS]


def forecast(plans: dict[str, Plan], inputs: Inputs, year: int, request: Request,
             progress: Callable[[int], None] | None = None) -> Forecast:
    """The forecast of the year as of ``request.as_of`` (see the package's modules)."""
    day = _check_as_of(request.as_of, year)
    deals = open_deals(inputs, request.as_of, request.stages, request.pipeline)
    found = odds(request.stages, request.win_rates, request.history, request.slip)
    where = request.pipeline.file if request.pipeline is not None else inputs.deals.file
    win = found.rate_of(deals.stage, where)
    actual = evaluate(plans, deals.actual, year)
    offsets = sorted(set(found.slip) | {0})
    calendar = next(iter(actual.by_plan.values())).frame.calendar if actual.by_plan else None
    if calendar is None:
        raise InputError([Issue(inputs.roster.file, f"no payee on any plan in {year}")])
    var = variants(plans, deals, actual.seats, calendar, offsets, day, request.stages)
    month = int(request.as_of[5:7]) - 1
    bases = Base.of_run(actual)  # each plan's quotas, clawbacks and credit earnings, once
    drawn = monte_carlo(actual, bases, var, win, found.slip, request.settings, progress)
    rate = run_rate(actual, bases, month)
    plan_table, payees = _plan_rows(actual, bases, drawn, rate, month)
    estimates = deal_estimates(actual, bases, deals, var, win)
    expected = expected_lines(actual, {p: d.mean_pay for p, d in drawn.items()}, month)
    table = accrual(actual, month, expected, request.paid, request.policy)
    rates = found.rates.copy()
    counts = pd.Series(deals.stage).value_counts()
    rates["open_deals"] = rates["stage"].map(counts).fillna(0).astype(np.int64)
    return Forecast(request, actual, deals, Odds(rates, found.slip, found.slip_source), win,
                    drawn, rate, plan_table, payees, estimates, table,
                    journal(table, request.as_of, request.policy))
