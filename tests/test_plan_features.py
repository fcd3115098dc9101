"""The plan language beyond the reference plans, each feature with a hand-computed case:
weighted gates, yearly caps, rate tables, decelerators, quarterly true-ups, year bonuses,
effective-dated assignments, overlays, other input tables and averaged measures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compplan.api import evaluate
from compplan.errors import InputError, PlanError
from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.result import evaluate as evaluate_inputs
from compplan.scenarios.monte_carlo import plan_draws
from tests.conftest import (
    PLANS,
    Case,
    bookings_measure,
    deal,
    lines,
    pay,
    person,
    plan_folder,
    reasons,
    ten_percent_plan,
)


def test_inside_sales_weighted_gate_marginal_margin_and_year_cap(case: Case) -> None:
    case.roster = [person("I", "inside-2026", base_salary=60000, quota=600000)]
    case.deals = [
        deal("Q1", "I", 60000, "2026-02-10", margin=40000),
        deal("Q2", "I", 30000, "2026-05-10", margin=80000),
        deal("Q3", "I", 10000, "2026-08-10", margin=10000),
        deal("Q4", "I", 800000, "2026-11-10", margin=800000),
    ]
    r = case.run()
    # Q1: weighted 0.7 x 0.5 + 0.3 x 40,000/48,000 = 0.6 >= 0.5; 6 % x 40,000
    assert pay(r, "I", "2026-03", "margin_commission") == "2400.00"
    # Q2: 0.7 x 0.2 + 0.3 x 80,000/60,000 = 0.54; 6 % x 50,000 + 9 % x 30,000
    assert pay(r, "I", "2026-06", "margin_commission") == "5700.00"
    # Q3: 0.7 x 0.0667 + 0.3 x 0.1667 < 0.5: gated
    assert pay(r, "I", "2026-09", "margin_commission") == "0.00"
    # Q4 earns 67,500 but the year is capped at 60,000: 60,000 - 8,100
    assert pay(r, "I", "2026-12", "margin_commission") == "51900.00"


def test_account_manager_rate_table_decelerator_and_year_bonus(case: Case, tmp_path: Path) -> None:
    case.roster = [person("M", "am-2026", base_salary=84000, target_incentive=40000,
                          quota=300000)]
    rows = [
        deal("R1", "M", 100000, "2026-01-10", deal_type="renewal"),
        deal("E1", "M", 50000, "2026-01-11", deal_type="expansion"),
        deal("I1", "M", 10000, "2026-01-12", deal_type="internal"),
        deal("W1", "M", 10000, "2026-01-13", deal_type="weird"),
        deal("E2", "M", 150000, "2026-05-10", deal_type="upsell"),
        deal("R2", "M", 180000, "2026-11-10", deal_type="renewal"),
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "deals_am.csv", index=False)
    p = case.paths()
    r = evaluate(PLANS, p["roster"], tmp_path / "deals_am.csv", 2026)  # type: ignore[arg-type]
    # 2 % x 100,000 + 6 % x 50,000; internal excluded; unknown type takes the 0 default
    assert pay(r, "M", "2026-01", "deal_commission") == "5000.00"
    # expansion a = 50,000/300,000 -> 0.5 x 1/6 = 0.08333 x 20,000, paid at the quarter end
    assert lines(r, "M", "expansion_incentive") == {"2026-03": "1666.67", "2026-06": "6666.66"}
    # renewals 280,000/300,000 >= 90 %: 20 % of 40,000 in December
    assert pay(r, "M", "2026-12", "retention_bonus") == "8000.00"


def test_assignment_moves_a_payee_between_plans(tmp_path: Path) -> None:
    case = Case(tmp_path)
    case.roster = [person("X", "ae-2026", base_salary=120000, target_incentive=50000,
                          quota=1000000),
                   person("R", "ae-2026", manager_id="X", base_salary=1, target_incentive=1,
                          quota=1)]
    case.deals = [deal("D1", "X", 100000, "2026-03-10"), deal("D2", "X", 100000, "2026-08-10"),
                  deal("D3", "R", 250000, "2026-08-10")]
    p = case.paths()
    assignments = tmp_path / "assignments.csv"
    assignments.write_text("payee_id,plan,start_date,end_date\n"
                           "X,ae-2026,2026-01-01,2026-06-30\nX,mgr-2026,2026-07-01,\n"
                           "R,ae-2026,,\n")
    inputs = load_inputs(p["roster"], p["deals"], assignments=assignments)  # type: ignore[arg-type]
    r = evaluate_inputs(load_plans(PLANS), inputs, 2026)
    salary = lines(r, "X", "base_salary")
    assert len(salary) == 12 and set(salary.values()) == {"10000.00"}
    # as AE until June: Q and TI prorated alike, so E = 5 % of bookings below quota
    assert pay(r, "X", "2026-03", "commission") == "5000.00"
    assert reasons(r, deal_id="D2", payee_id="X") == ["payee not on plan ae-2026 on that date"]
    # as manager from July: Q3 quota 1e6 x 25 % = 250,000, reached by R -> 10,000 x 1.0 / 4
    assert pay(r, "X", "2026-09", "team_incentive") == "12500.00"


def test_overlay_plan_pays_beside_the_main_plan(tmp_path: Path) -> None:
    case = Case(tmp_path)
    case.roster = [person("X", "ae-2026", base_salary=120000, target_incentive=50000,
                          quota=1000000)]
    case.deals = [deal("D1", "X", 110000, "2026-03-10")]
    p = case.paths()
    assignments = tmp_path / "assignments.csv"
    assignments.write_text("payee_id,plan,start_date,end_date\nX,ae-2026,,\nX,partner-2026,,\n")
    inputs = load_inputs(p["roster"], p["deals"], assignments=assignments)  # type: ignore[arg-type]
    r = evaluate_inputs(load_plans(PLANS), inputs, 2026)
    assert pay(r, "X", "2026-03", "commission") == "5500.00"
    assert pay(r, "X", "2026-03", "partner_commission") == "7700.00"


KPI_PLAN = """
plan: bdr-kpi
measures:
  calls:
    table: activities
    filter: {column: type, eq: call}
    value: count
    date: date
    credit_to: {column: payee_id}
  nps:
    table: kpis
    filter: {column: kpi, eq: nps}
    value: value
    date: period
    credit_to: {column: payee_id}
    aggregate: mean
