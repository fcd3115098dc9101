"""Per-plan summary of a run: payees, pay, bookings, cost of sales, attainment spread.

Bookings are the credited value of the plan's sales measure
(:meth:`compplan.schema.Plan.sales_measure`: its ``cost_of_sales`` measure, else its
first measure summing ``amount`` credited to ``owner_id``; split and clawbacks
included); cost of sales is variable pay / bookings, n/a for a plan with no sales
measure. A plan's "primary" measure for attainment is the first one with a quota.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.attainment import BUCKETS, bucket_counts, primary_year_attainment
from compplan.engine import Result

SUMMARY_COLUMNS = ["plan", "payees", "total_pay", "variable_pay", "bookings", "cost_of_sales",
                   "share_at_quota", *BUCKETS]


def summarize(result: Result) -> pd.DataFrame:
    """One row per plan, and a total row; attainment shares are of payees with a quota."""
    lines = result.lines
    rows = []
    for plan_id, pr in sorted(result.by_plan.items()):
        mine = lines[lines["plan"] == plan_id]
        total = mine["cents"].sum() / 100
        variable = mine[mine["kind"] != "salary"]["cents"].sum() / 100
        sales = pr.frame.plan.sales_measure()
        bookings = (float(pr.frame.values[sales].sum()) if sales is not None
                    else float("nan"))
        attained = primary_year_attainment(result, plan_id)["attainment"]
        counts = bucket_counts(attained)
        counted = sum(counts)
        shares = [n / counted if counted else float("nan") for n in counts]
        rows.append({
            "plan": plan_id, "payees": pr.frame.seats["payee_id"].nunique(),
            "total_pay": total, "variable_pay": variable, "bookings": bookings,
            "cost_of_sales": variable / bookings if bookings > 0 else float("nan"),
            "share_at_quota": (float(np.mean(attained.dropna() >= 1.0)) if counted
                               else float("nan")),
            **dict(zip(BUCKETS, shares, strict=True)),
        })
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    if len(frame):
        tot_var, tot_book = frame["variable_pay"].sum(), frame["bookings"].sum(min_count=1)
        frame.loc[len(frame)] = {
            "plan": "total", "payees": result.seats["payee_id"].nunique(),
            "total_pay": frame["total_pay"].sum(), "variable_pay": tot_var,
            "bookings": tot_book,
            "cost_of_sales": tot_var / tot_book if tot_book > 0 else float("nan"),
            "share_at_quota": float("nan"), **dict.fromkeys(BUCKETS, float("nan")),
        }
    return frame


def pay_by_month(result: Result) -> pd.DataFrame:
    """Company totals by month: salary, variable and total pay."""
    lines = result.lines
    months = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    salary = lines[lines["kind"] == "salary"].groupby("period")["cents"].sum()
    variable = lines[lines["kind"] != "salary"].groupby("period")["cents"].sum()
    out = pd.DataFrame({"period": months,
                        "salary": salary.reindex(months, fill_value=0).to_numpy() / 100,
                        "variable_pay": variable.reindex(months, fill_value=0).to_numpy() / 100})
    out["total_pay"] = out["salary"] + out["variable_pay"]
    return out
