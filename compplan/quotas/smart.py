"""SMART checks: each quota against each criterion, with the numbers behind the verdict.

- Specific: a payee, a measure and a period are named.
- Measurable: the months add up to the annual quota exactly.
- Achievable: within floor and ceiling (one rounding step of tolerance); quota /
  potential within max_penetration; growth vs last year within the growth range; the
  chance of reaching it, from the spread of the territory's monthly history
  (annual revenue ~ Normal(12 x mean, sqrt(12) x sd of the last 12 months)), at least
  min_probability.
- Relevant: all quotas add up to target x (1 + over-assignment); the quota share is
  within share_tolerance of the potential share.
- Time-bound: the period is the plan year; no quota before the hire month.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from compplan.quotas.allocate import Allocation
from compplan.quotas.model import Bounds
from compplan.quotas.params import QuotaParams
from compplan.quotas.seasonality import monthly_history
from compplan.quotas.territories import Territories

SMART_COLUMNS = ["territory_id", "payee_id", "measure", "period", "criterion", "check",
                 "passed", "detail", "override_reason"]



Verdict = tuple[np.ndarray, list[str]]
"""Per territory: passed, and the numbers behind the verdict."""

def _chance(terr: Territories, quota: np.ndarray, history: pd.DataFrame | None) -> np.ndarray:
    """P(annual revenue >= quota) per territory; NaN without 6 months of history."""
    out = np.full(len(quota), np.nan)
    if history is None or history.empty:
        return out
    wide = monthly_history(history)
    pos = pd.Index(wide.index).get_indexer(terr.frame["territory_id"])
    for i in np.flatnonzero(pos >= 0):  # a territory's own series; report-time only
        series = wide.iloc[pos[i]].to_numpy(dtype=np.float64)[-12:]
        if (series != 0).sum() < 6:
            continue
        mean, sd = 12 * series.mean(), math.sqrt(12) * series.std(ddof=1)
        if sd <= 0:
            out[i] = 1.0 if mean >= quota[i] else 0.0
        else:
            out[i] = 0.5 * math.erfc((quota[i] - mean) / (sd * math.sqrt(2)))
    return out


def _measure_known(f: pd.DataFrame, params: QuotaParams,
                   plan_of: dict[str, set[str]] | None) -> tuple[np.ndarray, list[str]]:
    if plan_of is None:
        return np.full(len(f), True), ["not checked: give --plans and --roster"] * len(f)
    known = [params.measure in plan_of.get(p, set()) for p in f["payee_id"]]
    detail = [f"{params.measure!r} {'is' if k else 'is not'} a measure of "
              f"{p}'s plan" if p in plan_of else f"payee {p} is not in the roster"
              for p, k in zip(f["payee_id"], known, strict=True)]
    return np.array(known, dtype=bool), detail


def _specific_measurable(terr: Territories, params: QuotaParams, alloc: Allocation,
                         plan_of: dict[str, set[str]] | None) -> dict[tuple[str, str], Verdict]:
    f, q, paid = terr.frame, alloc.annual, alloc.months.sum(axis=1)
    return {
        ("specific", "named"): ((f["payee_id"] != "").to_numpy(),
                                [f"payee {p}, measure {params.measure}, period {params.year}"
                                 for p in f["payee_id"]]),
        ("measurable", "months add up"): (
            np.isclose(paid + alloc.shortfall, q),
            [f"12 months sum to {v:,.0f}" + (f" (+ ramp shortfall {s:,.0f})" if s else "")
             for v, s in zip(paid, alloc.shortfall, strict=True)]),
        ("measurable", "measure in the payee's plan"): _measure_known(f, params, plan_of),
    }


def _achievable(terr: Territories, params: QuotaParams, b: Bounds, alloc: Allocation,
                history: pd.DataFrame | None) -> dict[tuple[str, str], Verdict]:
    f, q = terr.frame, alloc.annual  # the plan's quota; a ramp takes part of it away
    pot = f["potential"].to_numpy(dtype=np.float64)
    last = f["last_year"].to_numpy(dtype=np.float64)
    tol = params.round_to
    growth = np.where(last > 0, q / np.where(last > 0, last, 1) - 1, np.nan)
    chance = _chance(terr, alloc.months.sum(axis=1), history)
    pen = np.where(pot > 0, q / np.where(pot > 0, pot, 1), np.inf)
    slack = tol / np.maximum(last, 1)
    return {
        ("achievable", "within floor and ceiling"): (
            (q >= b.lower - tol) & (q <= b.upper + tol),
            [f"{lo:,.0f} <= {v:,.0f} <= {hi:,.0f} ({c})" for lo, v, hi, c in
             zip(b.lower, q, np.where(np.isinf(b.upper), np.nan, b.upper), b.ceiling,
                 strict=True)]),
        ("achievable", "quota / potential"): (
            pen <= params.max_penetration + tol / np.maximum(pot, 1),
            [f"{p:.1%} of potential (max {params.max_penetration:.0%})" for p in pen]),
        ("achievable", "growth vs last year"): (
            np.isnan(growth) | ((growth >= params.growth_min - 1e-9 - slack)
                                & (growth <= params.growth_max + 1e-9 + slack)),
            ["new territory" if np.isnan(g) else f"growth {g:+.1%} (range "
             f"{params.growth_min:+.0%} to {params.growth_max:+.0%})" for g in growth]),
        ("achievable", "chance of reaching"): (
            np.isnan(chance) | (chance >= params.min_probability),
            ["not enough history" if np.isnan(c) else f"{c:.0%} from the history's spread "
             f"(min {params.min_probability:.0%})" for c in chance]),
    }


def _relevant_time_bound(terr: Territories, params: QuotaParams, b: Bounds,
                         alloc: Allocation) -> dict[tuple[str, str], Verdict]:
    f, q, paid = terr.frame, alloc.annual, alloc.months.sum(axis=1)
    n, total = len(f), q.sum()
    pot = f["potential"].to_numpy(dtype=np.float64)
    share_q = q / total if total > 0 else np.zeros(n)
    share_p = pot / pot.sum()
    before_hire = ((alloc.ramp == 0) & (alloc.months != 0)).any(axis=1)
    return {
        ("relevant", "sum equals target"): (
            np.full(n, abs(total - b.total) < params.round_to / 2 + 0.5),
            [f"all quotas {total:,.0f} vs target x (1 + o) {b.total:,.0f}; after ramps "
             f"{paid.sum():,.0f}"] * n),
        ("relevant", "share vs potential share"): (
            np.abs(share_q - share_p) <= params.share_tolerance,
            [f"quota share {a:.2%} vs potential share {p:.2%}" for a, p in
             zip(share_q, share_p, strict=True)]),
        ("time_bound", "in the plan year"): (np.full(n, True), [f"year {params.year}"] * n),
        ("time_bound", "none before hire"): (
            ~before_hire, ["ramp shortfall " f"{s:,.0f}" for s in alloc.shortfall]),
    }


def smart_checks(terr: Territories, params: QuotaParams, b: Bounds, alloc: Allocation,
                 history: pd.DataFrame | None,
                 plan_of: dict[str, set[str]] | None = None) -> pd.DataFrame:
    """One row per territory and check; ``plan_of`` maps payees to their plans' measures."""
    f = terr.frame
    rows = {**_specific_measurable(terr, params, alloc, plan_of),
            **_achievable(terr, params, b, alloc, history),
            **_relevant_time_bound(terr, params, b, alloc)}
    parts = []
    for (criterion, check), (passed, detail) in rows.items():
        parts.append(pd.DataFrame({
            "territory_id": f["territory_id"].to_numpy(), "payee_id": f["payee_id"].to_numpy(),
            "measure": params.measure, "period": str(params.year), "criterion": criterion,
            "check": check, "passed": np.asarray(passed, dtype=bool), "detail": detail,
            "override_reason": terr.reasons}))
    return pd.concat(parts, ignore_index=True).sort_values(
        ["territory_id", "criterion"], kind="stable").reset_index(drop=True)
