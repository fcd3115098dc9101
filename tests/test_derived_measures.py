"""Derived measures: arithmetic over a row's columns (``row:``) or over other measures
per period (``period:``), parsed into a tree, never evaluated as code. Each case is
computed by hand in its comment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from compplan.api import evaluate
from compplan.errors import PlanError
from compplan.plan.load import load_plans
from tests.conftest import deal, lines, person, plan_folder

MEASURES = """measures:
  bookings:
    filter: {column: stage, eq: Closed Won}
    value: amount
    date: close_date
    credit_to: {column: owner_id}
  margin:
    filter: {column: stage, eq: Closed Won}
    value: margin
    date: close_date
    credit_to: {column: owner_id}
  margin_pct: {period: margin / bookings}
"""

ROSTER = pd.DataFrame([person("A", "derived", start_date="2026-01-01")])
DEALS = pd.DataFrame([
    deal("D1", "A", 100000, "2026-01-10", margin=30000),
    deal("D2", "A", 50000, "2026-02-10", margin=30000),
    deal("D3", "A", 100000, "2026-05-10", margin=28000),
    deal("D4", "A", 0, "2026-11-10", margin=5000)])  # a margin correction, no bookings


def plan(components: str, measures: str = MEASURES, quotas: str = "") -> str:
    return f"plan: derived\n{measures}{quotas}components:\n{components}"


def test_a_ratio_of_sums_per_period_as_a_tier_basis(tmp_path: Path) -> None:
    text = plan("""  - id: margin_kicker
    kind: commission
    measure: margin_pct
    basis: value
    period: quarter
    schedule: {mode: retroactive, tiers: [{from: 0.25, to: 0.35, amount: 500},
                                          {from: 0.35, amount: 1000}]}
""")
    r = evaluate(plan_folder(tmp_path, text), ROSTER, DEALS, 2026)
    # Q1: 60,000 / 150,000 = 0.40 (the ratio of the sums, not the mean 0.45 of the
    # deals' ratios): 1,000. Q2: 28,000 / 100,000 = 0.28: 500. Q3: nothing booked, 0/0:
    # no pay and no exception. Q4: 5,000 / 0: no pay, an exception line
    assert lines(r, "A", "margin_kicker") == {"2026-03": "1000.00", "2026-06": "500.00"}
    assert r.exceptions["reason"].tolist() == [
        "margin_pct = margin / bookings: division by zero, no pay"]
    assert r.exceptions["period"].tolist() == ["2026-Q4"]
    text = r.explain("A", "2026-03")
    assert ("margin_pct = margin / bookings: margin 60,000.00, bookings 150,000.00 (over "
            "the quarter)") in text


def test_a_derived_measure_as_a_gate_on_its_quota(tmp_path: Path) -> None:
    quotas = ("quotas:\n  margin_pct: {source: constant, amount: 0.3, prorate: false}\n")
    text = plan("""  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: quarter
    schedule: {mode: retroactive, tiers: [{from: 0, rate: 0.1}]}
    gate: {measure: margin_pct, at_least: 1.0}
""", quotas=quotas)
    r = evaluate(plan_folder(tmp_path, text), ROSTER, DEALS, 2026)
    # a ratio's quota is a level, the same 0.3 each quarter: Q1 0.40 / 0.3 reaches the
    # gate, 10 % of 150,000 = 15,000; Q2 0.28 / 0.3 = 93 % does not: nothing
    assert lines(r, "A", "commission") == {"2026-03": "15000.00"}


def test_row_arithmetic_is_the_credit_value(tmp_path: Path) -> None:
    measures = """measures:
  cost:
    filter: {column: stage, eq: Closed Won}
    row: amount - margin
    date: close_date
    credit_to: {column: owner_id}
"""
    text = plan("""  - id: commission
    kind: commission
    measure: cost
    basis: value
    period: month
    schedule: {mode: retroactive, tiers: [{from: 0, rate: 0.1}]}
""", measures)
    r = evaluate(plan_folder(tmp_path, text), ROSTER, DEALS, 2026)
    # Jan 100,000 - 30,000 = 70,000: 7,000; Feb 20,000: 2,000; May 72,000: 7,200;
    # Nov 0 - 5,000 = -5,000 pays nothing below the first tier
    assert lines(r, "A", "commission") == {"2026-01": "7000.00", "2026-02": "2000.00",
                                           "2026-05": "7200.00"}


def test_a_row_divided_by_zero_is_an_exception_not_a_credit(tmp_path: Path) -> None:
    measures = MEASURES.replace("  margin_pct: {period: margin / bookings}\n", """  pct:
    filter: {column: stage, eq: Closed Won}
    row: margin / amount
    aggregate: mean
    date: close_date
    credit_to: {column: owner_id}
""")
    text = plan("""  - id: bonus
    kind: bonus
    period: quarter
    amount: 100
    condition: {measure: pct, at_least: 1.0}
""", measures, "quotas:\n  pct: {source: constant, amount: 0.3, prorate: false}\n")
    r = evaluate(plan_folder(tmp_path, text), ROSTER, DEALS, 2026)
    e = r.exceptions
    assert e[e["measure"] == "pct"][["deal_id", "reason"]].values.tolist() == [
        ["D4", "margin / amount: division by zero, nothing to credit"]]
    assert r.conservation()["ok"].all()


@pytest.mark.parametrize(("measure", "message", "column"), [
    ("  margin_pct: {period: margin / / bookings}\n",
     "column 10 of 'margin / / bookings': expected a number, a name, '-' or '(' but found '/'",
     33),
    ("  margin_pct: {period: 'margin ^ 2'}\n",
     "column 8 of 'margin ^ 2': unexpected '^'", 32),
    ("  margin_pct: {period: (margin / bookings}\n", "expected ')'", None),
])
def test_expression_mistakes_name_file_line_and_column(tmp_path: Path, measure: str,
                                                       message: str, column: int | None
                                                       ) -> None:
    text = plan("  - {id: base, kind: salary, column: base_salary}\n",
                MEASURES.replace("  margin_pct: {period: margin / bookings}\n", measure))
    with pytest.raises(PlanError) as err:
        load_plans(plan_folder(tmp_path, text))
    said = str(err.value)
    assert message in said
    if column is not None:
        assert f"plan.yaml:13:{column}: measures.margin_pct.period:" in said


@pytest.mark.parametrize(("measure", "component", "message"), [
    ("  margin_pct: {period: margin / bokings}\n", "",
     "unknown measure 'bokings'"),
    ("  margin_pct: {period: margin / ratio}\n  ratio: {period: margin_pct * 2}\n", "",
     "'margin_pct' is derived from itself: margin_pct -> ratio -> margin_pct"),
    ("  margin_pct: {period: margin / bookings, table: deals}\n", "",
     "a measure derived per period has no table"),
    ("", "  - {id: s, kind: spiff, measure: margin_pct, amount: 5, per_split: false}\n",
     "'margin_pct' is derived per period: it has no credits for a spiff"),
])
def test_derived_measure_mistakes(tmp_path: Path, measure: str, component: str,
                                  message: str) -> None:
    measures = MEASURES.replace("  margin_pct: {period: margin / bookings}\n",
                                measure or "  margin_pct: {period: margin / bookings}\n")
    text = plan("  - {id: base, kind: salary, column: base_salary}\n" + component, measures)
    with pytest.raises(PlanError) as err:
        load_plans(plan_folder(tmp_path, text))
    assert message in str(err.value) and "plan.yaml:" in str(err.value)
