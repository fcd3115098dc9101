"""Quotas per seat and period, from the roster, a quotas file, or a constant.

From an annual amount (roster column or constant) a period's quota is
``annual x seasonal share of the period x proration of the period`` (the share of a
year is 1; without seasonality months and quarters share evenly). Year-to-date
attainment is measured against ``annual x year proration`` or, with ``year_quota:
sum_of_quarters``, the sum of the prorated quarter quotas. Proration is by active days,
or by whole active months (``prorate: months``). An averaged measure
(``aggregate: mean``, a score such as NPS) and a measure derived as a ratio
(``period: margin / bookings``) have a level as their quota, taken whole.
Quotas from a file are taken per period as given; a quarter or year missing from the
file is the sum of its months when all of them are there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.labels import among
from compplan.core.periods import PERIODS_IN_YEAR, Calendar, fold
from compplan.engine.exception_rows import exception_frame
from compplan.engine.measures import Floats, PlanFrame
from compplan.inputs.bundle import Inputs
from compplan.schema import Plan


def _is_level(pf: PlanFrame, measure: str) -> bool:
    """An averaged measure (a score) has a level as quota: never cut into periods."""
    return pf.plan.measures[measure].is_level


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
    return pf.calendar.labels(period)


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


def _proration(pf: PlanFrame, measure: str, period: str) -> Floats:
    """The part of each period a seat's quota covers: active days / days, or whole
    active months / months (``prorate: months``), or all of it."""
    how = pf.plan.quotas[measure].proration()
    if how is None or _is_level(pf, measure):
        return np.ones_like(pf.prorate[period])
    if how == "days":
        return pf.prorate[period]
    full = (pf.prorate["month"] >= 1.0).astype(np.float64)  # active every day of the month
    months = 12 // PERIODS_IN_YEAR[period]
    return np.asarray(fold(full, period) / months, dtype=np.float64)


def _sum_of_quarters(pf: PlanFrame, measure: str, ytd: bool) -> Floats:
    """The year quota as the sum of prorated quarter quotas; year to date, each quarter
    counted as far as its prorated months reached (so quarter ends add up exactly)."""
    annual = _annual(pf, measure)[:, None]
    quarters = annual * _shares(pf, measure, "quarter")[None, :] * _proration(pf, measure,
                                                                             "quarter")
    if not ytd:
        return np.asarray(quarters.sum(axis=1, keepdims=True), dtype=np.float64)
    months = _shares(pf, measure, "month")[None, :] * _proration(pf, measure, "month")
    within = np.cumsum(months.reshape(-1, 4, 3), axis=2)
    whole = within[:, :, 2:]
    reached = np.where(whole > 0, within / np.where(whole > 0, whole, 1.0), 0.0)
    before = np.cumsum(quarters, axis=1) - quarters
    return np.asarray((before[:, :, None] + quarters[:, :, None] * reached).reshape(-1, 12),
                      dtype=np.float64)


def quota_array(pf: PlanFrame, measure: str, period: str,
                inputs: Inputs) -> tuple[Floats, pd.DataFrame | None]:
    """Quota of each seat for each period of a kind (``ytd`` gives one column, or twelve
    with ``year_quota: sum_of_quarters``), and the exception rows of the periods a seat
    is active in but has no positive quota for (they pay nothing on attainment).
    """
    spec = pf.plan.quotas[measure]
    basis = "year" if period == "ytd" else period
    if spec.source == "file":
        quota = _file_quotas(pf, measure, basis, inputs)
    elif basis == "year" and spec.year_quota == "sum_of_quarters" and not _is_level(pf,
                                                                                     measure):
        quota = _sum_of_quarters(pf, measure, ytd=False)
    else:
        quota = _annual(pf, measure)[:, None] * _shares(pf, measure, basis)[None, :]
        quota = quota * _proration(pf, measure, basis)
    missing = _missing(pf, measure, basis, quota, inputs)
    if period == "ytd" and spec.source != "file" and spec.year_quota == "sum_of_quarters":
        return _sum_of_quarters(pf, measure, ytd=True), missing
    return quota, missing


def _missing(pf: PlanFrame, measure: str, basis: str, quota: Floats,
             inputs: Inputs) -> pd.DataFrame | None:
    spec = pf.plan.quotas[measure]
    active = pf.prorate[basis] > 0
    bad = active & ~(quota > 0)
    seat_idx, period_idx = np.nonzero(bad)
    if not len(seat_idx):
        return None
    labels = np.array(_labels(pf, basis))
    raw = quota[seat_idx, period_idx]
    reasons = np.where(np.isnan(raw), f"no quota for {measure}: pays nothing on it",
                       f"quota for {measure} is zero or negative: pays nothing on it")
    return exception_frame(
        len(seat_idx), file=inputs.quotas.file if inputs.quotas and spec.source == "file"
        else inputs.roster.file, payee_id=pf.seats["payee_id"].to_numpy()[seat_idx],
        plan=pf.plan.plan, measure=measure, period=labels[period_idx], reason=reasons)


def unused_quota_rows(inputs: Inputs, plans: dict[str, Plan], seats: pd.DataFrame,
                      calendar: Calendar) -> pd.DataFrame:
    """Rows of the quotas file no plan reads, each with the reason (nothing is dropped
    silently): the payee is not in the roster, none of the payee's plans takes that
    measure's quota from the file, or the period is not one of the plan year's."""
    table = inputs.quotas
    if table is None or not len(table.frame):
        return exception_frame(0)
    frame = table.frame
    takes = pd.DataFrame(
        [(plan_id, measure) for plan_id, plan in plans.items()
         for measure, spec in plan.quotas.items() if spec.source == "file"],
        columns=["plan", "measure"])
    wanted = seats[["payee_id", "plan"]].merge(takes, on="plan")[["payee_id", "measure"]]
    pair = pd.MultiIndex.from_frame(frame[["payee_id", "measure"]].astype(str))
    used_pair = pair.isin(pd.MultiIndex.from_frame(wanted.astype(str))) if len(wanted) else (
        np.zeros(len(frame), dtype=bool))
    labels = {*calendar.month_labels(), *calendar.quarter_labels(), str(calendar.year)}
    in_roster = among(frame["payee_id"], inputs.roster.frame["payee_id"])
    in_year = frame["period"].isin(labels).to_numpy()
    reason = np.select(
        [~in_roster, ~used_pair, ~in_year],
        ["payee not in roster: quota not used",
         "no plan of this payee takes this measure's quota from the quotas file: not used",
         f"period is not in plan year {calendar.year}: quota not used"], default="")
    bad = reason != ""
    sub = frame[bad]
    return exception_frame(len(sub), file=table.file, row=sub["_row"],
                           payee_id=sub["payee_id"], measure=sub["measure"],
                           period=sub["period"], value=sub["quota"], reason=reason[bad])
