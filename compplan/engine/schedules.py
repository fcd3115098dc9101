"""Tier schedules and payout curves, evaluated over whole arrays.

A schedule maps a basis ``x`` (money, or attainment) to an amount or factor:

- marginal: ``sum_i rate_i * clip(x - from_i, 0, from_{i+1} - from_i)``, as tax
  brackets are computed (cf. OpenFisca's ``MarginalRateTaxScale.calc``);
- retroactive: ``rate(x) * x`` with the rate of the tier ``x`` reached;
- interpolated: like retroactive, the rate moving linearly between tier starts.

Below the first tier nothing is paid.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from compplan.schema import Goal, PayoutCurve, Schedule

Floats = npt.NDArray[np.float64]

ATTAINMENT_DECIMALS = 12

_LARGEST_FLOAT = float(np.finfo(np.float64).max)


def nan_as(x: npt.ArrayLike, fill: float) -> Floats:
    """``np.nan_to_num(x, nan=fill)`` (infinities become the largest floats) in a third
    of its time: Monte Carlo calls it on millions of cells per component.

    >>> nan_as(np.array([np.nan, np.inf, -1.0]), -np.inf).tolist()
    [-inf, 1.7976931348623157e+308, -1.0]
    """
    out = np.clip(np.asarray(x, dtype=np.float64), -_LARGEST_FLOAT, _LARGEST_FLOAT)
    np.putmask(out, np.isnan(out), fill)
    return out


def snap_attainment(value: Floats, quota: Floats) -> Floats:
    """``value / quota``, NaN where there is no positive quota, snapped to 1e-12.

    Snapping keeps 74,999.9999.../100,000 from falling below a 75 % threshold
    because of float noise.

    >>> snap_attainment(np.array([0.3, 5.0]), np.array([0.4, 0.0])).tolist()
    [0.75, nan]
    """
    value, quota = np.asarray(value, dtype=np.float64), np.asarray(quota, dtype=np.float64)
    ratio = np.full(np.broadcast_shapes(value.shape, quota.shape), np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        np.divide(value, quota, out=ratio, where=quota > 0)
    return np.round(ratio, ATTAINMENT_DECIMALS, out=ratio)


def tier_bounds(schedule: Schedule) -> tuple[Floats, Floats]:
    """Tier starts and rates. Marginal amount tiers become rates of amount / width, and
    a rate of 0 from the last tier's end: the same brackets, paying the amount in
    proportion to the part of the tier covered.

    >>> from compplan.schema import Schedule, Tier
    >>> s = Schedule(mode="marginal", tiers=[Tier(**{"from": 0, "to": 10000, "amount": 500}),
    ...     Tier(**{"from": 10000, "to": 20000, "amount": 1000})])
    >>> [a.tolist() for a in tier_bounds(s)]
    [[0.0, 10000.0, 20000.0], [0.05, 0.1, 0.0]]
    """
    starts = np.array([t.from_ for t in schedule.tiers], dtype=np.float64)
    if schedule.pays_amounts and schedule.mode == "marginal":
        tiers = schedule.tiers
        ends = np.array([t.to if t.to is not None else n.from_
                         for t, n in zip(tiers, [*tiers[1:], tiers[-1]], strict=True)],
                        dtype=np.float64)
        amounts = np.array([t.amount for t in schedule.tiers], dtype=np.float64)
        return np.append(starts, ends[-1]), np.append(amounts / (ends - starts), 0.0)
    rates = np.array([t.amount if schedule.pays_amounts else t.rate
                      for t in schedule.tiers], dtype=np.float64)
    return starts, rates


def marginal_slices(schedule: Schedule, x: Floats) -> Floats:
    """Amount of ``x`` falling in each tier: shape ``x.shape + (tiers,)``."""
    starts, _ = tier_bounds(schedule)
    ends = np.append(starts[1:], np.inf)
    slices = nan_as(x, -np.inf)[..., None] - starts
    return np.clip(slices, 0.0, ends - starts, out=slices)


def tier_index(starts: Floats, x: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Index of the tier (or level) each value reached: the last start at or below it;
    -1 below the first start or for no value (NaN).

    >>> tier_index(np.array([0.0, 1.0, 1.5]), np.array([-1.0, 0.5, 1.0, 3.0, np.nan])).tolist()
    [-1, 0, 1, 2, -1]
    """
    xs = nan_as(x, -np.inf)
    return np.asarray(np.searchsorted(starts, xs, side="right") - 1, dtype=np.int64)


