"""Seasonal shares of the annual quota: flat, explicit, or estimated from history.

``auto`` estimates, for each territory, twelve monthly shares from its deal history
(won amounts by close month):

- with 24 months of history or more, by the ratio-to-moving-average method: each
  month's revenue divided by the centred 2x12 moving average around it, averaged per
  calendar month, normalised so the twelve indices average 1;
- with less, each calendar month's share of the history's revenue, shrunk towards
  flat (1/12) in proportion to how short the history is: weight ``months / 24``;
- a territory with fewer than 12 months of its own revenue uses the profile pooled
  over all territories (computed the same way from their summed revenue).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

Floats = npt.NDArray[np.float64]
FLAT = np.full(12, 1 / 12)
THIN_MONTHS = 12


def profile(monthly: pd.Series) -> Floats:
    """Twelve shares from a monthly revenue series (PeriodIndex, any length).

    >>> s = pd.Series([2.0, 1.0] * 6, index=pd.period_range("2025-01", periods=12, freq="M"))
    >>> profile(s).round(4).tolist()[:2]
    [0.0972, 0.0694]
    """
    if len(monthly):
        span = pd.period_range(monthly.index.min(), monthly.index.max(), freq="M")
        full = monthly.reindex(span, fill_value=0.0).astype(np.float64)
    else:
        full = monthly
    n = len(full)
    if n == 0 or full.sum() <= 0:
        return FLAT.copy()
    months = pd.PeriodIndex(full.index).month.to_numpy() - 1
    if n >= 24:
        cma = full.rolling(12, center=False).mean().rolling(2).mean().shift(-6)
        ratio = (full / cma).to_numpy()
        ok = np.isfinite(ratio) & (cma.to_numpy() > 0)
        index = np.array([ratio[ok & (months == m)].mean() if (ok & (months == m)).any()
                          else 1.0 for m in range(12)])
        index = np.clip(index, 0, None)
        return index / index.sum() if index.sum() > 0 else FLAT.copy()
    by_month = np.bincount(months, weights=np.clip(full.to_numpy(), 0, None), minlength=12)
    shares = by_month / by_month.sum() if by_month.sum() > 0 else FLAT
    weight = min(n / 24, 1.0)
    return np.asarray(weight * shares + (1 - weight) * FLAT, dtype=np.float64)


def monthly_history(history: pd.DataFrame) -> pd.DataFrame:
    """Won revenue by territory and calendar month: rows territory, PeriodIndex months."""
    won = history
    if "stage" in won:
        won = won[(won["stage"] == "Closed Won").to_numpy()]
    won = won[won["close_date"].notna().to_numpy()]
    month = won["close_date"].dt.to_period("M")
    sums = won.assign(month=month).groupby(["territory_id", "month"])["amount"].sum()
    wide: pd.DataFrame = sums.unstack().fillna(0.0)
    return wide


def shares(setting: str | list[float], territories: pd.Series,
           history: pd.DataFrame | None) -> tuple[Floats, npt.NDArray[np.str_]]:
    """Shares per territory (rows sum to 1) and where each row came from."""
    n = len(territories)
    if isinstance(setting, list):
        return np.tile(np.asarray(setting, dtype=np.float64), (n, 1)), np.full(n, "explicit")
    if setting == "flat" or history is None or history.empty:
        return np.tile(FLAT, (n, 1)), np.full(n, "flat")
    wide = monthly_history(history)
    pooled = profile(wide.sum(axis=0)) if len(wide) else FLAT
    out = np.tile(pooled, (n, 1))
    source = np.full(n, "pooled", dtype=object)
    for i, territory in enumerate(territories.tolist()):  # one profile per territory's series
        if territory in wide.index and (wide.loc[territory] > 0).sum() >= THIN_MONTHS:
            out[i] = profile(wide.loc[territory])
            source[i] = "own history"
    return out, source.astype(str)
