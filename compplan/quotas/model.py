"""The default quota model, exactly as specified, and its feasibility check.

- blend share ``b_i = alpha P_i / sum(P) + (1 - alpha) H_i / sum(H)`` (P potential,
  H last year; with no history at all, potential alone);
- ideal quota ``Q*_i = b_i T (1 + o)``;
- floor ``L_i = H_i (1 + growth_min)``; ceiling ``U_i = min(H_i (1 + growth_max),
  capacity_i, max_penetration P_i)``. A territory with no last year (a new one) has
  floor 0 and no growth ceiling. A manager override fixes ``L_i = U_i``;
- minimise ``sum |Q_i - Q*_i| / Q*_i`` subject to ``sum Q_i = T (1 + o)`` and the bounds,
  linearised with deviation variables ``d_i >= +-(Q_i - Q*_i)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pulp

from compplan.errors import InfeasibleError, Issue
from compplan.quotas.params import QuotaParams
from compplan.quotas.territories import Territories

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bounds:
    """Ideal quotas, floors and ceilings, and which ceiling binds each territory."""

    total: float
    blend: Floats
    ideal: Floats
    lower: Floats
    upper: Floats
    ceiling: npt.NDArray[np.str_]


def bounds(terr: Territories, params: QuotaParams) -> Bounds:
    """Compute the model's data from territories and parameters."""
    f = terr.frame
    potential = f["potential"].to_numpy(dtype=np.float64)
    history = f["last_year"].to_numpy(dtype=np.float64)
    share_p = potential / potential.sum()
    share_h = history / history.sum() if history.sum() > 0 else share_p
    blend = params.alpha * share_p + (1 - params.alpha) * share_h
    # money: to the cent, so 22,000,000 x 1.10 is 24,200,000 and not 24,200,000.000000004
    total = round(params.target * (1 + params.over_assignment), 2)
    has_h = history > 0
    lower = np.where(has_h, history * (1 + params.growth_min), 0.0)
    capacity = (f["capacity"].to_numpy(dtype=np.float64) if "capacity" in f
                else np.full(len(f), np.nan))
    candidates = np.vstack([
        np.where(has_h, history * (1 + params.growth_max), np.inf),
        np.where(np.isnan(capacity), np.inf, capacity),
        params.max_penetration * potential,
    ])
    which = np.array(["growth_max", "capacity", "max_penetration"])[np.argmin(candidates, axis=0)]
    upper = candidates.min(axis=0)
    fixed = ~np.isnan(terr.fixed)
    lower = np.where(fixed, terr.fixed, np.maximum(lower, 0.0))
    upper = np.where(fixed, terr.fixed, upper)
    which = np.where(fixed, "override", which)
    return Bounds(total, blend, blend * total, lower, upper, which)


def _money(x: float) -> str:
    return f"{x:,.0f}"


def check_feasible(b: Bounds, terr: Territories) -> None:
    """Refuse, with the numbers, a plan whose bounds cannot meet the target."""
    ids = terr.frame["territory_id"].to_numpy()
    crossed = np.flatnonzero(b.lower > b.upper * (1 + 1e-9) + 1e-6)
    if len(crossed):
        raise InfeasibleError([
            Issue("territories", f"territory {ids[i]!r}: floor {_money(b.lower[i])} is above "
                  f"its ceiling {_money(b.upper[i])} ({b.ceiling[i]})") for i in crossed[:20]])
    low, high = b.lower.sum(), b.upper.sum()
    if low > b.total + 1e-6:
        raise InfeasibleError(
            f"infeasible: the floors (last year x (1 + growth_min), and overrides) add up to "
            f"{_money(low)}, above the target x (1 + over-assignment) = {_money(b.total)} by "
            f"{_money(low - b.total)}; lower --growth-min or the overrides, or raise --target")
    if high < b.total - 1e-6:
        kinds = {k: int((b.ceiling == k).sum()) for k in
                 ("growth_max", "capacity", "max_penetration", "override")}
        binding = ", ".join(f"{k} on {n}" for k, n in kinds.items() if n)
        raise InfeasibleError(
            f"infeasible: the ceilings add up to {_money(high)}, below the target x "
            f"(1 + over-assignment) = {_money(b.total)} by {_money(b.total - high)}; ceilings "
            f"set by {binding} territories; raise --growth-max, capacities or "
            f"--max-penetration, or lower --target")


def build(b: Bounds, ids: npt.NDArray[np.str_]) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The LP, with systematic names: ``quota_<i>``, ``dev_<i>``, ``over_<i>``, ``under_<i>``."""
    prob = pulp.LpProblem("quota_plan", pulp.LpMinimize)
    n = len(ids)
    quota = [prob.add_variable(f"quota_{i}", lowBound=float(b.lower[i]),
                               upBound=None if np.isinf(b.upper[i]) else float(b.upper[i]))
             for i in range(n)]
    dev = [prob.add_variable(f"dev_{i}", lowBound=0) for i in range(n)]
    weight = 1.0 / np.maximum(b.ideal, 1.0)
    prob += pulp.LpAffineExpression([(dev[i], float(weight[i])) for i in range(n)])
    prob += pulp.LpAffineExpression([(q, 1.0) for q in quota]) == float(b.total), "target"
    for i in range(n):
        prob += dev[i] - quota[i] >= -float(b.ideal[i]), f"over_{i}"
        prob += dev[i] + quota[i] >= float(b.ideal[i]), f"under_{i}"
    return prob, quota
