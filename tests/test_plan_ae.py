"""ae-2026, hand-computed: salary, commission curve and cap, bonus, SPIFF, clawbacks."""

from __future__ import annotations

import pytest

from compplan.errors import InputError
from tests.conftest import Case, deal, lines, pay, person, reasons

pytestmark = pytest.mark.both_engines  # each case runs in process and on Dask


def ae(pid: str, **kw: object) -> dict[str, object]:
    base = {"base_salary": 120000, "target_incentive": 50000, "quota": 1000000}
    base.update(kw)
    return person(pid, "ae-2026", **base)


def test_salary_prorated_for_hire_and_leaver(case: Case) -> None:
    case.roster = [ae("H", start_date="2026-03-17"), ae("L", end_date="2026-10-10")]
    r = case.run()
    # 120,000 / 12 = 10,000 a month; March 15 of 31 days; October 10 of 31 days.
    assert pay(r, "H", "2026-02", "base_salary") == "0.00"
    assert pay(r, "H", "2026-03", "base_salary") == "4838.71"
    assert pay(r, "H", "2026-04", "base_salary") == "10000.00"
    assert pay(r, "L", "2026-10", "base_salary") == "3225.81"
    assert pay(r, "L", "2026-11", "base_salary") == "0.00"


def test_salary_rounds_half_up(case: Case) -> None:
    case.roster = [ae("T", base_salary=60000.06)]  # 5,000.005 a month
    assert pay(case.run(), "T", "2026-01", "base_salary") == "5000.01"


