"""Clawbacks on commissions paid per month, quarter or year: reverse what was paid.

A commission on a period's total prices each period on its own. A clawback dated in a
later period than the credit it reverses would, left in that later period's value,
make it negative or smaller, and the schedule (0 below its first tier, a different
tier above it) would recover the wrong amount: usually nothing. So such a clawback is
taken out of its period's value and priced on its own, as the reversal of what its
deal earned where it was paid: that period's commission x the deal's share of that
period's value (``earned_p x reversed value / value_p``, the shares of one period
never above 1). The reversal is a negative amount in the cancellation period, and
each one is kept with its deal and the period it reverses (``explain`` prints them).

A cancellation inside the period the credit is in simply nets. ``ytd`` commissions
already net clawbacks through the year-to-date total; ``per_credit`` commissions
price the clawback as a credit of its own. A clawback of a credit dated before the
plan year is taken out too, and reported with the amount to recover, since what that
credit earned is not in the run. Gates, bonuses, curves and attainment reports still
see the measure with its clawbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.periods import PERIODS_IN_YEAR
from compplan.core.ranges import expand
from compplan.engine.exception_rows import exception_frame
from compplan.engine.measures import Floats, PlanFrame
from compplan.schema import Commission

Codes = npt.NDArray[np.int64]


def applies(pf: PlanFrame, comp: Commission) -> bool:
    """Whether a commission prices clawbacks of earlier periods on their own."""
    m = pf.plan.measures[comp.measure]
    return (comp.period in ("month", "quarter", "year") and comp.apply == "total"
            and m.clawback is not None and m.aggregate == "sum"
            and comp.clawbacks == "reverse")


def _period(month: Codes, period: str) -> Codes:
    return np.asarray(month // (12 // PERIODS_IN_YEAR[period]), dtype=np.int64)


@dataclass(frozen=True)
class CrossPeriod:
    """The clawbacks of one commission that reverse a credit of an earlier period."""

    local: Codes          # seat, in the plan frame
    reverses: Codes       # period of the credit reversed (-1: before the plan year)
    dated: Codes          # period of the clawback
    value: Floats         # the clawback's (negative) value
    paid_here: npt.NDArray[np.bool_]  # the credit it reverses was credited to this seat
    credits: pd.DataFrame | None  # the clawback credits, for memos (None: draws have none)
    original: npt.NDArray[np.datetime64]  # the date of the credit each one reverses

    def replicate(self, mult: Floats) -> CrossPeriod:
        """The same clawbacks for every row of ``mult`` (draws x seats): each draw's
        seats are numbered after the previous draw's, values scaled by their seat's
        multiplier (a reversal's share of its period does not change with the scale)."""
        draws, n = mult.shape
        offset = (np.arange(draws, dtype=np.int64) * n)[:, None]

        def tile(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.tile(values, draws)

        return CrossPeriod((offset + self.local[None, :]).reshape(-1), tile(self.reverses),
                           tile(self.dated), (mult[:, self.local] * self.value[None, :]
                                              ).reshape(-1),
                           tile(self.paid_here), None, tile(self.original))

    def take(self, seats: Codes, size: int) -> CrossPeriod:
        """The same clawbacks for seats copied from these (``seats``: the seat each copy
        copies; ``size``: the seats here), values unscaled."""
        order = np.argsort(self.local, kind="stable")
        counts = np.bincount(self.local, minlength=size)
        starts = np.cumsum(counts) - counts
        copy, rows = expand(starts[seats], counts[seats])
        at = order[rows]
        return CrossPeriod(copy, self.reverses[at], self.dated[at], self.value[at],
                           self.paid_here[at], None, self.original[at])

    def taken_out(self, size: int, period: str) -> Floats:
        """Per seat and period, the clawback value to take out of the period's value."""
        flat = np.bincount(self.local * PERIODS_IN_YEAR[period] + self.dated, weights=self.value,
                           minlength=size * PERIODS_IN_YEAR[period])
        return np.asarray(flat.reshape(size, PERIODS_IN_YEAR[period]), dtype=np.float64)


def cross_period(pf: PlanFrame, comp: Commission, source: pd.DataFrame) -> CrossPeriod:
    """The commission's clawbacks dated in a later period than the credit they reverse
    (whose date is the measure's date column of the clawback's ``source`` row)."""
    c = pf.credits.of(comp.measure)
    kind = c["credit_kind"].to_numpy()
    claws = c[kind == "clawback"]
    rows = claws["source_idx"].to_numpy(dtype=np.int64)
    original = source[pf.plan.measures[comp.measure].date].to_numpy(dtype="datetime64[D]")[rows]
    year_start = np.datetime64(f"{pf.calendar.year}-01", "M")
    start_month = (original.astype("datetime64[M]") - year_start).astype(np.int64)
    before = start_month < 0
    reverses = np.where(before, -1, _period(np.clip(start_month, 0, 11), comp.period))
    dated = _period(claws["month"].to_numpy(dtype=np.int64), comp.period)
    cross = before | (reverses != dated)
    originals = c[kind == "credit"]
    span = np.int64(1 << 40)  # row positions are far below 2**40
    keys = (originals["local"].to_numpy(dtype=np.int64) * span
            + originals["source_idx"].to_numpy(dtype=np.int64))
    local = claws["local"].to_numpy(dtype=np.int64)
    paid_here = np.isin(local * span + rows, keys)
    return CrossPeriod(local[cross], reverses[cross], dated[cross],
                       claws["credit_value"].to_numpy(dtype=np.float64)[cross],
                       paid_here[cross] & ~before[cross], claws[cross], original[cross])


def reverse(amount: Floats, value: Floats, cross: CrossPeriod, period: str
            ) -> tuple[Floats, Floats]:
    """The amounts with each reversal added in its clawback's period, and the reversals.

    ``value`` is the value each period was priced on (clawbacks of earlier periods
    taken out). A reversal is ``earned_p x v / max(value_p, V_p)``, with ``v`` the
    reversed value and ``V_p`` all of it reversed from that seat's period ``p``: the
    reversals of one period never take back more than it paid.
    """
    n = amount.shape[0]
    periods = PERIODS_IN_YEAR[period]
    undone = np.where(cross.paid_here, -cross.value, 0.0)
    at = cross.local * periods + np.clip(cross.reverses, 0, None)
    total = np.bincount(at, weights=undone, minlength=n * periods)
    base = np.maximum(value.reshape(-1), total)[at]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(cross.paid_here & (base > 0), undone / np.where(base > 0, base, 1.0),
                         0.0)
    each = -amount.reshape(-1)[at] * ratio
    flat = np.bincount(cross.local * periods + cross.dated, weights=each,
                       minlength=n * periods)
    return amount + flat.reshape(n, periods), each


def memos(cross: CrossPeriod, each: Floats, labels: list[str]) -> pd.DataFrame | None:
    """One row per reversal: seat, month paid, deal, the period reversed, the amount."""
    c = cross.credits
    if c is None:
        return None
    names = np.array([*labels, "before the plan year"], dtype=object)
    return pd.DataFrame({
        "local": cross.local, "month": c["month"].to_numpy(dtype=np.int64),
        "deal_id": np.asarray(c["deal_id"], dtype=object),
        "reverses": names[np.where(cross.reverses < 0, len(labels), cross.reverses)],
        "amount": each})


def before_year_exceptions(pf: PlanFrame, comp: Commission, cross: CrossPeriod
                           ) -> pd.DataFrame:
    """Clawbacks of credits dated before the plan year: what they earned is not in the
    run, so the amount to recover is named for payroll to settle by hand."""
    before = cross.reverses < 0
    assert cross.credits is not None
    c = cross.credits[before]
    dates = np.datetime_as_string(cross.original[before], unit="D").tolist()
    value = (-cross.value[before]).tolist()
    reasons = [f"{comp.id}: reverses a {comp.measure} credit of {d} ({v:,.2f}), before plan "
               f"year {pf.calendar.year}: what it earned is not in this run; recover it by hand"
               for d, v in zip(dates, value, strict=True)]
    return exception_frame(len(c), file=c["source_file"], row=c["source_row"],
                           deal_id=c["deal_id"], payee_id=c["payee_id"], plan=pf.plan.plan,
                           measure=comp.measure, date=c["credit_date"],
                           value=c["credit_value"], reason=reasons)
