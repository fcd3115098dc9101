"""Clawbacks are never lost: hand-computed cases for commissions paid per month, quarter,
year and year to date, marginal and retroactive, across a year boundary, and the
clawback variants (a share, the unserved term)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compplan.api import evaluate
from compplan.result import Result
from compplan.scenarios.monte_carlo import plan_draws
from tests.conftest import Case, bookings_measure, deal, lines, person, plan_folder, reasons


def plan(tmp_path: Path, period: str, schedule: str, clawback: str = "{within_days: 365}",
         more: str = "") -> Path:
    return plan_folder(tmp_path, f"""
plan: p
{bookings_measure(f"    clawback: {clawback}")}components:
  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: {period}
    schedule: {schedule}
{more}""")


FLAT = "{mode: retroactive, tiers: [{from: 0, rate: 0.10}]}"
MARGINAL = "{mode: marginal, tiers: [{from: 0, rate: 0.05}, {from: 50000, rate: 0.10}]}"
RETRO = "{mode: retroactive, tiers: [{from: 0, rate: 0.05}, {from: 100000, rate: 0.08}]}"


def run(folder: Path, *deals: dict[str, object]) -> Result:
    return evaluate(folder, pd.DataFrame([person("A", "p")]), pd.DataFrame(list(deals)), 2026)


@pytest.mark.parametrize("period", ["month", "ytd"])
def test_a_cancellation_months_later_takes_back_what_the_deal_earned(tmp_path: Path,
                                                                     period: str) -> None:
    # 10 % of 100,000 in January; cancelled in July, when a new 30,000 deal closes:
    # July pays 3,000 - 10,000. Month and year-to-date give the same lines.
    r = run(plan(tmp_path, period, FLAT),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-07-15"),
            deal("D2", "A", 30000, "2026-07-20"))
    assert lines(r, "A", "commission") == {"2026-01": "10000.00", "2026-07": "-7000.00"}


@pytest.mark.parametrize(("schedule", "paid", "explained"), [
    # Q1: 120,000 -> 50,000 x 5 % + 70,000 x 10 % = 9,500, paid in March. D1 (100,000 of
    # Q1's 120,000) is cancelled in April: reversal 9,500 x 100/120 = 7,916.666...
    # Q2 alone: 60,000 -> 2,500 + 1,000 = 3,500; June pays 3,500 - 7,916.666...
    (MARGINAL, {"2026-03": "9500.00", "2026-06": "-4416.67"}, "-7,916.67"),
    # Q1: 120,000 reaches the 8 % tier on all of it: 9,600; D1's share 8,000. Q2:
    # 60,000 x 5 % = 3,000, the new deal not swallowed: 3,000 - 8,000.
    (RETRO, {"2026-03": "9600.00", "2026-06": "-5000.00"}, "-8,000.00"),
])
def test_a_quarter_commission_reverses_the_deals_share_of_its_quarter(
        tmp_path: Path, schedule: str, paid: dict[str, str], explained: str) -> None:
    r = run(plan(tmp_path, "quarter", schedule),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-04-10"),
            deal("D2", "A", 20000, "2026-02-01"),
            deal("D3", "A", 60000, "2026-05-05"))
    assert lines(r, "A", "commission") == paid
    assert f"reverses D1 of 2026-Q1: {explained}" in r.explain("A", "2026-06")


def test_a_cancellation_inside_the_period_simply_nets(tmp_path: Path) -> None:
    # Q1: 100,000 - 100,000 + 20,000 = 20,000 x 5 % = 1,000; nothing else.
    r = run(plan(tmp_path, "quarter", MARGINAL),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-03-10"),
            deal("D2", "A", 20000, "2026-02-01"))
    assert lines(r, "A", "commission") == {"2026-03": "1000.00"}


def test_reversals_of_one_period_never_take_back_more_than_it_paid(tmp_path: Path) -> None:
    # January: 100,000 and a -50,000 credit memo: 50,000 x 10 % = 5,000. Cancelling the
    # 100,000 deal in February takes back January's 5,000, not 10,000.
    r = run(plan(tmp_path, "month", FLAT),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-02-15"),
            deal("M1", "A", -50000, "2026-01-20"))
    assert lines(r, "A", "commission") == {"2026-01": "5000.00", "2026-02": "-5000.00"}


def test_a_deal_of_last_year_cancelled_this_year_is_reported_with_the_amount(
        tmp_path: Path) -> None:
    # The year's value is 50,000 (not 50,000 - 80,000): 5,000 in December. What the 2025
    # deal earned is not in the run: an exception names it for payroll.
    r = run(plan(tmp_path, "year", FLAT),
            deal("D0", "A", 80000, "2025-11-15", cancel_date="2026-01-10"),
            deal("D2", "A", 50000, "2026-03-01"))
    assert lines(r, "A", "commission") == {"2026-12": "5000.00"}
    assert ("commission: reverses a bookings credit of 2025-11-15 (80,000.00), before plan "
            "year 2026: what it earned is not in this run; recover it by hand"
            in reasons(r, deal_id="D0"))


SPIFF = """  - id: spiff
    kind: spiff
    measure: bookings
    amount: 500
    per_split: false
