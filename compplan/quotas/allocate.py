"""From solved annual quotas to exact, rounded annual and monthly quotas.

Annual quotas are rounded to ``round_to`` by the largest-remainder method so they add
up to the target exactly (manager overrides are kept as given). Each annual quota is
split into months by its seasonal shares times its ramp fractions, again by largest
remainder in units of ``month_round_to``, so months add up to the annual quota.
Without ``ramp_redistribute``, a ramping rep's annual quota loses what the ramp takes
away (the shortfall is reported); with it, the annual quota is spread over the
remaining capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.money import largest_remainder, largest_remainder_rows

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Allocation:
    """Rounded quotas: annual (before ramp), months, and each rep's ramp shortfall."""

    annual: Floats
    months: Floats
    shortfall: Floats
    ramp: Floats


def round_annual(values: Floats, fixed: Floats, total: float, unit: float) -> Floats:
    """Round free quotas to multiples of ``unit`` so that all add up to ``total``."""
    free = np.isnan(fixed)
    out = np.where(free, 0.0, fixed)
    if free.any():
        rest = total - out.sum()
        units = round(rest / unit)
        weights = np.clip(values[free], 0, None)
        if weights.sum() > 0:
            out[free] = largest_remainder(units, weights) * unit
    return out


def ramp_fractions(start: pd.Series, year: int, ramp: list[float]) -> Floats:
    """Quota fraction of each month for each territory: 0 before the hire, then the ramp.

    >>> s = pd.Series(pd.to_datetime(["2026-03-10", None, "2025-12-01"]))
    >>> ramp_fractions(s, 2026, [0.25, 0.5]).tolist()[0][:5]
    [0.0, 0.0, 0.25, 0.5, 1.0]
    >>> ramp_fractions(s, 2026, [0.25, 0.5]).tolist()[2][:2]
    [0.5, 1.0]
    """
    months = np.arange(12)
    hire = start.dt.year.to_numpy(dtype=np.float64) * 12 + start.dt.month.to_numpy(
        dtype=np.float64) - 1
    since = (year * 12 + months)[None, :] - hire[:, None]
    steps = np.asarray([*ramp, 1.0], dtype=np.float64)
    idx = np.clip(np.nan_to_num(since, nan=len(ramp)), 0, len(ramp)).astype(np.int64)
    frac = np.where(since < 0, 0.0, steps[idx])
    return np.asarray(np.where(np.isnan(hire)[:, None], 1.0, frac), dtype=np.float64)


def allocate(solved: Floats, fixed: Floats, total: float, shares: Floats, ramp: Floats,
             round_to: float, month_round_to: float, redistribute: bool) -> Allocation:
    """Rounded annual quotas, their months, and the ramp shortfalls."""
    annual = round_annual(solved, fixed, total, round_to)
    weights = shares * ramp
    kept = weights.sum(axis=1)
    month_total = annual if redistribute else annual * kept
    units = np.round(month_total / month_round_to).astype(np.int64)
    months = largest_remainder_rows(units, weights).astype(np.float64) * month_round_to
    shortfall = annual - months.sum(axis=1)
    return Allocation(annual, months, shortfall, ramp)
