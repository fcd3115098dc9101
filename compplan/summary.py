"""Per-plan summary of a run: payees, pay, bookings, cost of sales, share at quota.

Bookings here are the owner-credited ``Closed Won`` value (amount x split) that the
plan's own measures credited; cost of sales is variable pay / bookings. A plan's
"primary" measure for attainment is the first one with a quota.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.components import Context
from compplan.engine import Result
from compplan.inputs import Inputs
from compplan.schema import CreditToColumn, Plan

SUMMARY_COLUMNS = ["plan", "payees", "total_pay", "variable_pay", "bookings", "cost_of_sales",
                   "share_at_quota"]


def _booking_measures(plan: Plan) -> list[str]:
    return [name for name, m in plan.measures.items()
            if m.value == "amount" and isinstance(m.credit_to, CreditToColumn)
            and m.credit_to.column == "owner_id"][:1]


def _share_at_quota(result: Result, plan_id: str, inputs: Inputs) -> float:
    pr = result.by_plan[plan_id]
    plan = pr.frame.plan
    if not plan.quotas:
        return float("nan")
    measure = next(iter(plan.quotas))
    ctx = Context(pr.frame, inputs)
    _, quota, attainment = ctx.attainment(measure, "year")
    counted = quota[:, 0] > 0
    if not counted.any():
        return float("nan")
    return float(np.mean(np.nan_to_num(attainment[counted, 0]) >= 1.0))


def summarize(result: Result, inputs: Inputs) -> pd.DataFrame:
    """One row per plan, and a total row."""
    lines = result.lines
    rows = []
    for plan_id, pr in sorted(result.by_plan.items()):
        mine = lines[lines["plan"] == plan_id]
        total = mine["cents"].sum() / 100
        variable = mine[mine["kind"] != "salary"]["cents"].sum() / 100
        c = pr.frame.credits
        bookings = float(c[c["measure"].isin(_booking_measures(pr.frame.plan))]
                         ["credit_value"].sum())
        rows.append({
            "plan": plan_id, "payees": pr.frame.seats["payee_id"].nunique(),
            "total_pay": total, "variable_pay": variable, "bookings": bookings,
            "cost_of_sales": variable / bookings if bookings > 0 else float("nan"),
            "share_at_quota": _share_at_quota(result, plan_id, inputs),
        })
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    if len(frame):
        tot_var, tot_book = frame["variable_pay"].sum(), frame["bookings"].sum()
        frame.loc[len(frame)] = {
            "plan": "total", "payees": result.seats["payee_id"].nunique(),
            "total_pay": frame["total_pay"].sum(), "variable_pay": tot_var,
            "bookings": tot_book,
            "cost_of_sales": tot_var / tot_book if tot_book > 0 else float("nan"),
            "share_at_quota": float("nan"),
        }
    return frame
