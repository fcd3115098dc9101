"""Draw balances month by month, read from a result: for statements and the ledger.

A quarterly draw settles in its quarter's last month, so its balance in the months
before is the one the quarter opened with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.currencies import scale
from compplan.engine.result import Evaluation
from compplan.engine.trace import Step
from compplan.schema import Draw

COLUMNS = ["payee_id", "plan", "component", "month", "balance_cents", "forgiven_cents"]


def _minor(values: np.ndarray, unit: int) -> np.ndarray:
    """A trace's amounts (units of the plan's currency) back as its minor units."""
    return np.rint(np.asarray(values, dtype=np.float64) * unit).astype(np.int64)


def monthly_balances(result: Evaluation) -> pd.DataFrame:
    """Per seat, recoverable draw and month 1..12: the balance owed after the month and
    what was forgiven in it, in minor units of the plan's currency."""
    parts = []
    for plan_id, pr in result.by_plan.items():  # a few draws per plan, every seat at once
        for res in pr.components:
            comp = res.component
            if not (isinstance(comp, Draw) and comp.recoverable):
                continue
            unit = scale(pr.frame.plan.currency)
            t = {k: _minor(res.trace[k], unit)
                 for k in (Step.BALANCE, Step.TOP_UP, Step.RECOVERED, Step.FORGIVEN)}
            opened = (t[Step.BALANCE] - t[Step.TOP_UP] + t[Step.RECOVERED]
                      + t[Step.FORGIVEN])[:, :1]
            per = 1 if comp.period == "month" else 3
            done = np.arange(1, 13) // per  # draw periods ended by each month's end
            balance = np.concatenate([opened, t[Step.BALANCE]], axis=1)[:, done]
            settles = np.arange(1, 13) % per == 0
            forgiven = np.where(settles, t[Step.FORGIVEN][:, np.maximum(done - 1, 0)], 0)
            n = pr.frame.size
            parts.append(pd.DataFrame({
                "payee_id": np.repeat(pr.frame.seats["payee_id"].astype(str).to_numpy(), 12),
                "plan": plan_id, "component": comp.id, "month": np.tile(np.arange(1, 13), n),
                "balance_cents": balance.ravel(), "forgiven_cents": forgiven.ravel()}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in COLUMNS[:3] else np.int64)
                             for c in COLUMNS})
    return pd.concat(parts, ignore_index=True)
