"""Measure values per seat and month: one ``bincount`` per measure.

A plan's seats are numbered 0..n-1 locally so every measure is a dense
``(seats, 12)`` array; quarters and years are folds of the months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.periods import Calendar, proration
from compplan.schema import Plan, expressions

Floats = npt.NDArray[np.float64]


@dataclass
class PlanFrame:
    """Everything a plan's components read: its seats, credits and measure arrays."""

    plan: Plan
    calendar: Calendar
    seats: pd.DataFrame
    credits: pd.DataFrame
    prorate: dict[str, Floats] = field(default_factory=dict)
    values: dict[str, Floats] = field(default_factory=dict)
    quota_values: dict[str, Floats] = field(default_factory=dict)
    counts: dict[str, Floats] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.seats)


def monthly_sum(local: npt.NDArray[np.int64], month: npt.NDArray[np.int64], weights: Floats,
                seats: int) -> Floats:
    """Sum weights into a (seats, 12) array by seat and month."""
    flat = np.bincount(local * 12 + month, weights=weights, minlength=seats * 12)
    return np.asarray(flat.reshape(seats, 12), dtype=np.float64)


def _rows_of(column: pd.Series, label: str) -> slice | npt.NDArray[np.int64]:
    """Positions of a label's rows; a slice (no copy) when they are contiguous.

    Credits are built plan by plan and measure by measure, so they always are.
    """
    rows = np.flatnonzero((column == label).to_numpy())
    if len(rows) == 0 or rows[-1] - rows[0] + 1 == len(rows):
        return slice(int(rows[0]), int(rows[-1]) + 1) if len(rows) else slice(0, 0)
    return rows


def plan_frame(plan: Plan, seats: pd.DataFrame, credits: pd.DataFrame,
               calendar: Calendar) -> PlanFrame:
    """Cut the seats and credits of one plan and compute its measure arrays."""
    plan_seats = seats[(seats["plan"] == plan.plan).to_numpy()].reset_index(names="seat")
    plan_credits = credits.iloc[_rows_of(credits["plan"], plan.plan)]
    local = pd.Index(plan_seats["seat"]).get_indexer(plan_credits["seat"].to_numpy())
    plan_credits = plan_credits.assign(local=local).reset_index(drop=True)
    starts = plan_seats["start"].to_numpy(dtype="datetime64[D]")
    ends = plan_seats["end"].to_numpy(dtype="datetime64[D]")
    pf = PlanFrame(plan, calendar, plan_seats, plan_credits)
    for kind in ("month", "quarter", "year"):
        pf.prorate[kind] = proration(starts, ends, calendar, kind)
    n = len(plan_seats)
    local_all = plan_credits["local"].to_numpy(dtype=np.int64)
    month_all = plan_credits["month"].to_numpy(dtype=np.int64)
    value_all = plan_credits["credit_value"].to_numpy(dtype=np.float64)
    for name, measure in plan.measures.items():
        if measure.derived:
            continue
        rows = _rows_of(plan_credits["measure"], name)
        local, month, value = local_all[rows], month_all[rows], value_all[rows]
        pf.values[name] = monthly_sum(local, month, value, n)
        pf.counts[name] = monthly_sum(local, month, np.ones(len(value)), n)
        if measure.clawback is not None and not measure.clawback.reduces_quota_credit:
            keep = (plan_credits["credit_kind"].iloc[rows] != "clawback").to_numpy()
            pf.quota_values[name] = monthly_sum(local[keep], month[keep], value[keep], n)
        else:
            pf.quota_values[name] = pf.values[name]
    for name, measure in plan.measures.items():
        if measure.derived:  # month by month, for reports; components fold the parts first
            pf.values[name] = derive(plan, name, lambda leaf: pf.values[leaf])
            pf.quota_values[name] = derive(plan, name, lambda leaf: pf.quota_values[leaf])
            pf.counts[name] = np.zeros((n, 12))
    return pf


def derive(plan: Plan, name: str, leaf: Callable[[str], Floats]) -> Floats:
    """A derived measure's values from its parts' (``leaf``), derived ones in turn
    (checks refuse cycles)."""
    m = plan.measures[name]
    assert m.period is not None

    def value(part: str) -> Floats:
        return derive(plan, part, leaf) if plan.measures[part].derived else leaf(part)

    got = expressions.evaluate(expressions.parse(m.period), value).values
    shape = np.broadcast_shapes(*(np.shape(leaf(p)) for p in _leaves(plan, name)))
    return np.asarray(np.broadcast_to(got, shape), dtype=np.float64)


def _leaves(plan: Plan, name: str) -> list[str]:
    """The measures with credits a derived measure is built from."""
    m = plan.measures[name]
    assert m.period is not None
    out: list[str] = []
    for part in expressions.names(expressions.parse(m.period)):
        out.extend(_leaves(plan, part) if plan.measures[part].derived else [part])
    return out
