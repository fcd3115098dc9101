"""Gates measured over another period than their component, and pay held until met.

A quarterly accelerator paid only when *annual* (or year-to-date) attainment reaches
100 % is a gate whose period differs from its component's: ``gate: {measure: bookings,
period: ytd, at_least: 1.0}``. At each of the component's pay points the gate is
looked at as of that month: a year-to-date or monthly gate is known then; a quarter or
year gate only once its quarter or year has ended (until then it is not met). What a
period earns while its gate is not met is held, and paid at the first later pay point
where it is (``missed: hold``, the default), or dropped (``missed: forfeit``). What is
still held at the end of the year is not paid, and reported.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from compplan.core.periods import month_of_period_end

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


def at_pay_points(met: Mask, gate_period: str, period: str) -> Mask:
    """A gate met per its own periods, as known at each of the component's pay points
    (the last month of each of its periods).

    >>> met = np.array([[True]])  # the year's attainment reached the gate
    >>> at_pay_points(met, "year", "quarter").tolist()
    [[False, False, False, True]]
    >>> at_pay_points(np.array([[False, True, True, True]]), "quarter", "month")[0, :6].tolist()
    [False, False, False, False, False, True]
    """
    ends = np.arange(12) if period == "ytd" else month_of_period_end(period)
    if gate_period in ("month", "ytd"):
        known = met[:, ends]
    elif gate_period == "quarter":
        known = met[:, ends // 3] & (ends % 3 == 2)[None, :]
    else:
        known = np.repeat(met[:, :1], len(ends), axis=1) & (ends == 11)[None, :]
    return np.asarray(known, dtype=bool)


def hold_until_met(amount: Floats, met: Mask, cumulative: bool) -> tuple[Floats, Floats]:
    """Pay what was earned at the first pay point whose gate is met; return the amounts
    to pay (cumulative ones stay cumulative) and what is still held at the end.

    >>> paid, held = hold_until_met(np.array([[100.0, 50.0, 70.0, 10.0]]),
    ...                             np.array([[False, False, True, False]]), False)
    >>> paid.tolist(), held.tolist()
    ([[0.0, 0.0, 220.0, 0.0]], [10.0])
    """
    running = amount if cumulative else np.cumsum(amount, axis=1)
    last = np.maximum.accumulate(np.where(met, np.arange(met.shape[1])[None, :], -1), axis=1)
    released = np.where(last >= 0, np.take_along_axis(running, np.clip(last, 0, None), axis=1),
                        0.0)
    held = running[:, -1] - released[:, -1]
    if cumulative:
        return np.asarray(released, dtype=np.float64), np.asarray(held, dtype=np.float64)
    return np.diff(released, axis=1, prepend=0.0), np.asarray(held, dtype=np.float64)