quotas:
  calls: {source: constant, amount: 1200}
  nps: {source: constant, amount: 50}
components:
  - {id: calls_bonus, kind: bonus, period: month, amount: 100,
     condition: {measure: calls, at_least: 1.0}}
  - {id: nps_bonus, kind: bonus, period: quarter, amount: 300,
     condition: {measure: nps, at_least: 1.0}}
"""


def test_activity_and_kpi_tables_feed_measures(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, KPI_PLAN)
    roster = pd.DataFrame([person("B", "bdr-kpi")])
    calls = [{"payee_id": "B", "type": "call", "date": "2026-01-15"}] * 100
    calls += [{"payee_id": "B", "type": "call", "date": "2026-02-15"}] * 99
    calls += [{"payee_id": "B", "type": "email", "date": "2026-02-16"}] * 5
    kpis = pd.DataFrame({"payee_id": "B", "kpi": "nps",
                         "period": ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                                    "2026-06"],
                         "value": [40, 60, 55, 45, 50, 50]})
    r = evaluate(plans, roster, pd.DataFrame(columns=["deal_id", "owner_id", "amount"]), 2026,
                 tables={"activities": pd.DataFrame(calls), "kpis": kpis})
    # 1,200 calls a year = 100 a month: January reaches, February (99 calls) does not
    assert lines(r, "B", "calls_bonus") == {"2026-01": "100.00"}
    # Q1 NPS mean 51.67 >= 50 pays; Q2 mean 48.33 does not
    assert lines(r, "B", "nps_bonus") == {"2026-03": "300.00"}


CLAWBACK_PLAN = """
plan: keep-quota
measures:
  bookings:
    filter: {column: stage, eq: Closed Won}
    value: amount
    date: close_date
    credit_to: {column: owner_id}
    clawback: {within_days: 90, reduces_quota_credit: false}
