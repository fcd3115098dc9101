"""Quota planning end to end: bounds -> feasibility -> LP -> rounding -> months -> SMART."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compplan.core.currencies import decimals
from compplan.core.money import format_minor, to_minor
from compplan.quotas.allocate import Allocation, allocate, ramp_fractions
from compplan.quotas.model import Bounds, bounds, build, check_feasible
from compplan.quotas.params import QuotaParams
from compplan.quotas.seasonality import shares
from compplan.quotas.smart import smart_checks
from compplan.quotas.solve import Solution, solve
from compplan.quotas.territories import Territories

QUOTA_COLUMNS = ["territory_id", "payee_id", "measure", "period", "quota"]


@dataclass(frozen=True)
class QuotaPlan:
    """The solved, rounded and checked plan."""

    params: QuotaParams
    territories: Territories
    bounds: Bounds
    solution: Solution
    allocation: Allocation
    seasonality: np.ndarray
    seasonality_source: np.ndarray
    smart: pd.DataFrame

    def quotas(self) -> pd.DataFrame:
        """quotas.csv: year, quarter and month rows per territory (usable by run)."""
        f = self.territories.frame
        year = self.params.year
        places = decimals(self.params.currency)
        months = self.allocation.months
        quarters = months.reshape(len(f), 4, 3).sum(axis=2)
        annual = months.sum(axis=1)
        blocks = [(annual[:, None], [str(year)]),
                  (quarters, [f"{year}-Q{q}" for q in range(1, 5)]),
                  (months, [f"{year}-{m:02d}" for m in range(1, 13)])]
        parts = []
        for values, labels in blocks:
            n, k = values.shape
            parts.append(pd.DataFrame({
                "territory_id": np.repeat(f["territory_id"].to_numpy(), k),
                "payee_id": np.repeat(f["payee_id"].to_numpy(), k),
                "measure": self.params.measure, "period": np.tile(labels, n),
                "quota": format_minor(to_minor(values.reshape(-1), places), places),
                "currency": self.params.currency}))
        return pd.concat(parts, ignore_index=True)


def plan(terr: Territories, params: QuotaParams, history: pd.DataFrame | None,
         plan_of: dict[str, set[str]] | None = None) -> QuotaPlan:
    """Solve and allocate a quota plan; infeasible bounds raise with the numbers."""
    if params.seasonality is None:  # estimated from a history when there is one
        params = params.model_copy(
            update={"seasonality": "auto" if history is not None else "flat"})
    b = bounds(terr, params)
    check_feasible(b, terr)
    ids = terr.frame["territory_id"].to_numpy(dtype=str)
    prob, quota = build(b, ids)
    solution = solve(prob, quota, params.solver, params.time_limit)
    assert params.seasonality is not None
    season, source = shares(params.seasonality, terr.frame["territory_id"], history)
    start = (terr.frame["start_date"] if "start_date" in terr.frame
             else pd.Series(pd.NaT, index=terr.frame.index))
    ramp = ramp_fractions(pd.to_datetime(start), params.year, params.ramp)
    alloc = allocate(solution.values, terr.fixed, b.total, season, ramp, params.round_to,
                     params.month_round_to, params.ramp_redistribute)
    checks = smart_checks(terr, params, b, alloc, history, plan_of)
    return QuotaPlan(params, terr, b, solution, alloc, season, source, checks)