def test_commission_accelerates_and_caps(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [deal("D1", "A", 1700000, "2026-01-20"), deal("D2", "A", 1000000, "2026-02-05")]
    r = case.run()
    # a = 1.7 -> f = 1 + 0.5 x 1.5 + 0.2 x 2 = 2.15 -> 50,000 x 2.15
    assert pay(r, "A", "2026-01", "commission") == "107500.00"
    # a = 2.7 -> f = 4.15 -> 207,500, capped at 3 x TI = 150,000
    assert pay(r, "A", "2026-02", "commission") == "42500.00"


def test_commission_prorates_quota_and_target_for_a_hire(case: Case) -> None:
    case.roster = [ae("H", start_date="2026-07-01")]  # 184 of 365 days
    case.deals = [deal("D1", "H", 300000, "2026-08-10"), deal("D2", "H", 300000, "2026-10-10")]
    r = case.run()
    # Q = 1e6 x 184/365, TI = 50,000 x 184/365: below 100 % E = 5 % of bookings.
    assert pay(r, "H", "2026-08", "commission") == "15000.00"
    # 600,000 vs Q = 504,109.589...: E = TI + 0.05 x 1.5 x 95,890.41... = 32,397.26
    assert pay(r, "H", "2026-10", "commission") == "17397.26"


def test_clawback_at_90_days_but_not_91(case: Case) -> None:
    case.roster = [ae("A"), ae("B")]
    case.deals = [
        deal("D90", "A", 200000, "2026-02-01", cancel_date="2026-05-02"),
        deal("D91", "B", 200000, "2026-02-01", cancel_date="2026-05-03"),
    ]
    r = case.run()
    assert pay(r, "A", "2026-02", "commission") == "10000.00"
    assert pay(r, "A", "2026-05", "commission") == "-10000.00"
    assert pay(r, "B", "2026-02", "commission") == "10000.00"
    assert lines(r, "B", "commission") == {"2026-02": "10000.00"}


def test_credit_memo_reduces_commission(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [deal("D1", "A", 200000, "2026-02-10"), deal("CM", "A", -50000, "2026-03-03")]
    r = case.run()
    assert pay(r, "A", "2026-03", "commission") == "-2500.00"


def test_split_credits_each_owner_its_share(case: Case) -> None:
    case.roster = [ae("A"), ae("B")]
    case.deals = [deal("D1", "A", 100000, "2026-04-01", split_pct=0.6),
                  deal("D1", "B", 100000, "2026-04-01", split_pct=0.4)]
    r = case.run()
    assert pay(r, "A", "2026-04", "commission") == "3000.00"
    assert pay(r, "B", "2026-04", "commission") == "2000.00"


def test_quarterly_bonus_reach_means_at_least(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [
        deal("Q1", "A", 200000, "2026-03-31"),  # Q1 quota 1e6 x 20 % = 200,000: reached
        deal("Q2", "A", 249999.99, "2026-05-01"),  # Q2 quota 250,000: missed by a cent
    ]
    r = case.run()
    assert pay(r, "A", "2026-03", "quarterly_bonus") == "2500.00"
    assert pay(r, "A", "2026-06", "quarterly_bonus") == "0.00"


def test_quarterly_bonus_counts_clawbacks_in_the_quarter(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [
        deal("D1", "A", 100000, "2026-03-20", cancel_date="2026-04-10"),
        deal("D2", "A", 300000, "2026-05-01"),
    ]
    r = case.run()
    # Q2: 300,000 - 100,000 clawed back = 200,000 < 250,000
    assert pay(r, "A", "2026-06", "quarterly_bonus") == "0.00"


def test_quarterly_bonus_prorated_quota_and_active_on_last_day(case: Case) -> None:
    case.roster = [ae("H", start_date="2026-02-15"), ae("L", end_date="2026-09-29")]
    case.deals = [
        deal("D1", "H", 100000, "2026-03-01"),  # Q1 quota 200,000 x 45/90 = 100,000
        deal("D2", "L", 900000, "2026-08-01"),  # reached, but L left before 30 Sep
    ]
    r = case.run()
    assert pay(r, "H", "2026-03", "quarterly_bonus") == "2500.00"
    assert pay(r, "L", "2026-09", "quarterly_bonus") == "0.00"


def test_spiff_multiyear(case: Case) -> None:
    case.roster = [ae("A"), ae("B")]
    case.deals = [
        deal("S24", "A", 100000, "2026-02-10", term_months=24, split_pct=0.5),
        deal("S24", "B", 100000, "2026-02-10", term_months=24, split_pct=0.5),
        deal("M36", "A", -1000, "2026-03-10", term_months=36),  # credit memo still pays
        deal("C24", "A", 5000, "2026-04-10", term_months=24, cancel_date="2026-06-01"),
        deal("T12", "A", 5000, "2026-04-10", term_months=12),
    ]
    r = case.run()
    assert pay(r, "A", "2026-02", "spiff_multiyear") == "250.00"
    assert pay(r, "B", "2026-02", "spiff_multiyear") == "250.00"
    assert pay(r, "A", "2026-03", "spiff_multiyear") == "500.00"
    assert pay(r, "A", "2026-04", "spiff_multiyear") == "500.00"
    assert pay(r, "A", "2026-06", "spiff_multiyear") == "-500.00"


def test_clawback_of_last_years_deal_counts_in_the_year(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [deal("OLD", "A", 80000, "2025-12-20", cancel_date="2026-01-10", term_months=24)]
    r = case.run()
    assert reasons(r, deal_id="OLD", date="2025-12-20") == ["dated outside plan year 2026"]
    credited = r.credits[r.credits["deal_id"] == "OLD"]
    assert credited["amount"].tolist() == [-80000.0]
    # the negative credit pays the SPIFF back; commission stays at 0 (f(a <= 0) = 0)
    assert pay(r, "A", "2026-01", "spiff_multiyear") == "-500.00"
    assert pay(r, "A", "2026-01", "commission") == "0.00"


def test_clawback_after_leaving_is_not_applied(case: Case) -> None:
    case.roster = [ae("L", end_date="2026-03-31")]
    case.deals = [deal("D1", "L", 100000, "2026-03-01", cancel_date="2026-04-15")]
    r = case.run()
    assert lines(r, "L", "commission") == {"2026-03": "5000.00"}
    assert reasons(r, deal_id="D1", payee_id="L") == ["payee not active on that date"]


def test_unknown_and_inactive_payees_are_exceptions(case: Case) -> None:
    case.roster = [ae("H", start_date="2026-06-01")]
    case.deals = [deal("G", "GHOST", 1000, "2026-02-01"), deal("E", "H", 1000, "2026-05-31")]
    r = case.run()
    assert reasons(r, deal_id="G") == ["payee not in roster"]
    assert reasons(r, deal_id="E") == ["payee not active on that date"]
    assert r.payouts[r.payouts["component"] == "commission"].empty


def test_cancel_before_close_is_a_data_error(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [deal("X", "A", 100000, "2026-06-10", cancel_date="2026-06-01")]
    r = case.run()
    assert any("before close_date" in x for x in reasons(r, deal_id="X"))
    assert pay(r, "A", "2026-06", "commission") == "5000.00"  # credited, not clawed back


@pytest.mark.parametrize("quota", ["", 0, -5])
def test_missing_quota_is_an_input_error(case: Case, quota: object) -> None:
    case.roster = [ae("A"), ae("NOQ", quota=quota)]
    with pytest.raises(InputError) as err:
        case.run()
    assert "row 3, quota:" in str(err.value)  # a negative quota is refused as it is read
    assert ("NOQ" in str(err.value)) == (quota != -5)


def test_closed_lost_matches_no_rule(case: Case) -> None:
    case.roster = [ae("A")]
    case.deals = [deal("L", "A", 100000, "2026-02-01", stage="Closed Lost")]
    r = case.run()
    assert r.credits.empty and r.exceptions.empty