quotas:
  bookings: {source: constant, amount: 400000}
components:
  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: quarter
    schedule: {mode: retroactive, tiers: [{from: 0, rate: 0.10}]}
    gate: {measure: bookings, at_least: 1.0}
"""


def test_clawback_that_keeps_quota_credit(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, CLAWBACK_PLAN)
    roster = pd.DataFrame([person("A", "keep-quota")])
    deals = pd.DataFrame([deal("D1", "A", 100000, "2026-01-10", cancel_date="2026-02-10"),
                          deal("D2", "A", 20000, "2026-02-20")])
    r = evaluate(plans, roster, deals, 2026)
    # attainment keeps the cancelled 100,000: 120,000 / 100,000 >= 1, so the gate opens,
    # but pay is on value after the clawback: 10 % x 20,000
    assert lines(r, "A", "commission") == {"2026-03": "2000.00"}


def test_inputs_from_xlsx_and_parquet_match_csv(case: Case, tmp_path: Path) -> None:
    case.roster = [person("A", "ae-2026", base_salary=120000, target_incentive=50000,
                          quota=1000000)]
    case.deals = [deal("D1", "A", 123456.78, "2026-02-10", term_months=24)]
    p = case.paths()
    from_csv = case.run().payouts
    roster = pd.read_csv(str(p["roster"]), dtype=str, keep_default_na=False)
    deals = pd.read_csv(str(p["deals"]), dtype=str, keep_default_na=False)
    roster.to_excel(tmp_path / "roster.xlsx", index=False)
    deals.assign(close_date=pd.to_datetime(deals["close_date"])).to_excel(
        tmp_path / "deals.xlsx", index=False)
    roster.to_parquet(tmp_path / "roster.parquet")
    deals.to_parquet(tmp_path / "deals.parquet")
    plans = load_plans(PLANS)
    for ext in ("xlsx", "parquet"):
        inputs = load_inputs(tmp_path / f"roster.{ext}", tmp_path / f"deals.{ext}")
        got = evaluate_inputs(plans, inputs, 2026).payouts
        pd.testing.assert_frame_equal(got, from_csv)


def test_salesforce_preset_maps_headers_and_us_dates(case: Case, tmp_path: Path) -> None:
    case.roster = [person("A", "ae-2026", base_salary=120000, target_incentive=50000,
                          quota=1000000)]
    p = case.paths()
    export = tmp_path / "sfdc.csv"
    export.write_text(
        "Opportunity ID,Split Owner ID,Split Percentage,Amount,Stage,Close Date,"
        "Contract Term (Months),Cancellation Date,Lead Source\n"
        "006A,A,1,100000,Closed Won,2/10/2026,24,,Web\n")
    from compplan.inputs.mapping import load_mapping
    inputs = load_inputs(p["roster"], export, mapping=load_mapping("salesforce"))  # type: ignore[arg-type]
    r = evaluate_inputs(load_plans(PLANS), inputs, 2026)
    assert pay(r, "A", "2026-02", "commission") == "5000.00"
    assert pay(r, "A", "2026-02", "spiff_multiyear") == "500.00"


def test_hubspot_preset_maps_stage_ids(case: Case, tmp_path: Path) -> None:
    case.roster = [person("A", "partner-2026")]
    p = case.paths()
    export = tmp_path / "hubspot.csv"
    export.write_text("Record ID,Deal owner ID,Split share,Amount,Deal Stage,Close Date,"
                      "Cancellation date\n"
                      "1,A,,1000,closedwon,2026-02-10,\n2,A,,5000,closedlost,2026-02-11,\n")
    from compplan.inputs.mapping import load_mapping
    inputs = load_inputs(p["roster"], export, mapping=load_mapping("hubspot"))  # type: ignore[arg-type]
    r = evaluate_inputs(load_plans(PLANS), inputs, 2026)
    assert pay(r, "A", "2026-02", "partner_commission") == "50.00"


DEAL_SIZE_PLAN = """
plan: deal-size
measures:
  bookings:
    filter: {column: stage, eq: Closed Won}
    value: amount
    date: close_date
    credit_to: {column: owner_id}
    clawback: {within_days: 90}
