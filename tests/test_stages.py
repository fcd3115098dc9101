"""The stages one at a time: ingest, the check list, sources and credits, a component,
and the trace, each on a few rows whose result is computed by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compplan.core.periods import Calendar
from compplan.engine.checks import CHECKS, Subject, run_checks
from compplan.engine.components import Context, eval_commission
from compplan.engine.credits import build_credits, first_of_each
from compplan.engine.measures import plan_frame
from compplan.engine.people import People
from compplan.engine.pipeline import prepare
from compplan.engine.sources import Sources
from compplan.engine.trace import Step, read, tier_reached
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import ROW_COLUMN, parse_table, table_from_frame
from compplan.inputs.tables import spec_for
from compplan.plan.load import load_plans
from compplan.schema import Commission
from tests.conftest import bookings_measure, deal, person, plan_folder, ten_percent_plan

TIERED = f"""
plan: t
{bookings_measure()}components:
  - id: commission
    kind: commission
    measure: bookings
    period: month
    basis: value
    schedule:
      mode: retroactive
      tiers:
        - {{from: 0, rate: 0.05}}
        - {{from: 1000, rate: 0.10}}
"""
RATE_LINE = TIERED.splitlines().index("        - {from: 1000, rate: 0.10}") + 1


def _inputs(roster: list[dict[str, object]], deals: list[dict[str, object]]) -> Inputs:
    return Inputs(roster=table_from_frame(pd.DataFrame(roster), "roster"),
                  deals=table_from_frame(pd.DataFrame(deals), "deals"))


def test_ingest_types_cells_and_names_each_bad_one() -> None:
    raw = pd.DataFrame({"deal_id": ["D1", "D2"], "owner_id": ["A", "A"],
                        "amount": ["1200.50", "twelve"], "stage": ["Won", "Won"],
                        "close_date": ["2026-03-01", "2026-13-01"]})
    frame, issues = parse_table(raw, spec_for("deals"), "deals.csv")
    assert frame["amount"].iloc[0] == 1200.50
    assert frame[ROW_COLUMN].tolist() == [2, 3]  # header is row 1
    said = {(i.field, i.message.split(":")[0]) for i in issues}
    assert any(f.startswith("row 3, amount") for f, _ in said)
    assert any(f.startswith("row 3, close_date") for f, _ in said)


def test_ingest_refuses_a_header_without_a_required_column() -> None:
    raw = pd.DataFrame({"deal_id": ["D1"], "amount": ["1"]})
    _, issues = parse_table(raw, spec_for("deals"), "deals.csv")
    assert len(issues) == 1 and "missing required column(s) owner_id" in issues[0].message


def test_ingest_reports_a_repeated_key_once_per_repeat() -> None:
    raw = pd.DataFrame({"payee_id": ["A", "A", "B"], "name": ["a", "a2", "b"],
                        "plan": ["p", "p", "p"], "start_date": ["2026-01-01"] * 3,
                        "end_date": [""] * 3})
    _, issues = parse_table(raw, spec_for("roster"), "roster.csv")
    assert [i.field for i in issues] == ["row 3, payee_id"]


def test_every_check_runs_and_all_their_issues_come_together(tmp_path: Path) -> None:
    plans = load_plans(plan_folder(tmp_path, ten_percent_plan("p")))
    inputs = _inputs([person("A", "p", start_date="2026-05-01", end_date="2026-04-01"),
                      person("B", "nope")], [deal("D1", "A", 100.0, "2026-05-02")])
    issues = run_checks(Subject(plans, inputs, Calendar(2026)))
    assert [(i.field, i.message.split(" (")[0]) for i in issues] == [
        ("row 2, end_date", "end_date is before start_date"),
        ("row 3, plan", "unknown plan id 'nope'"),
    ]
    assert len(CHECKS) == 9


def test_sources_code_each_rows_payee_against_the_roster(tmp_path: Path) -> None:
    inputs = _inputs([person("A", "p")], [deal("D1", "A", 1.0, "2026-01-05"),
                                          deal("D2", "Z", 1.0, "2026-01-05")])
    codes, _, names = Sources(inputs, People.from_inputs(inputs)).payees("deals", "owner_id")
    assert codes.tolist() == [0, -1]  # (-2, an empty owner, is refused by ingest)
    assert sorted(names.tolist()) == ["A", "Z"]


def test_first_of_each_marks_the_first_row_of_each_code() -> None:
    assert first_of_each(np.array([3, 1, 3, 2, 1])).tolist() == [True, True, False, True, False]


def test_credits_one_row_per_won_deal_on_its_close_month(tmp_path: Path) -> None:
    plans = load_plans(plan_folder(tmp_path, TIERED))
    inputs = _inputs([person("A", "t")], [
        deal("D1", "A", 800.0, "2026-02-10"), deal("D2", "A", 400.0, "2026-02-20"),
        deal("D3", "A", 500.0, "2026-03-01", stage="Closed Lost")])
    calendar, seats = prepare(plans, inputs, 2026)
    credits, _ = build_credits(plans, inputs, seats, calendar)
    part = credits.part("t", "bookings")
    assert part is not None  # numbers for the pay path, labels only when read
    assert part.columns["credit_value"].tolist() == [800.0, 400.0]
    assert part.columns["month"].tolist() == [1, 1]  # February, 0-based
    assert credits.frame["deal_id"].tolist() == ["D1", "D2"]
    assert credits.frame["credit_value"].tolist() == [800.0, 400.0]


def test_a_retroactive_commission_pays_the_reached_rate_on_all(tmp_path: Path) -> None:
    plans = load_plans(plan_folder(tmp_path, TIERED))
    inputs = _inputs([person("A", "t")], [
        deal("D1", "A", 800.0, "2026-02-10"), deal("D2", "A", 400.0, "2026-02-20"),
        deal("D3", "A", 900.0, "2026-03-05")])
    calendar, seats = prepare(plans, inputs, 2026)
    credits, _ = build_credits(plans, inputs, seats, calendar)
    ctx = Context(plan_frame(plans["t"], seats, credits, calendar), inputs)
    comp = plans["t"].components[0]
    assert isinstance(comp, Commission)
    res = eval_commission(ctx, comp)
    # February 1,200 reaches the 10 % tier: 120.00; March 900 stays at 5 %: 45.00
    assert res.cents[0, 1:3].tolist() == [12000, 4500]
    assert res.trace[Step.TIER][0, 1:3].tolist() == [1.0, 0.0]
    assert res.trace[Step.TIER][0, 0] == 0.0  # nothing in January: 0 is in the first tier


def test_a_trace_names_the_plan_line_of_the_rate_used(tmp_path: Path) -> None:
    plans = load_plans(plan_folder(tmp_path, TIERED))
    got = read(plans["t"], ("components", 0, "schedule", "tiers", 1, "rate"))
    assert str(got) == f"rate 0.1 from {tmp_path / 'plans' / 'plan.yaml'}:{RATE_LINE}"


def test_where_a_plan_was_written_is_not_part_of_its_value(tmp_path: Path) -> None:
    one = load_plans(plan_folder(tmp_path / "a", TIERED))["t"]
    two = load_plans(plan_folder(tmp_path / "b", "\n\n" + TIERED))["t"]
    assert one == two and hash(one) == hash(two)
    assert one.source_line(("components",)) != two.source_line(("components",))


def test_tier_reached_below_the_first_tier_is_none() -> None:
    assert np.isnan(tier_reached(np.array([100.0]), np.array([50.0]))).all()


def test_explain_says_which_rule_and_plan_line_made_a_line(tmp_path: Path) -> None:
    from compplan.result import evaluate

    plans = load_plans(plan_folder(tmp_path, TIERED))
    inputs = _inputs([person("A", "t")], [deal("D1", "A", 1200.0, "2026-02-10")])
    text = evaluate(plans, inputs, 2026).explain("A", "2026-02")
    assert "    rule: components[0] at " in text
    assert f"tier 2 from 1000: rate 0.1 from {tmp_path / 'plans' / 'plan.yaml'}:{RATE_LINE}" in text


def test_a_statement_names_the_plan_file_without_its_folder(tmp_path: Path) -> None:
    from compplan.reports.explain import explain_components
    from compplan.result import evaluate

    plans = load_plans(plan_folder(tmp_path, TIERED))
    inputs = _inputs([person("A", "t")], [deal("D1", "A", 1200.0, "2026-02-10")])
    told = explain_components(evaluate(plans, inputs, 2026), "A", "2026-02", private=True)
    text = "\n".join(line for _, _, lines in told for line in lines)
    assert f"rate 0.1 from plan.yaml:{RATE_LINE}" in text
    assert str(tmp_path) not in text
