"""Money rules: the one place where amounts become cents.

Calculations run in float64 over whole columns; an amount becomes money only here,
by rounding half-up (ties away from zero) to integer cents. Before rounding, the
value in cents is snapped to 1e-4 cent, so that float noise from sums and products
(``2.675`` stored as ``2.67499999...``) cannot move a tie to the wrong side. Amounts
are then carried as ``int64`` cents and formatted by integer arithmetic, never by
float ``round``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.currencies import decimals

Cents = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

_SNAP_DECIMALS = 4

LARGEST = 10**13
"""No amount becomes money at or above ten trillion: float64 holds cents exactly only
up to about 9e13, and int64 cents end at 9.2e16. An input cell is at most 1e12 and a
plan's rates at most 1000, so only a runaway sum or product reaches this bound."""


class AmountOverflowError(ArithmeticError):
    """An amount too large to be money: refused, never paid wrapped around."""

    def __init__(self, amount: float) -> None:
        super().__init__(f"an amount of {amount:.6g} is not below {LARGEST:.0e}, the largest "
                         "amount compplan pays: check the input amounts, rates, caps and "
                         "scale factors")
        self.amount = amount


def to_minor(amount: npt.ArrayLike, decimals: int) -> Cents:
    """Round amounts half-up (away from zero) to integer minor units of a currency with
    ``decimals`` places (2 for cents; 0 for yen; 3 for fils).

    >>> to_minor([1234.5, 0.0005], 0).tolist(), to_minor([0.0005], 3).tolist()
    ([1235, 0], [1])
    """
    values = np.asarray(amount, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        too_big = np.abs(values) >= LARGEST
    if too_big.any():
        raise AmountOverflowError(float(values[too_big].flat[0]))
    # in place on one scratch array: Monte Carlo rounds millions of cells per chunk
    units = np.atleast_1d(values * float(10**decimals))  # (a scalar has no place to write)
    np.round(units, _SNAP_DECIMALS, out=units)
    rounded = np.abs(units)
    rounded += 0.5
    np.floor(rounded, out=rounded)
    np.copysign(rounded, units, out=rounded)
    np.putmask(rounded, np.isnan(rounded), 0.0)  # no infinity is left: refused above
    return rounded.astype(np.int64).reshape(values.shape)


def to_cents(amount: npt.ArrayLike) -> Cents:
    """Round amounts half-up (away from zero) to integer cents.

    An empty amount (NaN) is no money; an amount of ten trillion or more (or an
    infinity) raises :class:`AmountOverflowError`.

    >>> to_cents([0.005, -0.005, 2.675, 1.004999, 0.0]).tolist()
    [1, -1, 268, 100, 0]
    >>> to_cents([1e13])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    compplan.core.money.AmountOverflowError: an amount of 1e+13 is not below 1e+13, ...
    """
    return to_minor(amount, 2)


def exact_sum(cents: npt.ArrayLike) -> int:
    """The exact sum of int64 cents, however many: an int64 sum of a hundred thousand
    cells of a trillion each would wrap around. Summed as high and low 32-bit halves,
    each of which cannot overflow below two billion rows.

    >>> exact_sum(np.full(100_000, 10**14))
    10000000000000000000
    """
    values = np.asarray(cents, dtype=np.int64)
    high, low = np.divmod(values, np.int64(1 << 32))
    return int(high.sum()) * (1 << 32) + int(low.sum())


def cumulative_lines(earned: Floats, decimals: int = 2) -> Cents:
    """Pay a cumulative amount as ``round(E_m) - round(E_{m-1})`` along the last axis.

    The lines then always add up to the rounded total, whatever the float noise.

    >>> cumulative_lines(np.array([[0.004, 0.008, 0.012]])).tolist()
    [[0, 1, 0]]
    """
    rounded = to_minor(earned, decimals)
    return np.diff(rounded, axis=-1, prepend=0)


def format_cents(cents: npt.ArrayLike) -> list[str]:
    """Format integer cents as decimal strings with two places.

    >>> format_cents([123456, -5, 0, -100])
    ['1234.56', '-0.05', '0.00', '-1.00']
    """
    return format_minor(cents, 2)


def format_minor(units: npt.ArrayLike, decimals: npt.ArrayLike) -> list[str]:
    """Format integer minor units as decimal strings with each one's places (one
    number of places for all, or one per value).

    Whole columns at once (Arrow string kernels, one pass per distinct number of
    places): a file of millions of amounts is formatted in a second, and never
    through a float.

    >>> format_minor([123456, -5, 1234], [2, 3, 0])
    ['1234.56', '-0.005', '1234']
    >>> format_minor([-100, 7, 0], 2)
    ['-1.00', '0.07', '0.00']
    """
    values = np.asarray(units, dtype=np.int64)
    places = np.broadcast_to(np.asarray(decimals, dtype=np.int64), values.shape)
    out = np.empty(values.shape, dtype=object)
    for d in np.unique(places).tolist() if values.size else []:
        mine = places == d
        v = values[mine]
        whole, frac = np.divmod(np.abs(v), 10**d)
        text = pd.Series(whole, dtype="int64").astype("string[pyarrow]")
        if d:
            text = text + "." + pd.Series(frac, dtype="int64").astype(
                "string[pyarrow]").str.zfill(d)
        sign = pd.Series(np.where(v < 0, "-", ""), dtype="string[pyarrow]")
        out[mine] = (sign + text).to_numpy(dtype=object)
    said: list[str] = out.tolist()
    return said


def largest_remainder(total_units: int, weights: npt.ArrayLike) -> Cents:
    """Split ``total_units`` in proportion to ``weights`` so the parts add up exactly.

    Each part gets the floor of its exact share; the units left over go to the parts
    with the largest remainders (ties to the earliest part).

    >>> largest_remainder(100, [1, 1, 1]).tolist()
    [34, 33, 33]
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        raise ValueError("weights must have a positive sum")
    row: Cents = largest_remainder_rows(np.array([total_units]), w[None, :])[0]
    return row


def largest_remainder_rows(totals: npt.ArrayLike, weights: npt.ArrayLike) -> Cents:
    """:func:`largest_remainder` for every row of a 2-D array at once.

    A row whose weights sum to 0 gets nothing.

    >>> largest_remainder_rows([10, 5], [[1, 1, 1], [0, 0, 0]]).tolist()
    [[4, 3, 3], [0, 0, 0]]
    """
    w = np.asarray(weights, dtype=np.float64)
    t = np.asarray(totals, dtype=np.int64)
    sums = w.sum(axis=1, keepdims=True)
    safe = np.where(sums > 0, sums, 1.0)
    exact = np.where(sums > 0, t[:, None] * w / safe, 0.0)
    base = np.floor(np.round(exact, 9)).astype(np.int64)
    left = np.where(sums[:, 0] > 0, t - base.sum(axis=1), 0)
    order = np.argsort(-(exact - base), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(w.shape[1])[None, :].repeat(len(w), 0), axis=1)
    out: Cents = np.asarray(base + (ranks < left[:, None]), dtype=np.int64)
    return out


def largest_remainder_groups(groups: npt.ArrayLike, totals: npt.ArrayLike,
                             weights: npt.ArrayLike) -> Cents:
    """:func:`largest_remainder` within each group of a long array: the rows of group
    ``g`` share ``totals[g]`` (units, may be negative) by their ``weights`` (>= 0), and
    add up to it exactly. Units left over go to the largest remainders, ties to the
    earliest row. A group whose weights sum to 0 gets nothing.

    >>> largest_remainder_groups([0, 0, 0, 1, 1], [100, -5], [1, 1, 1, 3, 1]).tolist()
    [34, 33, 33, -4, -1]
    """
    g = np.asarray(groups, dtype=np.int64)
    t = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    if len(g) == 0:
        return np.zeros(0, dtype=np.int64)
    sums = np.bincount(g, weights=w, minlength=len(t))
    sign = np.where(t < 0, -1, 1)
    size = np.abs(t)
    share = np.where(sums[g] > 0, size[g] * w / np.where(sums[g] > 0, sums[g], 1.0), 0.0)
    base = np.floor(np.round(share, 9)).astype(np.int64)
    left = np.where(sums > 0, size - np.bincount(g, weights=base, minlength=len(t)).astype(
        np.int64), 0)
    order = np.lexsort((np.arange(len(g)), -(share - base), g))  # group, remainder, row
    first = np.searchsorted(g[order], np.arange(len(t)))
    rank = np.empty(len(g), dtype=np.int64)
    rank[order] = np.arange(len(g)) - first[g[order]]
    out: Cents = (base + (rank < left[g])) * sign[g]
    return out


def row_decimals(currency: pd.Series) -> npt.NDArray[np.int64]:
    """Each row's currency's minor-unit places (a handful of codes, looked up once each)."""
    codes = currency.astype(str)
    return np.asarray(codes.map({c: decimals(c) for c in pd.unique(codes)}).to_numpy(),
                      dtype=np.int64)


def amounts(minor: pd.Series, currency: pd.Series) -> list[str]:
    """Minor units as amounts, each with its currency's decimals (JPY none, KWD three)."""
    return format_minor(minor.to_numpy(dtype=np.int64), row_decimals(currency))


def amount_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame with minor-unit columns as text amounts in each row's ``currency``."""
    places = row_decimals(frame["currency"])
    return frame.assign(**{c: format_minor(frame[c].to_numpy(dtype=np.int64), places)
                           for c in columns})
