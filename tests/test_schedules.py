"""Schedules, curves, proration and money rules on hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from compplan.core.money import format_cents, largest_remainder, to_cents
from compplan.core.periods import Calendar, proration
from compplan.engine.schedules import apply_curve, apply_schedule, snap_attainment
from compplan.schema import PayoutCurve, Schedule, Tier


def schedule(mode: str, *tiers: tuple[float, float]) -> Schedule:
    return Schedule(mode=mode,  # type: ignore[arg-type]
                    tiers=[Tier(**{"from": f, "rate": r}) for f, r in tiers])


PARTNER = [(0, 0.05), (100000, 0.07), (250000, 0.09)]


@pytest.mark.parametrize(("x", "expected"), [
    (-5000, 0.0), (0, 0.0), (99999.99, 4999.9995), (100000, 7000.0), (249999, 17499.93),
    (250000, 22500.0),
])
def test_retroactive_takes_the_reached_rate_on_everything(x: float, expected: float) -> None:
    got = apply_schedule(schedule("retroactive", *PARTNER), np.array([x]))[0]
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(("x", "expected"), [
    (50000, 2500.0),  # 5 % on all of it
    (150000, 5000 + 0.07 * 50000),  # 5 % on 100k, 7 % on 50k
    (300000, 5000 + 0.07 * 150000 + 0.09 * 50000),
])
def test_marginal_takes_each_rate_on_its_slice(x: float, expected: float) -> None:
    assert apply_schedule(schedule("marginal", *PARTNER), np.array([x]))[0] == pytest.approx(
        expected)


def test_interpolated_rate_moves_linearly_between_tiers() -> None:
    s = schedule("interpolated", (0, 0.05), (100000, 0.07), (200000, 0.07))
    # at 50,000 the rate is halfway: 6 % on all of it; past the last tier it stays
    got = apply_schedule(s, np.array([50000, 100000, 300000]))
    assert got.tolist() == pytest.approx([3000.0, 7000.0, 21000.0])


def test_curve_threshold_segments_and_cap() -> None:
    mgr = PayoutCurve(kind="payout_curve", id="m", measure="x", period="quarter", points=[
        {"attainment": 0.75, "payout": 0.5}, {"attainment": 1.0, "payout": 1.0},
        {"attainment": 1.2, "payout": 1.5}])
    got = apply_curve(mgr, np.array([0.7499, 0.75, 0.8, 1.1, 1.2, 9.0, np.nan]))
    assert got.tolist() == pytest.approx([0.0, 0.5, 0.6, 1.25, 1.5, 1.5, 0.0])


def test_attainment_snaps_float_noise_at_thresholds() -> None:
    # 0.1 + 0.2 + 0.45 is 0.7500000000000001 in floats; a quota of 1 must read 75 %
    value = np.array([0.1 + 0.2 + 0.45, 74999.99999999999])
    assert snap_attainment(value, np.array([1.0, 100000.0])).tolist() == [0.75, 0.75]


def test_proration_in_a_leap_year() -> None:
    cal = Calendar(2028)
    start = np.array(["2028-02-15"], dtype="datetime64[D]")
    end = np.array(["2028-11-30"], dtype="datetime64[D]")
    month = proration(start, end, cal, "month")[0]
    assert month[1] == pytest.approx(15 / 29)
    year = proration(start, end, cal, "year")[0, 0]
    assert year == pytest.approx((366 - 45 - 31) / 366)
    quarter = proration(start, end, cal, "quarter")[0]
    assert quarter.tolist() == pytest.approx([46 / 91, 1.0, 1.0, 61 / 92])


def test_money_rounds_half_up_and_formats_without_floats() -> None:
    assert to_cents([1.005, 2.675, -2.675, 0.015, 1234567.895]).tolist() == [
        101, 268, -268, 2, 123456790]
    assert format_cents([-1, 5, 100, -123456]) == ["-0.01", "0.05", "1.00", "-1234.56"]


def test_largest_remainder_spreads_the_odd_cents() -> None:
    assert largest_remainder(1000, [1, 1, 1, 1, 1, 1, 1]).tolist() == [
        143, 143, 143, 143, 143, 143, 142]
    with pytest.raises(ValueError, match="positive sum"):
        largest_remainder(10, [0, 0])
