"""Attainment by payee, measure and period: the table behind reports and statements.

For every plan measure with a quota, each seat's credited value, quota and attainment
for each month, quarter and the year, as the components see them (same quota rules,
same proration). Rows are kept only for periods the seat is active in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.engine.components import Context
from compplan.engine.result import Evaluation

ATTAINMENT_COLUMNS = ["payee_id", "plan", "measure", "period_kind", "period", "quota",
                      "credited", "attainment"]
BUCKETS = ("below 50 %", "50-80 %", "80-100 %", "100-120 %", "120 % and above")
_EDGES = np.array([0.5, 0.8, 1.0, 1.2])


def _labels(year: int, kind: str) -> list[str]:
    if kind == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if kind == "quarter":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    return [str(year)]


def attainment_table(result: Evaluation) -> pd.DataFrame:
    """One row per seat, quota measure and active period."""
    parts = []
    for plan_id, pr in sorted(result.by_plan.items()):
        ctx = Context(pr.frame, result.inputs)  # its exceptions were reported by the run
        payees = pr.frame.seats["payee_id"].to_numpy()
        for measure in pr.frame.plan.quotas:
            for kind in ("month", "quarter", "year"):
                value, quota, attained = ctx.attainment(measure, kind)
                active = pr.frame.prorate[kind] > 0
                seat, col = np.nonzero(active)
                parts.append(pd.DataFrame({
                    "payee_id": payees[seat], "plan": plan_id, "measure": measure,
                    "period_kind": kind, "period": np.array(_labels(result.year, kind))[col],
                    "quota": quota[seat, col], "credited": value[seat, col],
                    "attainment": attained[seat, col],
                }))
    if not parts:
        return pd.DataFrame(columns=ATTAINMENT_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def primary_year_attainment(result: Evaluation, plan_id: str) -> pd.DataFrame:
    """Year attainment of a plan's primary measure (its first quota), one row per seat."""
    pr = result.by_plan[plan_id]
    plan = pr.frame.plan
    if not plan.quotas:
        return pd.DataFrame(columns=["payee_id", "quota", "credited", "attainment"])
    measure = next(iter(plan.quotas))
    value, quota, attained = Context(pr.frame, result.inputs).attainment(measure, "year")
    return pd.DataFrame({"payee_id": pr.frame.seats["payee_id"].to_numpy(), "quota": quota[:, 0],
                         "credited": value[:, 0], "attainment": attained[:, 0]})


def bucket_counts(attainment: pd.Series) -> list[int]:
    """How many attainments fall in each of :data:`BUCKETS` (no quota: not counted).

    >>> bucket_counts(pd.Series([0.2, 0.5, 0.99, 1.0, 1.2, float("nan")]))
    [1, 1, 1, 1, 1]
    """
    a = attainment.dropna().to_numpy(dtype=np.float64)
    idx = np.searchsorted(_EDGES, a, side="right")
    return [int(n) for n in np.bincount(idx, minlength=len(BUCKETS))]