quotas:
  bookings: {source: constant, amount: 1200000}
components:
  - id: deal_commission
    kind: commission
    measure: bookings
    basis: value
    apply: per_credit
    period: month
    pay_every: quarter
    schedule: {mode: marginal, tiers: [{from: 0, rate: 0.05}, {from: 50000, rate: 0.08}]}
    multiplier:
      measure: bookings
      below: 0.8
      tiers: [{from: 0.5, factor: 1.0}, {from: 1.0, factor: 1.25}]
"""


def test_per_deal_tiers_multiplier_and_quarterly_pay(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, DEAL_SIZE_PLAN)
    roster = pd.DataFrame([person("A", "deal-size")])
    deals = pd.DataFrame([
        deal("D1", "A", 80000, "2026-01-10", cancel_date="2026-03-05"),
        deal("D2", "A", 30000, "2026-01-20"),
        deal("D3", "A", 40000, "2026-02-10"),
        deal("D4", "A", 60000, "2026-04-10"),
    ])
    r = evaluate(plans, roster, deals, 2026)
    # Jan: (2,500 + 2,400) + 1,500 = 6,400 x 1.25 (110 % of 100,000) = 8,000
    # Feb: 2,000 x 0.8 (40 %) = 1,600; Mar: -4,900 clawed back x 0.8 = -3,920
    # paid at the quarter end: 8,000 + 1,600 - 3,920; Q2: 3,300 x 1.0 (60 %)
    assert lines(r, "A", "deal_commission") == {"2026-03": "5680.00", "2026-06": "3300.00"}


def test_overlapping_assignments_to_one_plan_are_refused(tmp_path: Path) -> None:
    case = Case(tmp_path)
    case.roster = [person("X", "partner-2026")]
    p = case.paths()
    assignments = tmp_path / "assignments.csv"
    assignments.write_text("payee_id,plan,start_date,end_date\n"
                           "X,partner-2026,2026-01-01,2026-06-30\n"
                           "X,partner-2026,2026-06-01,\n")
    with pytest.raises(InputError, match=r"row 3, start_date: payee 'X' is assigned to "
                                         r"partner-2026 twice"):
        load_and_run(p, assignments)


def load_and_run(p: dict[str, Path | None], assignments: Path) -> object:
    inputs = load_inputs(p["roster"], p["deals"], assignments=assignments)  # type: ignore[arg-type]
    return evaluate_inputs(load_plans(PLANS), inputs, 2026)


DRAW_PLAN = ten_percent_plan(
    "draws", more="  - {id: guarantee, kind: draw, amount: 3000, recoverable: false, "
    "first_months: 3}\n")


def test_non_recoverable_draw_tops_up_to_the_guarantee(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, DRAW_PLAN)
    roster = pd.DataFrame([person("A", "draws", start_date="2026-01-01")])
    deals = pd.DataFrame([deal("D1", "A", 10000, "2026-01-10"),
                          deal("D3", "A", 40000, "2026-03-10")])
    r = evaluate(plans, roster, deals, 2026)
    # variable 1,000 / 0 / 4,000 in the first three months; guarantee 3,000, then none
    assert lines(r, "A", "guarantee") == {"2026-01": "2000.00", "2026-02": "3000.00"}


def test_advance_is_recovered_at_most_so_much_a_month(tmp_path: Path) -> None:
    text = DRAW_PLAN.replace(
        "{id: guarantee, kind: draw, amount: 3000, recoverable: false, first_months: 3}",
        "{id: advance, kind: advance, amount: 2000, max_recovery: 1500, first_months: 2}")
    plans = plan_folder(tmp_path, text)
    roster = pd.DataFrame([person("A", "draws", start_date="2026-01-01")])
    deals = pd.DataFrame([deal("D2", "A", 10000, "2026-02-10"),
                          deal("D3", "A", 50000, "2026-03-10"),
                          deal("D5", "A", 40000, "2026-05-10")])
    r = evaluate(plans, roster, deals, 2026)
    # Jan +2,000 (owed 2,000); Feb recover 1,000 of 1,000 pay, +2,000 (owed 3,000);
    # Mar recover 1,500 (cap; owed 1,500); Apr nothing; May recover the last 1,500
    assert lines(r, "A", "advance") == {"2026-01": "2000.00", "2026-02": "1000.00",
                                        "2026-03": "-1500.00", "2026-05": "-1500.00"}
    assert not r.exceptions["reason"].str.contains("not recovered").any()


def test_unrecovered_advance_of_a_leaver_is_reported(tmp_path: Path) -> None:
    text = DRAW_PLAN.replace(
        "{id: guarantee, kind: draw, amount: 3000, recoverable: false, first_months: 3}",
        "{id: advance, kind: advance, amount: 2000}")
    plans = plan_folder(tmp_path, text)
    roster = pd.DataFrame([person("A", "draws", start_date="2026-01-01",
                                  end_date="2026-02-28")])
    r = evaluate(plans, roster, pd.DataFrame([deal("D1", "A", 5000, "2026-02-10")]), 2026)
    # 2,000 + 2,000 advanced, 500 recovered in February: 3,500 left when A leaves
    row = r.exceptions[r.exceptions["reason"].str.contains("not recovered")]
    assert row["value"].tolist() == [3500.0] and row["payee_id"].tolist() == ["A"]


CREDIT_CAP_PLAN = f"""
plan: capped
{bookings_measure("    clawback: {within_days: 90}")}components:
  - id: deal_commission
    kind: commission
    measure: bookings
    basis: value
    apply: per_credit
    period: month
    schedule: {{mode: retroactive, tiers: [{{from: 0, rate: 0.05}}]}}
    cap: {{amount: 200, per: credit}}
  - id: by_type
    kind: rate_table
    measure: bookings
    key: deal_type
    rates: {{new: 0.02, renewal: 0.01}}
    cap: {{amount: 150, per: credit}}
