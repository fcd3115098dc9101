"""Caps over the sum of several components: a "maximum total incentive".

``caps: [{components: [commission, quarterly_bonus], amount: 60000, per: year}]`` (or
``target_multiple: 2``) bounds what the listed components pay together in the year.
It is applied to their pay lines after every component is computed: the running total
through the year is held at the cap, and the month that crosses it is cut, the excess
taken from the listed components last first (so a ``ytd`` component loses it from
that month's true-up). When later pay falls back under the cap (a clawback), what was
cut is paid back, first listed component first. Each cut is kept per component and
month, for ``explain``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from compplan.core.currencies import decimals as currency_decimals
from compplan.core.money import Cents, to_minor
from compplan.schema import Plan, TotalCap

Floats = npt.NDArray[np.float64]


def cap_cents(cap: TotalCap, annual_target: Floats, decimals: int = 2) -> Cents:
    """Each seat's cap in minor units of the plan's currency: the amount, or a multiple
    of its (prorated) target."""
    if cap.amount is not None:
        return np.full(len(annual_target), to_minor(cap.amount, decimals), dtype=np.int64)
    assert cap.target_multiple is not None
    return to_minor(cap.target_multiple * annual_target, decimals)


def apply_caps(plan: Plan, cents: dict[int, Cents], targets: dict[str, Floats]
               ) -> dict[int, Cents]:
    """Hold each total cap on the listed components' pay, in place in ``cents`` (by
    component position, (seats, 12) each; ``targets`` is each seat's annual target by
    roster column). Returns what each cap cut from each component (negative cents).

    Month by month (twelve steps, every seat at once): a month that takes the running
    total past the cap is cut, last listed component first; a month in which the total
    falls back (a clawback) pays back what was cut, first listed component first, up to
    what each had lost.
    """
    position = {c.id: i for i, c in enumerate(plan.components)}
    before = {i: c.copy() for i, c in cents.items()}
    for cap in plan.caps:
        listed = [position[cid] for cid in cap.components]
        total = sum((cents[i] for i in listed), np.zeros_like(cents[listed[0]]))
        limit = cap_cents(cap, targets[cap.target_column],
                          currency_decimals(plan.currency))[:, None]
        over = np.maximum(np.cumsum(total, axis=1) - limit, 0)
        change = np.diff(over, axis=1, prepend=0)  # > 0: cut this month; < 0: pay back
        lost = {i: np.zeros(len(limit), dtype=np.int64) for i in listed}
        for month in range(12):
            cut, back = np.maximum(change[:, month], 0), np.maximum(-change[:, month], 0)
            for i in reversed(listed):
                take = np.minimum(cut, np.maximum(cents[i][:, month], 0))
                cents[i][:, month] -= take
                lost[i] += take
                cut = cut - take
            for i in listed:
                give = np.minimum(back, lost[i])
                cents[i][:, month] += give
                lost[i] -= give
                back = back - give
    return {i: cents[i] - before[i] for i in cents if (cents[i] != before[i]).any()}