def reached_rate(schedule: Schedule, x: Floats) -> Floats:
    """Rate of the tier ``x`` reached (0 below the first tier), or interpolated."""
    starts, rates = tier_bounds(schedule)
    xs = nan_as(x, -np.inf)
    if schedule.mode == "interpolated":
        rate = np.interp(xs, starts, rates)
    else:
        idx = tier_index(starts, xs)
        rate = np.where(idx >= 0, rates[np.clip(idx, 0, None)], 0.0)
    return np.where(xs >= starts[0], rate, 0.0)


def apply_schedule(schedule: Schedule, x: Floats) -> Floats:
    """Evaluate a schedule on every element of ``x``.

    >>> from compplan.schema import Schedule, Tier
    >>> s = Schedule(mode="marginal", tiers=[Tier(**{"from": 0, "rate": 1}),
    ...     Tier(**{"from": 1, "rate": 1.5}), Tier(**{"from": 1.5, "rate": 2})])
    >>> float(apply_schedule(s, np.array([1.7]))[0])
    2.15
    """
    if schedule.mode == "marginal":
        _, rates = tier_bounds(schedule)
        return np.asarray(marginal_slices(schedule, x) @ rates, dtype=np.float64)
    if schedule.pays_amounts:  # the reached tier's amount; nothing for nothing credited
        xs = nan_as(x, 0.0)
        return np.where(xs > 0, reached_rate(schedule, xs), 0.0)
    xs = nan_as(x, 0.0)
    return reached_rate(schedule, xs) * np.where(xs > 0, xs, 0.0)


def curve_points(curve: PayoutCurve) -> tuple[Floats, Floats]:
    xs = np.array([p.attainment for p in curve.points], dtype=np.float64)
    ys = np.array([p.payout for p in curve.points], dtype=np.float64)
    return xs, ys


def apply_curve(curve: PayoutCurve, attainment: Floats) -> Floats:
    """Payout factor on attainment: ``below`` under the first point, linear between
    points, flat (capped) past the last; NaN attainment (no quota) pays nothing.

    >>> from compplan.schema import PayoutCurve
    >>> c = PayoutCurve(kind="payout_curve", id="x", measure="m", period="month",
    ...     points=[{"attainment": 0.5, "payout": 0.5}, {"attainment": 1, "payout": 1},
    ...             {"attainment": 1.5, "payout": 2}])
    >>> apply_curve(c, np.array([0.49, 0.5, 1.2, 3.0])).tolist()
    [0.0, 0.5, 1.4, 2.0]
    """
    xs, ys = curve_points(curve)
    a = np.asarray(attainment, dtype=np.float64)
    factor = np.where(a >= xs[0], np.interp(nan_as(a, 0.0), xs, ys), curve.below)
    return np.where(np.isnan(a), 0.0, factor)


def round_half_up(values: Floats, decimals: int) -> Floats:
    """Round half away from zero to ``decimals`` (a score of 3.45 at one decimal is
    3.5, as a person reads it), NaN kept; snapped first so 2.675 is not 2.67499...

    >>> round_half_up(np.array([3.45, 2.5, -0.5, np.nan]), 1).tolist()[:3]
    [3.5, 2.5, -0.5]
    >>> round_half_up(np.array([2.5, 3.449]), 0).tolist()
    [3.0, 3.0]
    """
    scaled = np.round(np.asarray(values, dtype=np.float64) * 10.0**decimals, 6)
    return np.asarray(np.floor(np.abs(scaled) + 0.5) * np.sign(scaled) / 10.0**decimals,
                      dtype=np.float64)


def level_payout(goal: Goal, score: Floats) -> Floats:
    """The payout of the highest level a score reaches (``below`` under the first);
    no score (NaN) pays nothing. Levels are steps, never interpolated.

    >>> from compplan.schema import Goal
    >>> g = Goal(measure="nps", levels=[{"from": 1, "payout": 0}, {"from": 2, "payout": 0.5},
    ...          {"from": 3, "payout": 1.0}, {"from": 4, "payout": 1.5}])
    >>> level_payout(g, np.array([0.5, 2.0, 3.9, 7.0, np.nan])).tolist()
    [0.0, 0.5, 1.0, 1.5, 0.0]
    """
    starts = np.array([lv.from_ for lv in goal.levels], dtype=np.float64)
    payouts = np.array([lv.payout for lv in goal.levels], dtype=np.float64)
    s = np.asarray(score, dtype=np.float64)
    idx = tier_index(starts, s)
    out = np.where(idx >= 0, payouts[np.clip(idx, 0, None)], goal.below)
    return np.asarray(np.where(np.isnan(s), 0.0, out), dtype=np.float64)