"""


def test_a_cap_per_credit_caps_each_deal_and_its_clawback(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, CREDIT_CAP_PLAN)
    roster = pd.DataFrame([person("A", "capped")])
    deals = pd.DataFrame([
        deal("D1", "A", 10000, "2026-01-10", cancel_date="2026-02-20", deal_type="new"),
        deal("D2", "A", 2000, "2026-01-20", deal_type="renewal")])
    r = evaluate(plans, roster, deals, 2026)
    # D1: 5 % of 10,000 = 500, capped at 200; D2: 100. February takes back D1's 200.
    assert lines(r, "A", "deal_commission") == {"2026-01": "300.00", "2026-02": "-200.00"}
    # D1: 2 % = 200, capped at 150; D2: 1 % = 20; February: -150.
    assert lines(r, "A", "by_type") == {"2026-01": "170.00", "2026-02": "-150.00"}
    assert "new x 0.02 = 150.00 (capped at 150.00 a credit)" in r.explain("A", "2026-01")


def test_a_cap_per_credit_on_a_total_is_refused(tmp_path: Path) -> None:
    text = CREDIT_CAP_PLAN.replace("    apply: per_credit\n", "")
    with pytest.raises(PlanError, match=r"components\[0\].cap.per: a cap per credit needs a "
                                        r"component priced per credit"):
        load_plans(plan_folder(tmp_path, text))


def gated_plan(gate: str) -> str:
    return f"""
plan: gated
{bookings_measure()}quotas:
  bookings: {{source: constant, amount: 400000}}
components:
  - id: quarterly
    kind: commission
    measure: bookings
    basis: value
    period: quarter
    schedule: {{mode: retroactive, tiers: [{{from: 0, rate: 0.05}}]}}
    gate: {gate}
