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

from compplan.engine.result import Evaluation
from compplan.reports.attainment import BUCKETS, bucket_counts, primary_year_attainment

SUMMARY_COLUMNS = ["plan", "currency", "payees", "total_pay", "variable_pay", "bookings",
                   "cost_of_sales", "share_at_quota", *BUCKETS]


def summarize(result: Evaluation) -> pd.DataFrame:
    """One row per plan, in the plan's currency (its pay and its bookings, so cost of
    sales divides like by like), and a total row per currency; attainment shares are of
    payees with a quota."""
    lines = result.lines
    rows = []
    for plan_id, pr in sorted(result.by_plan.items()):
        mine = lines[lines["plan"] == plan_id]
        total = float(mine["plan_amount"].sum())
        variable = float(mine[mine["kind"] != "salary"]["plan_amount"].sum())
        sales = pr.frame.plan.sales_measure()
        bookings = (float(pr.frame.values[sales].sum()) if sales is not None
                    else float("nan"))
        attained = primary_year_attainment(result, plan_id)["attainment"]
        counts = bucket_counts(attained)
        counted = sum(counts)
        shares = [n / counted if counted else float("nan") for n in counts]
        rows.append({
            "plan": plan_id, "currency": pr.frame.plan.currency,
            "payees": pr.frame.seats["payee_id"].nunique(),
            "total_pay": total, "variable_pay": variable, "bookings": bookings,
            "cost_of_sales": variable / bookings if bookings > 0 else float("nan"),
            "share_at_quota": (float(np.mean(attained.dropna() >= 1.0)) if counted
                               else float("nan")),
            **dict(zip(BUCKETS, shares, strict=True)),
        })
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    plans = frame.copy()
    for code in pd.unique(plans["currency"]):  # amounts of two currencies never add up
        same = plans[plans["currency"] == code]
        ids = set(same["plan"])
        tot_var, tot_book = same["variable_pay"].sum(), same["bookings"].sum(min_count=1)
        seats = result.seats[result.seats["plan"].isin(ids)]
        frame.loc[len(frame)] = {
            "plan": "total", "currency": code, "payees": seats["payee_id"].nunique(),
            "total_pay": same["total_pay"].sum(), "variable_pay": tot_var,
            "bookings": tot_book,
            "cost_of_sales": tot_var / tot_book if tot_book > 0 else float("nan"),
            "share_at_quota": float("nan"), **dict.fromkeys(BUCKETS, float("nan")),
        }
    return frame


def pay_by_month(result: Evaluation) -> pd.DataFrame:
    """Company totals by month and pay currency: salary, variable and total pay."""
    lines = result.lines
    months = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    parts = []
    codes = pd.unique(lines["currency"]) if len(lines) else [result.default_currency]
    for code in codes:  # a handful of currencies
        mine = lines[lines["currency"] == code]
        salary = mine[mine["kind"] == "salary"].groupby("period")["amount"].sum()
        variable = mine[mine["kind"] != "salary"].groupby("period")["amount"].sum()
        part = pd.DataFrame({"period": months, "currency": code,
                             "salary": salary.reindex(months, fill_value=0).to_numpy(),
                             "variable_pay": variable.reindex(months, fill_value=0).to_numpy()})
        part["total_pay"] = part["salary"] + part["variable_pay"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
