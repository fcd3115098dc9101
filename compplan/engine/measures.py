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
from compplan.engine.credit_parts import CreditParts, PlanCredits
from compplan.schema import Plan, expressions

Floats = npt.NDArray[np.float64]


@dataclass
class PlanFrame:
    """Everything a plan's components read: its seats, credits and measure arrays."""

    plan: Plan
    calendar: Calendar
    seats: pd.DataFrame
    credits: PlanCredits
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


def plan_frame(plan: Plan, seats: pd.DataFrame, credits: CreditParts,
               calendar: Calendar) -> PlanFrame:
    """Cut the seats and credits of one plan and compute its measure arrays, straight
    from each measure's numbers (no labelled credit is made on the way)."""
    plan_seats = seats[(seats["plan"] == plan.plan).to_numpy()].reset_index(names="seat")
    seat_labels = plan_seats["seat"].to_numpy(dtype=np.int64)
    local_of = np.full(int(seat_labels.max(initial=-1)) + 1, -1, dtype=np.int64)
    local_of[seat_labels] = np.arange(len(seat_labels))
    pf = PlanFrame(plan, calendar, plan_seats, credits.of_plan(plan.plan, local_of))
    starts = plan_seats["start"].to_numpy(dtype="datetime64[D]")
    ends = plan_seats["end"].to_numpy(dtype="datetime64[D]")
    for kind in ("month", "quarter", "year"):
        pf.prorate[kind] = proration(starts, ends, calendar, kind)
    n = len(plan_seats)
    for name, measure in plan.measures.items():
        if measure.derived:
            continue
        part = pf.credits.numbers(name)
        if part is None:
            local, month, value = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                                   np.zeros(0))
            clawback = np.zeros(0, dtype=bool)
        else:
            local, month = pf.credits.local_of(part), part.columns["month"].astype(np.int64)
            value = part.columns["credit_value"].astype(np.float64, copy=False)
            clawback = part.columns["clawback"]
        pf.values[name] = monthly_sum(local, month, value, n)
        pf.counts[name] = monthly_sum(local, month, np.ones(len(value)), n)
        if measure.clawback is not None and not measure.clawback.reduces_quota_credit:
            keep = ~clawback
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
