"""Quotas per seat and period, from the roster, a quotas file, or a constant.

From an annual amount (roster column or constant) a period's quota is
``annual x seasonal share of the period x proration of the period`` (the share of a
year is 1; without seasonality months and quarters share evenly). Year-to-date
attainment is measured against ``annual x year proration``. An averaged measure
(``aggregate: mean``, a score such as NPS) has a level as its quota, taken whole.
Quotas from a file are taken per period as given; a quarter or year missing from the
file is the sum of its months when all of them are there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.exceptions import exception_frame
from compplan.inputs import Inputs
from compplan.measures import Floats, PlanFrame
from compplan.periods import fold


def _is_level(pf: PlanFrame, measure: str) -> bool:
    """An averaged measure (a score) has a level as quota: never cut into periods."""
    return pf.plan.measures[measure].aggregate == "mean"


def _shares(pf: PlanFrame, measure: str, period: str) -> Floats:
    spec = pf.plan.quotas[measure]
    if _is_level(pf, measure):
        return np.ones(len(_labels(pf, period)))
    monthly = np.array(spec.seasonality.monthly() if spec.seasonality else [1 / 12] * 12,
                       dtype=np.float64)
    if period in ("year", "ytd"):
        return np.ones(1)
    return np.asarray(fold(monthly[None, :], period)[0], dtype=np.float64)


def _annual(pf: PlanFrame, measure: str) -> Floats:
    spec = pf.plan.quotas[measure]
    if spec.source == "constant":
        assert spec.amount is not None
        return np.full(pf.size, spec.amount)
    if spec.column not in pf.seats:
        return np.full(pf.size, np.nan)
    return pf.seats[spec.column].to_numpy(dtype=np.float64)


def _labels(pf: PlanFrame, period: str) -> list[str]:
    cal = pf.calendar
    if period == "month":
        return cal.month_labels()
    if period == "quarter":
        return cal.quarter_labels()
    return [str(cal.year)]


def _file_quotas(pf: PlanFrame, measure: str, period: str, inputs: Inputs) -> Floats:
    table = inputs.quotas
    n = pf.size
    if table is None:
        return np.full((n, len(_labels(pf, period))), np.nan)
    q = table.frame[table.frame["measure"] == measure]
    wide = q.pivot_table(index="payee_id", columns="period", values="quota", aggfunc="sum")
    payees = pf.seats["payee_id"].to_numpy()
    months = wide.reindex(index=payees, columns=_labels(pf, "month")).to_numpy(dtype=np.float64)
    direct = wide.reindex(index=payees, columns=_labels(pf, period)).to_numpy(dtype=np.float64)
    if period == "month":
        return direct
    summed = fold(np.nan_to_num(months, nan=0.0), period)
    complete = ~np.isnan(fold(months, period))
    return np.where(np.isnan(direct) & complete, summed, direct)


def quota_array(pf: PlanFrame, measure: str, period: str, inputs: Inputs,
                excs: list[pd.DataFrame]) -> Floats:
    """Quota of each seat for each period of a kind (``ytd`` gives one column).

    Periods a seat is active in but has no positive quota for are reported as
    exceptions; they pay nothing on attainment.
    """
    spec = pf.plan.quotas[measure]
    basis = "year" if period == "ytd" else period
    if spec.source == "file":
        quota = _file_quotas(pf, measure, basis, inputs)
    else:
        quota = _annual(pf, measure)[:, None] * _shares(pf, measure, basis)[None, :]
    if spec.prorate and not _is_level(pf, measure):
        quota = quota * pf.prorate[basis]
    active = pf.prorate[basis] > 0
    bad = active & ~(quota > 0)
    seat_idx, period_idx = np.nonzero(bad)
    if len(seat_idx):
        labels = np.array(_labels(pf, basis))
        raw = quota[seat_idx, period_idx]
        reasons = np.where(np.isnan(raw), f"no quota for {measure}: pays nothing on it",
                           f"quota for {measure} is zero or negative: pays nothing on it")
        excs.append(exception_frame(
            len(seat_idx), file=inputs.quotas.file if inputs.quotas and spec.source == "file"
            else inputs.roster.file, payee_id=pf.seats["payee_id"].to_numpy()[seat_idx],
            plan=pf.plan.plan, measure=measure, period=labels[period_idx], reason=reasons))
    return quota
