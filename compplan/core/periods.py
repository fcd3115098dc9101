"""The plan-year calendar: months, quarters, and proration by active days.

Every function works on whole arrays of intervals (one per seat), so proration for
ten thousand payees is a handful of numpy operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Days = npt.NDArray[np.datetime64]
Floats = npt.NDArray[np.float64]

OPEN_END = np.datetime64("9999-12-31", "D")
PERIODS_IN_YEAR = {"month": 12, "quarter": 4, "year": 1, "ytd": 12}
"""How many periods of a kind a year holds (``ytd`` is read month by month)."""
OPEN_START = np.datetime64("1000-01-01", "D")


@dataclass(frozen=True)
class Calendar:
    """The months and quarters of one calendar plan year."""

    year: int

    @property
    def month_starts(self) -> Days:
        return np.arange(f"{self.year}-01", f"{self.year + 1}-01", dtype="datetime64[M]").astype(
            "datetime64[D]"
        )

    @property
    def month_ends(self) -> Days:
        starts = np.arange(f"{self.year}-02", f"{self.year + 1}-02", dtype="datetime64[M]")
        ends = starts.astype("datetime64[D]") - np.timedelta64(1, "D")
        return np.asarray(ends, dtype="datetime64[D]")

    @property
    def start(self) -> np.datetime64:
        return np.datetime64(f"{self.year}-01-01", "D")

    @property
    def end(self) -> np.datetime64:
        return np.datetime64(f"{self.year}-12-31", "D")

    def month_labels(self) -> list[str]:
        """Period labels ``YYYY-MM``.

        >>> Calendar(2026).month_labels()[:2]
        ['2026-01', '2026-02']
        """
        return [f"{self.year}-{m:02d}" for m in range(1, 13)]

    def quarter_labels(self) -> list[str]:
        return [f"{self.year}-Q{q}" for q in range(1, 5)]

    def labels(self, period: str) -> list[str]:
        """Labels of the periods of a kind: months, quarters, or the year (``ytd`` too).

        >>> Calendar(2026).labels("quarter")[0], Calendar(2026).labels("ytd")
        ('2026-Q1', ['2026'])
        """
        if period == "month":
            return self.month_labels()
        return self.quarter_labels() if period == "quarter" else [str(self.year)]

    def bounds(self, period: str) -> tuple[Days, Days]:
        """Start and end days of each period of a kind: month, quarter or year."""
        ms, me = self.month_starts, self.month_ends
        if period == "month":
            return ms, me
        if period == "quarter":
            return ms[0::3], me[2::3]
        return ms[:1], me[-1:]

    def month_of(self, dates: Days) -> npt.NDArray[np.int64]:
        """Month index 0..11 of each date (dates outside the year, or none, give -1).

        A table of the year's days, read at each date's day of the year: millions of
        credits are dated per run, and numpy's day-to-month conversion does calendar
        arithmetic per date.

        >>> Calendar(2026).month_of(np.array(["2026-01-31", "2026-02-01", "2025-12-31",
        ...                                   "NaT", "2027-01-01"], dtype="datetime64[D]"))
        array([ 0,  1, -1, -1, -1])
        """
        days = np.asarray(dates).astype("datetime64[D]", copy=False).view(np.int64)
        first = self.start.astype(np.int64)
        length = int(self.end.astype(np.int64) - first) + 1
        year = np.arange(self.start, self.end + 1).astype("datetime64[M]").astype(np.int64)
        table = np.append(year - year[0], -1)  # the last entry: any day outside the year
        offset = days - first
        return np.asarray(table[np.where((offset >= 0) & (offset < length), offset, -1)],
                          dtype=np.int64)


def active_days(starts: Days, ends: Days, period_starts: Days, period_ends: Days) -> Floats:
    """Days each interval ``[start, end]`` overlaps each period: shape (intervals, periods)."""
    lo = np.maximum(starts[:, None], period_starts[None, :])
    hi = np.minimum(ends[:, None], period_ends[None, :])
    days = (hi - lo).astype(np.int64) + 1
    return np.clip(days, 0, None).astype(np.float64)


def proration(starts: Days, ends: Days, calendar: Calendar, period: str) -> Floats:
    """Active days in each period / days in the period, shape (intervals, periods).

    >>> cal = Calendar(2026)
    >>> s = np.array(["2026-01-17"], dtype="datetime64[D]")
    >>> e = np.array(["9999-12-31"], dtype="datetime64[D]")
    >>> proration(s, e, cal, "month")[0, :2].tolist()
    [0.4838709677419355, 1.0]
    """
    ps, pe = calendar.bounds(period)
    length = (pe - ps).astype(np.int64) + 1
    return active_days(starts, ends, ps, pe) / length[None, :]


def month_of_period_end(period: str) -> npt.NDArray[np.int64]:
    """Index of the month in which each period of a kind ends (and is paid)."""
    if period == "month":
        return np.arange(12)
    if period == "quarter":
        return np.array([2, 5, 8, 11])
    return np.array([11])


def fold(values: Floats, period: str) -> Floats:
    """Sum a (rows, 12) monthly array into (rows, periods) of a kind."""
    if period == "month":
        return values
    if period == "quarter":
        return np.asarray(values.reshape(values.shape[0], 4, 3).sum(axis=2), dtype=np.float64)
    return np.asarray(values.sum(axis=1, keepdims=True), dtype=np.float64)
