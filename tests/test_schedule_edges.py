"""The edges of tier schedules, curves, level tables and the calendar that mutation
testing showed no test pinned: the first tier's start, values below it, no value (NaN),
amount tiers without an end, periods outside the year. Values worked out beside each."""

from __future__ import annotations

import numpy as np
import pytest

from compplan.core.periods import Calendar, fold, month_of_period_end
from compplan.engine.schedules import apply_curve, apply_schedule, level_payout, round_half_up
from compplan.schema import Goal, PayoutCurve, Schedule, Tier


def tiers(mode: str, *rows: dict[str, float]) -> Schedule:
    return Schedule(mode=mode, tiers=[Tier(**r) for r in rows])  # type: ignore[arg-type]


def test_retroactive_rates_start_at_the_first_tier_inclusive() -> None:
    s = tiers("retroactive", {"from": 100, "rate": 0.1}, {"from": 200, "rate": 0.2})
    # 50 is below the first tier: 0; 100 reaches it: 10; 0.5 is below: 0; no value: 0
    got = apply_schedule(s, np.array([50.0, 100.0, 0.5, np.nan]))
    assert got.tolist() == pytest.approx([0.0, 10.0, 0.0, 0.0])
    low = tiers("retroactive", {"from": 0, "rate": 0.1})
    # a tier from 0 pays on a half unit (0.05), nothing on no value
    assert apply_schedule(low, np.array([0.5, np.nan])).tolist() == pytest.approx([0.05, 0.0])


def test_amount_tiers_without_an_end_end_where_the_next_starts() -> None:
    s = tiers("marginal", {"from": 0, "amount": 500}, {"from": 10000, "to": 20000,
                                                       "amount": 1000})
    # the first tier runs to 10,000: 15,000 covers it (500) and half the second (500)
    assert apply_schedule(s, np.array([15000.0])).tolist() == pytest.approx([1000.0])
    r = tiers("retroactive", {"from": 0, "to": 10, "amount": 500})
    # a value of 0.5 reaches the tier from 0: 500; no value pays nothing
    assert apply_schedule(r, np.array([0.5, np.nan, 0.0])).tolist() == [500.0, 0.0, 0.0]


def test_a_curve_pays_nothing_without_attainment_even_with_a_below() -> None:
    c = PayoutCurve(kind="payout_curve", id="c", measure="m", period="month", below=0.2,
                    points=[{"attainment": 0.5, "payout": 0.5},
                            {"attainment": 1.0, "payout": 1.0}])
    # NaN (no quota) pays 0, not the 0.2 below the first point; 0.3 pays the 0.2
    assert apply_curve(c, np.array([np.nan, 0.3])).tolist() == [0.0, 0.2]


def test_levels_from_the_first_one_and_nothing_without_a_score() -> None:
    g = Goal(measure="m", below=0.3, levels=[{"from": 1, "payout": 0.5},
                                             {"from": 2, "payout": 1.0}])
    # 1.0 reaches the first level (0.5, not below's 0.3); 0.5 is below it (0.3); 2.5 the
    # second (1.0); no score pays nothing (not below's 0.3)
    got = level_payout(g, np.array([1.0, 0.5, 2.5, np.nan]))
    assert got.tolist() == [0.5, 0.3, 1.0, 0.0]


def test_round_half_up_keeps_zero() -> None:
    assert round_half_up(np.array([0.0, -0.0, 0.004]), 2).tolist() == [0.0, 0.0, 0.0]


def test_the_calendar_outside_the_year_and_the_pay_months() -> None:
    cal = Calendar(2026)
    days = np.array(["2025-12-31", "2026-01-01", "2026-12-31", "2027-01-01"],
                    dtype="datetime64[D]")
    # outside the plan year is -1, inside the month's index
    assert cal.month_of(days).tolist() == [-1, 0, 11, -1]
    assert month_of_period_end("quarter").tolist() == [2, 5, 8, 11]
    assert month_of_period_end("year").tolist() == [11]
    assert month_of_period_end("month").tolist() == list(range(12))
    values = np.arange(24, dtype=np.float64).reshape(2, 12)
    # each row on its own: 0..11 sums to 66, 12..23 to 210; quarters of the first row
    assert fold(values, "year").tolist() == [[66.0], [210.0]]
    assert fold(values, "quarter")[0].tolist() == [3.0, 12.0, 21.0, 30.0]


def test_no_value_pays_nothing_even_on_tiers_below_zero() -> None:
    s = tiers("marginal", {"from": -100, "rate": 0.1}, {"from": 0, "rate": 0.2})
    # -50 covers 50 of the first tier: 5; no value (NaN) covers none: 0 (not 10)
    assert apply_schedule(s, np.array([-50.0, np.nan])).tolist() == pytest.approx([5.0, 0.0])