"""


@pytest.mark.parametrize(("gate", "paid"), [
    # held until year-to-date bookings reach the 400,000 quota (September): 5,000 +
    # 7,500 + 10,000 then; December's 2,500 when paid
    ("{measure: bookings, period: ytd, at_least: 1.0}",
     {"2026-09": "22500.00", "2026-12": "2500.00"}),
    ("{measure: bookings, period: ytd, at_least: 1.0, missed: forfeit}",
     {"2026-09": "10000.00", "2026-12": "2500.00"}),
    # a year gate is known in December only: all four quarters paid then
    ("{measure: bookings, period: year, at_least: 1.0}", {"2026-12": "25000.00"}),
])
def test_a_gate_over_another_period_holds_or_forfeits(tmp_path: Path, gate: str,
                                                      paid: dict[str, str]) -> None:
    roster = pd.DataFrame([person("A", "gated")])
    deals = pd.DataFrame([deal("Q1", "A", 100000, "2026-02-10"),
                          deal("Q2", "A", 150000, "2026-05-10"),
                          deal("Q3", "A", 200000, "2026-08-10"),
                          deal("Q4", "A", 50000, "2026-11-10")])
    r = evaluate(plan_folder(tmp_path, gated_plan(gate)), roster, deals, 2026)
    assert lines(r, "A", "quarterly") == paid
    if "forfeit" not in gate and "year" not in gate:
        assert ("gate (ytd attainment >= 1): not met; held until it is: 12,500.00"
                in r.explain("A", "2026-06"))


def test_pay_held_for_a_gate_never_met_is_reported(tmp_path: Path) -> None:
    roster = pd.DataFrame([person("A", "gated")])
    deals = pd.DataFrame([deal("Q1", "A", 100000, "2026-02-10"),
                          deal("Q3", "A", 250000, "2026-08-10")])
    r = evaluate(plan_folder(tmp_path, gated_plan(
        "{measure: bookings, period: ytd, at_least: 1.0}")), roster, deals, 2026)
    assert lines(r, "A", "quarterly") == {}
    assert ("quarterly: held for its gate (ytd attainment >= 1), never met by the end of "
            "the year: not paid") in reasons(r, payee_id="A")
    held = r.exceptions[r.exceptions["reason"].str.startswith("quarterly: held")]
    assert held["value"].astype(float).tolist() == [17500.0]  # 5,000 + 12,500


TOTAL_CAP_PLAN = f"""
plan: capped-total
{bookings_measure("    clawback: {within_days: 120}")}quotas:
  bookings: {{source: constant, amount: 400000}}
components:
  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: month
    schedule: {{mode: retroactive, tiers: [{{from: 0, rate: 0.10}}]}}
  - id: bonus
    kind: bonus
    period: quarter
    amount: 2500
    condition: {{measure: bookings, at_least: 1.0}}
caps:
  - {{components: [commission, bonus], amount: 30000, per: year}}
"""


def test_a_total_cap_cuts_the_month_that_crosses_it_and_pays_back_after_a_clawback(
        tmp_path: Path) -> None:
    roster = pd.DataFrame([person("A", "capped-total")])
    deals = pd.DataFrame([deal("D1", "A", 100000, "2026-01-10"),
                          deal("D2", "A", 150000, "2026-02-10", cancel_date="2026-05-10"),
                          deal("D3", "A", 100000, "2026-03-10"),
                          deal("D4", "A", 50000, "2026-04-10")])
    r = evaluate(plan_folder(tmp_path, TOTAL_CAP_PLAN), roster, deals, 2026)
    # uncapped: Jan 10,000, Feb 15,000, Mar 10,000 + bonus 2,500 (Q1 350,000 >= 100,000),
    # Apr 5,000, May -15,000 (D2's clawback reverses February): running 10,000, 25,000,
    # 37,500, 42,500, 27,500. Capped at 30,000: March is cut 7,500 (the bonus' 2,500
    # first, then 5,000 of commission), April 5,000; May falls to 27,500, so the 12,500
    # cut is paid back (commission's 10,000 first, then the bonus' 2,500).
    assert lines(r, "A", "commission") == {"2026-01": "10000.00", "2026-02": "15000.00",
                                           "2026-03": "5000.00", "2026-05": "-5000.00"}
    assert lines(r, "A", "bonus") == {"2026-05": "2500.00"}
    assert "total cap (caps): -5000.00 this month" in r.explain("A", "2026-03")
    pr = r.by_plan["capped-total"]
    draws = plan_draws(pr, r.inputs, np.ones((2, pr.frame.size)))
    assert np.allclose(draws["variable"], 27500.0)  # the Monte Carlo caps alike


def test_a_total_cap_names_variable_components_of_the_plan(tmp_path: Path) -> None:
    text = TOTAL_CAP_PLAN.replace("[commission, bonus]", "[commission, bonuz]")
    with pytest.raises(PlanError, match=r"caps\[0\].components\[1\]: unknown component 'bonuz'"):
        load_plans(plan_folder(tmp_path, text))


GOALS_PLAN = """
plan: goals
measures:
  calls:
    table: activities
    value: count
    date: date
    credit_to: {column: payee_id}
  nps:
    table: kpis
    value: value
    date: period
    credit_to: {column: payee_id}
    aggregate: mean
