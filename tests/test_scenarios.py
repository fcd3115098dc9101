"""Scenarios: each change type with a hand-computed effect; an empty scenario is the
baseline to the cent; shipped scenarios load; simulate writes the comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.cli import app
from compplan.errors import PlanError
from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate
from compplan.scenarios.apply import apply
from compplan.scenarios.load import load_scenario, load_scenarios
from compplan.scenarios.run import compare
from tests.conftest import PLANS, Case, deal, lines, pay, person

ROOT = Path(__file__).resolve().parent.parent


def run_with(case: Case, text: str, tmp_path: Path) -> tuple[Result, Result]:
    p = case.paths()
    inputs = load_inputs(p["roster"], p["deals"], p["quotas"], p["accounts"])  # type: ignore[arg-type]
    plans = load_plans(PLANS)
    file = tmp_path / "s.yaml"
    file.write_text(text)
    scenario, issues = load_scenario(file)
    assert scenario is not None, issues
    changed_plans, changed_inputs = apply(plans, inputs, scenario, file)
    return evaluate(plans, inputs, 2026), evaluate(changed_plans, changed_inputs, 2026)


def ae_case(case: Case) -> None:
    case.roster = [person("A", "ae-2026", base_salary=120000, target_incentive=50000,
                          quota=1000000), person("P", "partner-2026")]
    case.deals = [deal("D1", "A", 1700000, "2026-01-20"), deal("D2", "P", 90000, "2026-01-15")]


def test_plan_fields_by_path(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    base, new = run_with(case, (ROOT / "scenarios" / "ae-richer-accelerators.yaml").read_text(),
                         tmp_path)
    assert pay(base, "A", "2026-01", "commission") == "107500.00"
    # f(1.7) = 1 + 0.5 x 2.0 + 0.2 x 3.0 = 2.6 -> 50,000 x 2.6
    assert pay(new, "A", "2026-01", "commission") == "130000.00"
    assert pay(new, "P", "2026-01", "partner_commission") == pay(base, "P", "2026-01",
                                                                   "partner_commission")


def test_cap_change(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    case.deals[0]["amount"] = 2700000
    _, new = run_with(case, (ROOT / "scenarios" / "ae-richer-accelerators.yaml").read_text(),
                      tmp_path)
    # f(2.7) = 1 + 1 + 1.2 x 3 = 5.6 -> 280,000, capped at 4 x 50,000
    assert pay(new, "A", "2026-01", "commission") == "200000.00"


def test_scale_deals(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    _, new = run_with(case, (ROOT / "scenarios" / "bookings-plus-10.yaml").read_text(), tmp_path)
    assert pay(new, "P", "2026-01", "partner_commission") == "4950.00"  # 99,000 x 5 %


def test_shift_dates_with_a_filter(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    _, new = run_with(case, """
scenario: later
data:
  - shift_dates: {table: deals, columns: [close_date], days: 31,
                  where: {column: owner_id, eq: P}}
""", tmp_path)
    assert lines(new, "P", "partner_commission") == {"2026-02": "4500.00"}
    assert pay(new, "A", "2026-01", "commission") == "107500.00"


def test_drop_and_add_payees(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    _, new = run_with(case, """
scenario: swap
data:
  - drop_rows: {table: roster, where: {column: payee_id, eq: P}}
  - add_rows:
      table: roster
      rows: [{payee_id: Q, plan: partner-2026, start_date: 2026-01-01}]
  - add_rows:
      table: deals
      rows: [{deal_id: N1, owner_id: Q, amount: 200000, stage: Closed Won,
              close_date: 2026-03-01}]
