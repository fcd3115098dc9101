"""ABC and XYZ analysis of accounts from won deals.

- ABC: accounts sorted by revenue, largest first; A are the accounts that make the
  first ``a`` share of revenue (80 % by default; the account that crosses the line is
  A), B the next ones up to ``b`` (95 %), C the rest, and every account with no positive
  revenue.
- XYZ: the coefficient of variation (standard deviation / mean) of an account's
  monthly revenue over the months the history spans: X up to ``x`` (0.5), Y up to ``y``
  (1.0), Z above, or with no positive mean.

Revenue counts each deal once (split rows repeat the deal's amount).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.money import to_cents

SEGMENT_COLUMNS = ["account_id", "kam_id", "class", "xyz", "revenue", "share",
                   "cumulative_share", "cv"]


def _won(deals: pd.DataFrame) -> pd.DataFrame:
    rows = deals
    if "stage" in rows:
        rows = rows[(rows["stage"] == "Closed Won").to_numpy()]
    rows = rows[(rows["account_id"] != "").to_numpy() & rows["close_date"].notna().to_numpy()]
    if "deal_id" in rows:
        rows = rows.drop_duplicates("deal_id")
    return rows


def segment(deals: pd.DataFrame, owners: pd.DataFrame | None = None, a: float = 0.8,
            b: float = 0.95, x: float = 0.5, y: float = 1.0) -> pd.DataFrame:
    """One row per account with its ABC class and XYZ class, largest revenue first."""
    won = _won(deals)
    month = won["close_date"].dt.to_period("M")
    wide = won.assign(month=month).groupby(["account_id", "month"])["amount"].sum().unstack()
    if wide.shape[1]:
        span = pd.period_range(wide.columns.min(), wide.columns.max(), freq="M")
        wide = wide.reindex(columns=span)
    values = wide.fillna(0.0).to_numpy(dtype=np.float64)
    revenue = values.sum(axis=1)
    order = np.argsort(-revenue, kind="stable")
    revenue, values = revenue[order], values[order]
    accounts = wide.index.to_numpy()[order]
    positive = np.clip(revenue, 0, None)
    total = positive.sum()
    share = positive / total if total > 0 else np.zeros(len(revenue))
    cumulative = np.cumsum(share)
    before = cumulative - share
    abc = np.where(revenue <= 0, "C", np.where(before < a, "A", np.where(before < b, "B", "C")))
    mean = values.mean(axis=1) if values.shape[1] else np.zeros(len(revenue))
    sd = values.std(axis=1, ddof=0) if values.shape[1] else np.zeros(len(revenue))
    cv = np.where(mean > 0, sd / np.where(mean > 0, mean, 1.0), np.inf)
    xyz = np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z"))
    kam = pd.Series("", index=accounts, dtype=object)
    if owners is not None and "kam_id" in owners:
        known = owners.drop_duplicates("account_id").set_index("account_id")["kam_id"]
        kam = known.reindex(accounts).fillna("")
    return pd.DataFrame({"account_id": accounts, "kam_id": kam.to_numpy(), "class": abc,
                         "xyz": xyz, "revenue": to_cents(revenue) / 100,
                         "share": np.round(share, 6), "cumulative_share": np.round(cumulative, 6),
                         "cv": np.round(np.where(np.isinf(cv), np.nan, cv), 4)})
