"""One hand-computed test per rule that, in a mutation audit, survived or was caught by
a single test (or only by the benchmark smoke test). Each comment computes the value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compplan.api import close_month, evaluate, pay_month
from compplan.engine.schedules import apply_schedule
from compplan.schema import Schedule, Seasonality, Tier
from tests.conftest import (
    PLANS,
    bookings_measure,
    deal,
    lines,
    person,
    plan_folder,
    reasons,
    ten_percent_plan,
)


def bonus_plan(quota: str, extra_measure: str = "", period: str = "month",
               bonus_extra: str = "") -> str:
    return f"""
plan: b
{bookings_measure(extra_measure)}quotas:
  bookings: {quota}
components:
  - id: bonus
    kind: bonus
    period: {period}
    amount: 100
    condition: {{measure: bookings, at_least: 1.0}}
{bonus_extra}"""


ROSTER = pd.DataFrame([person("A", "b", start_date="2026-01-01")])


def test_a_quarters_seasonal_share_is_spread_evenly_over_its_months(tmp_path: Path) -> None:
    assert Seasonality(quarters=[0.4, 0.2, 0.2, 0.2]).monthly()[:4] == pytest.approx(
        [0.4 / 3] * 3 + [0.2 / 3])
    text = bonus_plan("{source: constant, amount: 120000, seasonality: {quarters: "
                      "[0.4, 0.2, 0.2, 0.2]}}")
    deals = pd.DataFrame([deal("D1", "A", 16000, "2026-01-10"),
                          deal("D2", "A", 15999, "2026-02-10")])
    r = evaluate(plan_folder(tmp_path, text), ROSTER, deals, 2026)
    # each Q1 month's quota is 120,000 x 0.4 / 3 = 16,000: January's 16,000 meets it,
    # February's 15,999 does not (50/25/25 would make January 24,000 and February 12,000)
    assert lines(r, "A", "bonus") == {"2026-01": "100.00"}


def test_splits_summing_below_one_are_reported(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("t").replace(
        "    value: amount\n", "    value: amount\n    split: split_pct\n"))
    roster = pd.DataFrame([person("A", "t"), person("B", "t")])
    deals = pd.DataFrame([deal("D1", "A", 10000, "2026-01-10", split_pct=0.3),
                          deal("D1", "B", 10000, "2026-01-10", split_pct=0.3)])
    r = evaluate(plans, roster, deals, 2026)
    # credited as given (300 each) and reported: 0.3 + 0.3 = 0.6
    assert lines(r, "A", "commission") == {"2026-01": "300.00"}
    assert reasons(r, deal_id="D1") == ["split_pct of deal sums to 0.6, not 1 (credited as "
                                        "given)"]


@pytest.mark.parametrize(("months", "paid"), [(["2026-01", "2026-02", "2026-03"], True),
                                             (["2026-01", "2026-02"], False)])
def test_a_file_quarter_quota_needs_all_its_months(tmp_path: Path, months: list[str],
                                                  paid: bool) -> None:
    text = bonus_plan("{source: file}", period="quarter")
    quotas = pd.DataFrame([{"payee_id": "A", "measure": "bookings", "period": m,
                            "quota": 10000} for m in months])
    deals = pd.DataFrame([deal("D1", "A", 30000, "2026-02-10")])
    r = evaluate(plan_folder(tmp_path, text), ROSTER, deals, 2026, quotas=quotas)
    # three months of 10,000 make a Q1 quota of 30,000, met by 30,000; with March
    # missing there is no Q1 quota (not 20,000): no bonus, and the quarter is reported
    assert lines(r, "A", "bonus") == ({"2026-03": "100.00"} if paid else {})
    assert any("quota" in s and "2026-Q1" in str(p) for s, p in zip(
        r.exceptions["reason"], r.exceptions["period"], strict=True)) != paid


def test_an_interpolated_rate_stays_flat_past_the_last_tier() -> None:
    s = Schedule(mode="interpolated", tiers=[Tier(**{"from": 0, "rate": 0.05}),
                                             Tier(**{"from": 100, "rate": 0.10}),
                                             Tier(**{"from": 200, "rate": 0.20})])
    # 150: halfway from 0.10 to 0.20 is 0.15, on all of it: 22.5; 300: past the last
    # tier the rate stays 0.20 (it does not go on rising): 60
    assert apply_schedule(s, np.array([150.0, 300.0])).tolist() == pytest.approx([22.5, 60.0])


def test_a_balance_is_recovered_at_most_from_the_months_pay(tmp_path: Path,
                                                            ledger: str) -> None:
    roster = pd.DataFrame([person("P", "partner-2026")])
    deals = pd.DataFrame([deal("D1", "P", 100000, "2026-01-15"),
                          deal("CM", "P", -150000, "2026-02-10"),
                          deal("D2", "P", 80000, "2026-03-10")])
    r = evaluate(PLANS, roster, deals, 2026)
    runs = {}
    for period in ("2026-01", "2026-02", "2026-03"):
        runs[period] = pay_month(r, ledger, period, tmp_path / period)
        close_month(ledger, period)
    # Jan: 7 % of 100,000 = 7,000 paid. Feb: YTD -50,000 earns 0: -7,000, carried as
    # owed. Mar: YTD 30,000 earns 5 % = 1,500, all of it recovered (not 7,000): paid 0
    mar = dict(zip(runs["2026-03"].lines["kind"], runs["2026-03"].lines["cents"], strict=True))
    assert mar == {"earned": 150000, "recovery": -150000}
    owed = pd.read_csv(tmp_path / "2026-03" / "balances.csv", dtype=str)
    assert owed["balance_owed"].tolist() == ["5500.00"]


@pytest.mark.parametrize(("end", "paid"), [("2026-03-30", False), ("2026-03-31", True)])
def test_a_bonus_for_those_active_on_the_periods_last_day(tmp_path: Path, end: str,
                                                          paid: bool) -> None:
    text = bonus_plan("{source: constant, amount: 4000}", period="quarter",
                      bonus_extra="    active_at_period_end: true\n")
    roster = pd.DataFrame([person("A", "b", start_date="2026-01-01", end_date=end)])
    deals = pd.DataFrame([deal("D1", "A", 5000, "2026-01-10")])
    r = evaluate(plan_folder(tmp_path, text), roster, deals, 2026)
    # Q1 quota 1,000 (prorated to the days active), met; paid only to a payee active on
    # 31 March: one leaving on 30 March gets nothing
    assert lines(r, "A", "bonus") == ({"2026-03": "100.00"} if paid else {})


@pytest.mark.parametrize(("per", "want"), [
    ("year", {"2026-01": "1000.00", "2026-02": "500.00"}),
    ("period", {"2026-01": "1000.00", "2026-02": "1000.00", "2026-03": "1000.00"})])
def test_a_yearly_cap_is_a_running_cap_not_one_per_period(tmp_path: Path, per: str,
                                                          want: dict[str, str]) -> None:
    text = ten_percent_plan("t", commission_extra=f"    cap: {{amount: 1500, per: {per}}}\n")
    roster = pd.DataFrame([person("A", "t")])
    deals = pd.DataFrame([deal(f"D{m}", "A", 10000, f"2026-0{m}-10") for m in (1, 2, 3)])
    r = evaluate(plan_folder(tmp_path, text), roster, deals, 2026)
    # 1,000 a month: a yearly cap of 1,500 pays 1,000 then 500 then nothing; a cap per
    # period of 1,500 never binds
    assert lines(r, "A", "commission") == want


def test_an_adjustment_names_the_month_it_corrects(tmp_path: Path, ledger: str) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("t"))
    roster = pd.DataFrame([person("A", "t")])
    jan = evaluate(plans, roster, pd.DataFrame([deal("D1", "A", 10000, "2026-01-10")]), 2026)
    pay_month(jan, ledger, "2026-01", tmp_path / "jan")
    close_month(ledger, "2026-01")
    late = pd.DataFrame([deal("D1", "A", 10000, "2026-01-10"),
                         deal("D2", "A", 5000, "2026-01-28")])  # entered after January closed
    run = pay_month(evaluate(plans, roster, late, 2026), ledger, "2026-02", tmp_path / "feb")
    row = run.lines.iloc[0]
    # 10 % of the late 5,000 is paid in February as an adjustment of January
    assert (row["kind"], row["earned_period"], row["memo"], int(row["cents"])) == (
        "adjustment", "2026-01", "adjusts 2026-01 commission", 50000)


def test_a_clawback_that_keeps_quota_credit(tmp_path: Path) -> None:
    claw = "    clawback: {within_days: 90, reduces_quota_credit: false}"
    text = bonus_plan("{source: constant, amount: 120000}", extra_measure=claw)
    deals = pd.DataFrame([deal("D1", "A", 20000, "2026-01-10", cancel_date="2026-02-05"),
                          deal("D2", "A", 10000, "2026-02-10")])
    r = evaluate(plan_folder(tmp_path, text), ROSTER, deals, 2026)
    # monthly quota 10,000. January 20,000: met. February's attainment leaves out the
    # clawback of D1 (reduces_quota_credit: false): 10,000 of 10,000, met; counting it
    # (-20,000 + 10,000) would miss
    assert lines(r, "A", "bonus") == {"2026-01": "100.00", "2026-02": "100.00"}


def test_a_multiplier_below_its_first_tier(tmp_path: Path) -> None:
    text = ten_percent_plan("t", commission_extra=(
        "    multiplier: {measure: bookings, tiers: [{from: 1.0, factor: 1.5}], below: 0.5}\n"
    )).replace("components:", "quotas:\n  bookings: {source: constant, amount: 120000}\n"
               "components:")
    roster = pd.DataFrame([person("A", "t")])
    deals = pd.DataFrame([deal("D1", "A", 5000, "2026-01-10"),
                          deal("D2", "A", 10000, "2026-02-10")])
    r = evaluate(plan_folder(tmp_path, text), roster, deals, 2026)
    # monthly quota 10,000. January at 50 %: 500 x below 0.5 = 250; February at 100 %:
    # 1,000 x 1.5 = 1,500
    assert lines(r, "A", "commission") == {"2026-01": "250.00", "2026-02": "1500.00"}


@pytest.mark.parametrize(("days", "release"), [(28, "2026-02"), (29, "2026-03")])
def test_a_hold_is_released_in_the_month_it_falls_due(tmp_path: Path, ledger: str, days: int,
                                                      release: str) -> None:
    text = ten_percent_plan("held", commission_extra=f"    hold: {{share: 0.5, days: {days}}}\n")
    plans = plan_folder(tmp_path, text)
    roster = pd.DataFrame([person("H", "held")])
    r = evaluate(plans, roster, pd.DataFrame([deal("D1", "H", 10000, "2026-01-10")]), 2026)
    released = {}
    for period in ("2026-01", "2026-02", "2026-03"):
        run = pay_month(r, ledger, period, tmp_path / period)
        close_month(ledger, period)
        released[period] = int(run.lines.loc[run.lines["kind"] == "release", "cents"].sum())
    # 31 January + 28 days is 28 February: released in February; + 29 is 1 March
    assert released == {p: (50000 if p == release else 0) for p in released}
