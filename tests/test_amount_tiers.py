"""Amount-per-tier tables (``{from, to, amount}``), as Oracle writes them: marginal
pays each tier's amount in proportion to the part covered, retroactive pays the amount
of the tier reached. Each case is computed by hand in its comment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from compplan.api import evaluate
from compplan.errors import PlanError
from compplan.plan.load import load_plans
from tests.conftest import bookings_measure, deal, lines, person, plan_folder

TIERS = ("[{from: 0, to: 10000, amount: 500}, {from: 10000, to: 20000, amount: 1000}, "
         "{from: 20000, to: 30000, amount: 2000}]")


def plan(mode: str, tiers: str = TIERS, more: str = "    basis: value\n") -> str:
    return f"""
plan: amounts
{bookings_measure()}quotas:
  bookings: {{source: constant, amount: 1200000}}
components:
  - id: commission
    kind: commission
    measure: bookings
{more}    period: month
    schedule: {{mode: {mode}, tiers: {tiers}}}
"""


ROSTER = pd.DataFrame([person("A", "amounts", start_date="2026-01-01")])
DEALS = pd.DataFrame([deal("D1", "A", 15000, "2026-01-10"), deal("D2", "A", 35000, "2026-02-10"),
                      deal("D3", "A", 5000, "2026-03-10")])


def test_marginal_amount_tiers_pay_in_proportion_to_the_part_covered(tmp_path: Path) -> None:
    r = evaluate(plan_folder(tmp_path, plan("marginal")), ROSTER, DEALS, 2026)
    # Jan 15,000: 500 + 5,000/10,000 x 1,000 = 1,000; Feb 35,000: 500 + 1,000 + 2,000 =
    # 3,500 (nothing past the last tier's end); Mar 5,000: half of 500 = 250
    assert lines(r, "A", "commission") == {"2026-01": "1000.00", "2026-02": "3500.00",
                                           "2026-03": "250.00"}
    text = r.explain("A", "2026-01")
    assert "tier 0.00 to 10,000.00: 10,000.00 of 10,000.00 x amount 500.00 = 500.00" in text
    assert "tier 10,000.00 to 20,000.00: 5,000.00 of 10,000.00 x amount 1,000.00 = 500.00" \
        in text


def test_retroactive_amount_tiers_pay_the_amount_of_the_tier_reached(tmp_path: Path) -> None:
    r = evaluate(plan_folder(tmp_path, plan("retroactive")), ROSTER, DEALS, 2026)
    # Jan 15,000 reaches the 10,000 tier: 1,000; Feb 35,000 is past the last tier: its
    # 2,000; Mar 5,000: 500; April has no bookings: nothing
    assert lines(r, "A", "commission") == {"2026-01": "1000.00", "2026-02": "2000.00",
                                           "2026-03": "500.00"}
    assert "tier reached from 10,000.00: amount 1,000.00" in r.explain("A", "2026-01")


def test_amount_tiers_on_attainment_pay_money_not_a_share_of_target(tmp_path: Path) -> None:
    tiers = "[{from: 1.0, to: 1.1, amount: 500}, {from: 1.1, to: 1.2, amount: 1000}]"
    text = plan("marginal", tiers, "    basis: attainment\n")
    # monthly quota 100,000: January's 15,000 is 15 %, nothing; with a 105,000 deal in
    # April attainment is 1.05: half of the first tier's 500 = 250
    deals = pd.concat([DEALS, pd.DataFrame([deal("D4", "A", 105000, "2026-04-10")])])
    r = evaluate(plan_folder(tmp_path, text), ROSTER, deals, 2026)
    assert lines(r, "A", "commission") == {"2026-04": "250.00"}


def test_amount_tiers_per_credit_pay_by_deal_size_band(tmp_path: Path) -> None:
    text = plan("retroactive", more="    basis: value\n    apply: per_credit\n")
    r = evaluate(plan_folder(tmp_path, text), ROSTER, DEALS, 2026)
    # each deal on its own: 15,000 -> 1,000; 35,000 -> 2,000; 5,000 -> 500
    assert lines(r, "A", "commission") == {"2026-01": "1000.00", "2026-02": "2000.00",
                                           "2026-03": "500.00"}


@pytest.mark.parametrize(("mode", "tiers", "message"), [
    ("marginal", "[{from: 0, to: 10000, amount: 500}, {from: 10000, rate: 0.1}]",
     "tiers give either all rates or all amounts"),
    ("marginal", "[{from: 0, to: 10000, amount: 500}, {from: 10000, amount: 900}]",
     "give the last tier a to"),
    ("retroactive", "[{from: 0, to: 9000, amount: 500}, {from: 10000, amount: 900}]",
     "amount tier to 9000 must be where the next tier starts (10000)"),
    ("interpolated", "[{from: 0, to: 10000, amount: 500}]",
     "amount tiers are marginal (proportional) or retroactive"),
    ("marginal", "[{from: 0, to: 10000, rate: 0.1}]", "to is for amount tiers"),
    ("marginal", "[{from: 0, rate: 0.1, amount: 5}]", "give a tier either rate or amount"),
])
def test_amount_tier_mistakes_name_their_line(tmp_path: Path, mode: str, tiers: str,
                                              message: str) -> None:
    with pytest.raises(PlanError) as err:
        load_plans(plan_folder(tmp_path, plan(mode, tiers)))
    assert message in str(err.value) and "plan.yaml:" in str(err.value)