""", tmp_path)
    assert lines(new, "P", "partner_commission") == {}
    assert lines(new, "Q", "partner_commission") == {"2026-03": "14000.00"}  # 7 % of 200,000
    assert "payee not in roster" in new.exceptions["reason"].tolist()


def test_scale_quotas(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    case.deals = [deal("D1", "A", 115000, "2026-02-01")]
    base, new = run_with(case, (ROOT / "scenarios" / "quotas-plus-15.yaml").read_text(),
                         tmp_path)
    assert pay(base, "A", "2026-02", "commission") == "5750.00"
    assert pay(new, "A", "2026-02", "commission") == "5000.00"  # 115,000 / 1.15 M = 10 %


def test_replace_quotas_file(case: Case, tmp_path: Path) -> None:
    case.roster = [person("S", "sdr-2026", target_incentive=24000)]
    case.deals = [deal("D1", "S", 60000, "", created_date="2026-01-10", sdr_id="S",
                       stage="Qualified")]
    case.quotas = [{"payee_id": "S", "measure": "pipeline", "period": "2026-01",
                    "quota": 100000}]
    (tmp_path / "other.csv").write_text("payee_id,measure,period,quota\nS,pipeline,2026-01,"
                                        "60000\n")
    base, new = run_with(case, "scenario: q\ndata:\n  - replace_table: {table: quotas, "
                         "file: other.csv}\n", tmp_path)
    assert pay(base, "S", "2026-01", "pipeline_incentive") == "720.00"
    assert pay(new, "S", "2026-01", "pipeline_incentive") == "1200.00"  # 0.6 x 2,000 x 1.0


def test_a_scenario_that_changes_nothing_is_the_baseline(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    base, new = run_with(case, "scenario: same\ndescription: nothing\n", tmp_path)
    pd.testing.assert_frame_equal(base.payouts, new.payouts)
    # and the same path applies a change when there is one (not a no-op that passes)
    (tmp_path / "more").mkdir()
    _, more = run_with(case, "scenario: more\ndata:\n  - scale: {table: deals, columns: "
                       "[amount], factor: 2}\n", tmp_path / "more")
    assert not more.payouts.equals(base.payouts)


@pytest.mark.parametrize(("text", "message"), [
    ("scenario: x\nplans:\n  - plan: ae-2026\n    set: {components.nope.amount: 1}\n",
     "components.nope.amount: no item 'nope'"),
    ("scenario: x\nplans:\n  - plan: ae-2026\n    set: "
     "{components.commission.schedule.tiers.1.rate: -1}\n",
     "the changed plan ae-2026 is not valid: components[1].schedule.tiers[1].rate"),
    ("scenario: x\ndata:\n  - scale: {table: deals, columns: [stage], factor: 2}\n",
     "deals.stage is not a numeric column"),
])
def test_bad_changes_name_the_scenario_file(case: Case, tmp_path: Path, text: str,
                                            message: str) -> None:
    ae_case(case)
    with pytest.raises(PlanError) as err:
        run_with(case, text, tmp_path)
    assert str(tmp_path / "s.yaml") in str(err.value) and message in str(err.value)


def test_scenario_files_are_validated_with_lines(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("scenario: x\ndata:\n  - scale: {table: deals}\n"
                                       "colour: red\n")
    with pytest.raises(PlanError) as err:
        load_scenarios(tmp_path)
    text = str(err.value)
    assert "bad.yaml:4: colour: unknown key" in text
    assert "bad.yaml:3: data[0].scale.columns: required key is missing" in text


def test_shipped_scenarios_load() -> None:
    names = [s.scenario for s, _ in load_scenarios(ROOT / "scenarios")]
    assert {"ae-richer-accelerators", "bookings-plus-10"} <= set(names) and len(names) >= 5


def test_simulate_command(tmp_path: Path) -> None:
    case_dir = Path(__file__).parent / "cases" / "mixed-2026"
    args = ["simulate", "--plans", str(PLANS), "--scenarios", str(ROOT / "scenarios"),
            "--year", "2026", "--out", str(tmp_path / "sim")]
    for table in ("roster", "deals", "quotas", "accounts"):
        args += [f"--{table}", str(case_dir / f"{table}.csv")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "sim" / "scenarios.csv")
    assert list(table.columns) == ["scenario", "plan", "payees", "total_pay", "variable_pay",
                                   "bookings", "cost_of_sales", "share_at_quota",
                                   "median_attainment", "p90_payout"]
    assert table["scenario"].iloc[0] == "baseline"
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "sim" / "scenarios.xlsx")
    cells = {c.value for ws in book for r in ws.iter_rows() for c in r}
    assert set(table["scenario"]) <= cells  # every scenario is in the workbook
    sheet = book["Comparison"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Scenario", "Plan", "Payees"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "bookings-plus-10"
               and r[1].value == "total")
    want = table[(table["scenario"].isin(["baseline", "bookings-plus-10"]))
                 & (table["plan"] == "total")]["cost_of_sales"].tolist()
    pp = row[header.index("Cost of sales vs baseline")]
    assert pp.number_format == '+0.0 "pp";-0.0 "pp";0.0 "pp"'  # a change in points, not %
    assert pp.value == pytest.approx((want[1] - want[0]) * 100, abs=1e-6)
    money = row[header.index("Total pay vs baseline")]
    assert money.number_format == "+#,##0.00;-#,##0.00;0.00"


def test_compare_keeps_the_baseline_untouched(case: Case, tmp_path: Path) -> None:
    ae_case(case)
    p = case.paths()
    inputs = load_inputs(p["roster"], p["deals"])  # type: ignore[arg-type]
    plans = load_plans(PLANS)
    before = plans["ae-2026"].model_dump()
    c = compare(plans, inputs, 2026, ROOT / "scenarios")
    assert plans["ae-2026"].model_dump() == before
    assert inputs.deals.frame["amount"].tolist() == [1700000.0, 90000.0]
    assert set(c.metrics["scenario"]) >= {"baseline", "bookings-plus-10"}


def test_side_by_side_shows_deltas_against_the_baseline(case: Case) -> None:
    from compplan.scenarios.report import side_by_side

    ae_case(case)
    p = case.paths()
    inputs = load_inputs(p["roster"], p["deals"])  # type: ignore[arg-type]
    c = compare(load_plans(PLANS), inputs, 2026, ROOT / "scenarios" / "bookings-plus-10.yaml")
    wide = side_by_side(c.metrics, "variable_pay").set_index("plan")
    # partner: 4,500 -> 4,950; AE: commission f(1.87) = 1 + 0.75 + 0.74 = 2.49 x 50,000
    # = 124,500, plus the Q1 bonus of 2,500 both years
    assert wide.loc["partner-2026", "bookings-plus-10 vs baseline"] == pytest.approx(450.0)
    assert wide.loc["ae-2026", "bookings-plus-10"] == pytest.approx(127000.0)
    assert wide.loc["ae-2026", "bookings-plus-10 vs baseline"] == pytest.approx(17000.0)