quotas:
  calls: {source: constant, amount: 1200}
components:
  - id: goals
    kind: level_table
    period: quarter
    target: {amount: 8000}
    goals:
      - {measure: nps, decimals: 0, weight: 0.6,
         levels: [{from: 40, payout: 0.5}, {from: 50, payout: 1.0}, {from: 60, payout: 1.5}]}
      - {measure: calls, basis: attainment, decimals: 1, weight: 0.4,
         levels: [{from: 0.8, payout: 0.5}, {from: 1.0, payout: 1.0}, {from: 1.2, payout: 2.0}]}
"""


def test_a_level_table_rounds_each_score_and_weights_the_levels(tmp_path: Path) -> None:
    roster = pd.DataFrame([person("B", "goals")])
    calls = ([{"payee_id": "B", "date": "2026-01-15"}] * 100
             + [{"payee_id": "B", "date": "2026-02-15"}] * 99
             + [{"payee_id": "B", "date": "2026-07-15"}] * 290)
    kpis = pd.DataFrame({"payee_id": "B", "period": [f"2026-{m:02d}" for m in range(1, 10)],
                         "value": [40, 60, 55, 45, 50, 50, 49, 50, 49.5]})
    r = evaluate(plan_folder(tmp_path, GOALS_PLAN), roster,
                 pd.DataFrame(columns=["deal_id", "owner_id", "amount"]), 2026,
                 tables={"activities": pd.DataFrame(calls), "kpis": kpis})
    # quarter target 8,000 / 4 = 2,000.
    # Q1: NPS 51.67 -> 52 -> 100 %; calls 199 / 300 = 0.663 -> 0.7 -> below 0.8: 0.
    #     2,000 x (0.6 x 1.0 + 0.4 x 0) = 1,200.
    # Q2: NPS 48.33 -> 48 -> 50 %; no calls: 2,000 x 0.3 = 600.
    # Q3: NPS 49.5 -> 50 (half up) -> 100 %; calls 290 / 300 = 0.967 -> 1.0 -> 100 %:
    #     2,000 x (0.6 + 0.4) = 2,000. Q4: no NPS score, no calls: nothing.
    assert lines(r, "B", "goals") == {"2026-03": "1200.00", "2026-06": "600.00",
                                      "2026-09": "2000.00"}
    told = r.explain("B", "2026-09")
    assert "goal 1: nps value 50 (rounded to 0) -> level payout 100.00% x weight 0.6" in told
    assert "goal 2: calls attainment 1 (rounded to 1) -> level payout 100.00% x weight 0.4" in told


def test_levels_must_increase(tmp_path: Path) -> None:
    text = GOALS_PLAN.replace("{from: 50, payout: 1.0}", "{from: 30, payout: 1.0}")
    with pytest.raises(PlanError, match=r"components\[0\].goals\[0\].levels\[1\].from: levels "
                                        r"must increase: 30 is not above 40"):
        load_plans(plan_folder(tmp_path, text))
