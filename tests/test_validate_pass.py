"""``compplan validate`` in one pass: schema mistakes and names that point nowhere
together; a percentage written as text is an error, a rate above 1 on money a warning."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from compplan.cli import app
from tests.conftest import plan_folder

runner = CliRunner()

PLAN = """plan: p
measures:
  bookings: {value: amount, date: close_date, credit_to: {column: owner_id}}
components:
  - id: c
    kind: commission
    measure: bokings
    basis: value
    period: month
    schedule: {mode: marginal, tiers: [{from: 0, rate: 5%}]}
"""


def test_schema_and_reference_mistakes_in_one_pass(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(plan_folder(tmp_path, PLAN))])
    assert res.exit_code == 2
    assert "plan.yaml:7: components[0].measure: unknown measure 'bokings' (defined: " \
           "bookings)" in res.output
    assert "plan.yaml:10: components[0].schedule.tiers[0].rate: '5%' is not a number: " \
           "write 0.05 for 5%" in res.output


def test_a_rate_above_one_on_money_is_a_warning(tmp_path: Path) -> None:
    text = PLAN.replace("bokings", "bookings").replace("rate: 5%", "rate: 5")
    res = runner.invoke(app, ["validate", str(plan_folder(tmp_path, text))])
    assert res.exit_code == 0, res.output
    assert ("warning: " in res.output and "components[0].schedule.tiers[0].rate: rate 5 on "
            "money pays 5 times the value: did you mean 0.05 (5 %)?" in res.output)