"""  # no filter: every credit of the measure qualifies


def test_a_clawback_share_takes_back_part_of_the_commission_and_spiff(tmp_path: Path) -> None:
    # share 0.5: July takes back 10,000 x 0.5 and the spiff's 500 x 0.5.
    r = run(plan(tmp_path, "month", FLAT, "{within_days: 365, share: 0.5}", SPIFF),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-07-15"))
    assert lines(r, "A", "commission") == {"2026-01": "10000.00", "2026-07": "-5000.00"}
    assert lines(r, "A", "spiff") == {"2026-01": "500.00", "2026-07": "-250.00"}
    assert "clawback -50,000.00 (share 1) -> -250.00" in r.explain("A", "2026-07")


@pytest.mark.parametrize("period", ["month", "ytd"])
def test_a_clawback_prorated_by_the_unserved_term(tmp_path: Path, period: str) -> None:
    # A 12-month contract closed 15 January, cancelled 15 April: 3 whole months served,
    # 9/12 taken back: 10,000 x 0.75 = 7,500; the spiff 500 x 0.75 = 375.
    r = run(plan(tmp_path, period, FLAT, "{within_days: 365, prorate: unserved_term}", SPIFF),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-04-15", term_months=12))
    assert lines(r, "A", "commission") == {"2026-01": "10000.00", "2026-04": "-7500.00"}
    assert lines(r, "A", "spiff") == {"2026-01": "500.00", "2026-04": "-375.00"}


def test_unserved_term_one_day_short_of_a_month_and_past_the_term(tmp_path: Path) -> None:
    # D1: 14 April is 2 whole months after 15 January: 10/12 of 10,000 = 8,333.33.
    # D2: a 3-month contract cancelled after 5 months: nothing left to take back.
    r = run(plan(tmp_path, "month", FLAT, "{within_days: 365, prorate: unserved_term}"),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-04-14", term_months=12),
            deal("D2", "A", 50000, "2026-02-01", cancel_date="2026-07-01", term_months=3))
    assert lines(r, "A", "commission") == {"2026-01": "10000.00", "2026-02": "5000.00",
                                           "2026-04": "-8333.33"}


def test_a_clawback_with_no_term_is_taken_back_in_full_and_reported(tmp_path: Path) -> None:
    r = run(plan(tmp_path, "month", FLAT, "{within_days: 365, prorate: unserved_term}"),
            deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-04-15", term_months=""))
    assert lines(r, "A", "commission") == {"2026-01": "10000.00", "2026-04": "-10000.00"}
    assert ("no term_months: cannot prorate the clawback by the unserved term, clawed back "
            "in full" in reasons(r, deal_id="D1"))


def test_an_optional_cancel_column_may_be_absent_but_only_when_the_plan_says_so(
        tmp_path: Path) -> None:
    deals = pd.DataFrame([deal("D1", "A", 100000, "2026-01-15")]).drop(columns="cancel_date")
    roster = pd.DataFrame([person("A", "p")])
    with pytest.raises(Exception, match=r"no column 'cancel_date' \(needed by plan p, "
                                        r"measures.bookings.clawback.cancel_column\)"):
        evaluate(plan(tmp_path / "a", "month", FLAT), roster, deals, 2026)
    r = evaluate(plan(tmp_path / "b", "month", FLAT, "{within_days: 90, optional: true}"),
                 roster, deals, 2026)
    assert lines(r, "A", "commission") == {"2026-01": "10000.00"}


@pytest.mark.both_engines
def test_reversals_are_the_same_on_both_engines_and_in_monte_carlo(case: Case,
                                                                   tmp_path: Path) -> None:
    # Two payees, so the Dask engine cuts them into partitions; the quarter case above.
    folder = plan(tmp_path, "quarter", MARGINAL)
    case.roster = [person("A", "p"), person("B", "p")]
    case.deals = [deal("D1", "A", 100000, "2026-01-15", cancel_date="2026-04-10"),
                  deal("D2", "A", 20000, "2026-02-01"), deal("D3", "A", 60000, "2026-05-05"),
                  deal("E1", "B", 80000, "2026-02-15", cancel_date="2026-08-01")]
    r = case.run(plans_dir=folder)
    assert lines(r, "A", "commission") == {"2026-03": "9500.00", "2026-06": "-4416.67"}
    # B: Q1 80,000 -> 2,500 + 3,000 = 5,500; cancelled in Q3: -5,500
    assert lines(r, "B", "commission") == {"2026-03": "5500.00", "2026-09": "-5500.00"}
    pr = r.by_plan["p"]
    draws = plan_draws(pr, r.inputs, np.ones((3, pr.frame.size)))
    assert np.allclose(draws["variable"], 9500 - 4416.67 + 5500 - 5500)
    doubled = plan_draws(pr, r.inputs, np.full((1, pr.frame.size), 2.0))
    # x2: A's Q1 240,000 -> 21,500, reversal 21,500 x 200/240 = 17,916.67; Q2 120,000
    # -> 9,500: -8,416.67; B: Q1 160,000 -> 13,500, reversed in Q3.
    assert np.allclose(doubled["variable"], 21500 - 8416.67)
