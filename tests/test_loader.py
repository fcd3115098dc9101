"""Plan files: one bad file per validation error, each with the exact message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compplan.errors import PlanError
from compplan.plan.jsonschema import plan_schema
from compplan.plan.load import load_plan_file, load_plan_text, load_plans
from tests.conftest import PLANS, ROOT

BAD = sorted((Path(__file__).parent / "bad_plans").glob("*.yaml"))


def test_reference_plans_load() -> None:
    plans = load_plans(PLANS)
    assert {"ae-2026", "sdr-2026", "mgr-2026", "kam-2026", "partner-2026"} <= set(plans)
    ids = {p: [c.id for c in plans[p].components] for p in plans}
    assert ids["ae-2026"] == ["base_salary", "commission", "quarterly_bonus", "spiff_multiyear"]
    assert ids["sdr-2026"] == ["base_salary", "pipeline_incentive", "meetings_incentive"]
    assert ids["mgr-2026"] == ["base_salary", "team_incentive"]
    assert ids["kam-2026"] == ["base_salary", "account_commission"]
    assert ids["partner-2026"] == ["partner_commission"]


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_plan_reports_file_line_and_field(path: Path) -> None:
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
    _plan, issues = load_plan_file(path)
    rendered = [i.render() for i in issues if i.severity == "error"]
    assert rendered, "the bad file was accepted"
    assert any(expected in r for r in rendered), rendered
    hit = next(i for i in issues if expected in i.render())
    assert hit.line is not None and hit.line > 1
    assert hit.render().startswith(f"{path}:{hit.line}: ")


def test_all_problems_of_a_file_at_once() -> None:
    text = (PLANS / "ae-2026.yaml").read_text()
    text = text.replace("kind: bonus", "kind: bonus\n    colour: red").replace(
        "value: amount", "value: amount\n    weight: 2").replace("rate: 1.5", "rate: -1")
    _, issues = load_plan_text(text, "x.yaml")
    fields = {i.field for i in issues}
    assert {"components[2].colour", "measures.bookings.weight",
            "components[1].schedule.tiers[1].rate"} <= fields


def test_load_plans_raises_every_file_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("plan: a\ncomponents: []\n")
    (tmp_path / "b.yaml").write_text("plan: [\n")
    with pytest.raises(PlanError) as err:
        load_plans(tmp_path)
    files = {i.file for i in err.value.issues}
    assert files == {str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")}


def test_duplicate_plan_ids_are_refused(tmp_path: Path) -> None:
    text = (PLANS / "partner-2026.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(PlanError, match="already defined"):
        load_plans(tmp_path)


@pytest.mark.parametrize("text", [
    "plan: x\ncomponents: !!python/object:os.system {}\n",
    "plan: !include other.yaml\ncomponents: []\n",
    "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
])
def test_yaml_that_could_run_code_or_explode_is_refused(text: str) -> None:
    plan, issues = load_plan_text(text, "evil.yaml")
    assert plan is None
    assert issues and issues[0].line is not None


def test_committed_json_schema_is_current() -> None:
    committed = json.loads((ROOT / "schema" / "plan.schema.json").read_text())
    assert committed == plan_schema()


def test_plan_files_point_editors_at_the_schema() -> None:
    for path in PLANS.glob("*.yaml"):
        if "\nquota_plan:" in path.read_text():
            continue  # quota-planning parameters, not a plan
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/plan.schema.json", path


def test_quotas_written_as_a_list_are_reported_not_a_crash() -> None:
    """Found by the plan fuzzer: a `- ` slipped in before a quota made `quotas` a list of
    mappings, and the cross-reference check hashed a mapping (TypeError, a traceback)."""
    text = (PLANS / "ae-2026.yaml").read_text(encoding="utf-8").replace(
        "quotas:\n", "quotas:\n- \n", 1)
    plan, issues = load_plan_text(text, "ae.yaml")
    assert plan is None
    [issue] = issues
    assert (issue.field, issue.line, issue.message) == (
        "quotas", 19, "Input should be a valid dictionary")
