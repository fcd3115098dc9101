"""mgr-2026, hand-computed: team roll-up and the quarterly manager curve."""

from __future__ import annotations

import pytest

from tests.conftest import Case, deal, pay, person, reasons

pytestmark = pytest.mark.both_engines  # each case runs in process and on Dask


def team(case: Case, **mgr: object) -> None:
    row = {"base_salary": 120000, "target_incentive": 40000, "quota": 1000000}
    row.update(mgr)
    case.roster = [
        person("M", "mgr-2026", **row),
        person("A", "ae-2026", manager_id="M", base_salary=1, target_incentive=1, quota=1),
        person("S", "sdr-2026", manager_id="M"),
        person("X", "ae-2026", manager_id="", base_salary=1, target_incentive=1, quota=1),
        person("G", "ae-2026", manager_id="M", base_salary=1, target_incentive=1, quota=1,
               end_date="2026-03-31"),
    ]


def test_team_bookings_roll_up_from_every_report(case: Case) -> None:
    team(case)
    case.deals = [
        deal("D1", "A", 150000, "2026-02-10"),
        deal("D2", "S", 10000, "2026-03-10"),  # an SDR's own won deal counts too
        deal("D3", "X", 999999, "2026-03-10"),  # not a report
        deal("D4", "G", 500000, "2026-04-10"),  # report already gone: not counted
    ]
    r = case.run()
    # Q1 quota 200,000; 160,000 -> a = 0.8 -> 0.5 + 0.05/0.25 x 0.5 = 0.6 -> 10,000 x 0.6
    assert pay(r, "M", "2026-03", "team_incentive") == "6000.00"
    assert pay(r, "M", "2026-06", "team_incentive") == "0.00"
    assert reasons(r, deal_id="D4", payee_id="G") == ["payee not active on that date"]


def test_curve_segments_and_cap(case: Case) -> None:
    team(case)
    case.deals = [
        deal("Q2", "A", 275000, "2026-05-10"),  # a = 1.1 -> 1.25 -> 12,500
        deal("Q3", "A", 400000, "2026-08-10"),  # a = 1.6 -> capped 1.5 -> 15,000
        deal("Q1", "A", 149999, "2026-01-10"),  # a < 0.75 -> 0
    ]
    r = case.run()
    assert pay(r, "M", "2026-03", "team_incentive") == "0.00"
    assert pay(r, "M", "2026-06", "team_incentive") == "12500.00"
    assert pay(r, "M", "2026-09", "team_incentive") == "15000.00"


def test_manager_leaving_mid_quarter_is_paid_prorated(case: Case) -> None:
    team(case, end_date="2026-11-15")
    case.deals = [
        deal("D1", "A", 150000, "2026-11-10"),
        deal("D2", "A", 100000, "2026-12-01"),  # after the manager left
    ]
    r = case.run()
    # Q4 proration 46/92: quota 1e6 x 0.3 x 0.5 = 150,000; target 10,000 x 0.5 = 5,000
    assert pay(r, "M", "2026-12", "team_incentive") == "5000.00"
    assert reasons(r, deal_id="D2", payee_id="M") == ["manager not active on that date"]
    assert pay(r, "M", "2026-11", "base_salary") == "5000.00"  # 10,000 x 15/30


def test_team_clawback_follows_the_report(case: Case) -> None:
    team(case)
    case.deals = [deal("D1", "A", 200000, "2026-03-01", cancel_date="2026-04-01")]
    r = case.run()
    assert pay(r, "M", "2026-03", "team_incentive") == "10000.00"  # a = 1.0
    c = r.credits[(r.credits["payee_id"] == "M")]
    assert c["amount"].tolist() == [200000.0, -200000.0]
    assert set(c["via"]) == {"team:A"}
