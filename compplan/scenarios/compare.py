"""Compare scenario results: metrics per plan, deltas, winners and losers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.engine.result import Evaluation
from compplan.reports.attainment import primary_year_attainment
from compplan.reports.summary import summarize

METRIC_COLUMNS = ["scenario", "plan", "payees", "total_pay", "variable_pay", "bookings",
                  "cost_of_sales", "share_at_quota", "median_attainment", "p90_payout"]


def _variable_by_payee(result: Evaluation, plan: str | None) -> pd.Series:
    lines = result.lines[result.lines["kind"] != "salary"]
    if plan is not None:
        lines = lines[lines["plan"] == plan]
    payees = result.seats["payee_id"] if plan is None else result.seats.loc[
        result.seats["plan"] == plan, "payee_id"]
    pay = lines.groupby("payee_id")["amount"].sum()
    return pay.reindex(pd.Index(payees.unique()), fill_value=0.0)


def metrics(name: str, result: Evaluation) -> pd.DataFrame:
    """One row per plan and a ``total`` row: the columns of scenarios.csv."""
    summary = summarize(result)
    rows = []
    attained_all: list[pd.Series] = []
    for row in summary.to_dict("records"):
        plan = str(row["plan"])
        if plan == "total":
            attained = pd.concat(attained_all) if attained_all else pd.Series(dtype=float)
            pay = _variable_by_payee(result, None)
        else:
            attained = primary_year_attainment(result, plan)["attainment"].dropna()
            attained_all.append(attained)
            pay = _variable_by_payee(result, plan)
        rows.append({
            "scenario": name, "plan": plan, "payees": row["payees"],
            "total_pay": row["total_pay"], "variable_pay": row["variable_pay"],
            "bookings": row["bookings"], "cost_of_sales": row["cost_of_sales"],
            "share_at_quota": row["share_at_quota"] if plan != "total" else (
                float((attained >= 1.0).mean()) if len(attained) else float("nan")),
            "median_attainment": float(attained.median()) if len(attained) else float("nan"),
            "p90_payout": float(np.percentile(pay.to_numpy(), 90)) if len(pay) else 0.0,
        })
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def pay_by_payee(result: Evaluation) -> pd.Series:
    """Total pay per payee (salary included), in units of the payee's pay currency."""
    total: pd.Series = result.lines.groupby("payee_id")["amount"].sum()
    return total


def winners_and_losers(baseline: pd.Series, other: pd.Series, name: str,
                       top: int = 10) -> pd.DataFrame:
    """The payees who gain and lose most against the baseline."""
    payees = baseline.index.union(other.index)
    base = baseline.reindex(payees, fill_value=0.0)
    new = other.reindex(payees, fill_value=0.0)
    delta = (new - base).round(2)
    frame = pd.DataFrame({"scenario": name, "payee_id": payees.to_numpy(),
                          "baseline_pay": base.to_numpy(), "scenario_pay": new.to_numpy(),
                          "delta": delta.to_numpy()})
    frame = frame[frame["delta"] != 0].sort_values("delta", kind="stable")
    return pd.concat([frame.tail(top).iloc[::-1], frame.head(top)]).drop_duplicates(
        "payee_id").reset_index(drop=True)
