"""Fuzzing scenario files: every mutation of a shipped scenario ends in an evaluated
scenario or in a compplan error naming the scenario file, never in a traceback."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compplan.errors import CompplanError
from compplan.inputs.bundle import Inputs
from compplan.inputs.synth import Size
from compplan.plan.load import load_plans
from compplan.result import evaluate
from compplan.scenarios.apply import apply
from compplan.scenarios.load import load_scenarios
from compplan.schema import Plan
from tests.conftest import PLANS, ROOT, synth_inputs
from tests.test_fuzz_plans import mutate

SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
MORE = ["factor: -1", "factor: 1e300", "days: 100000", "table: roster", "file: /etc/passwd",
        "set: {}", "plans: 5", "where: {column: nope, eq: 1}", "columns: [stage]",
        "rows: [{payee_id: X}]", "components.0.amount: .nan", "plan: ae-2026",
        "      components.commission.measure: nope", "      measures.bookings.value: stage",
        "      components.commission.schedule.tiers: []"]


@cache
def _baseline() -> tuple[dict[str, Plan], Inputs]:
    return load_plans(PLANS), synth_inputs(Size(12, 80, seed=4))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6),
                                st.integers(0, 2)), min_size=1, max_size=4),
       extra=st.lists(st.sampled_from(MORE), max_size=2))
def test_mutated_scenario_applies_or_reports(path: Path, edits: list[tuple[int, int, int]],
                                             extra: list[str], tmp_path: Path) -> None:
    plans, inputs = _baseline()
    text = mutate(path.read_text(encoding="utf-8") + "\n" + "\n".join(extra), edits)
    file = tmp_path / path.name
    file.write_text(text, encoding="utf-8")
    try:
        for scenario, where in load_scenarios(file):
            changed_plans, changed_inputs = apply(plans, inputs, scenario, where)
            result = evaluate(changed_plans, changed_inputs, 2026)
            assert (result.lines["cents"].abs() < 10**17).all()  # empty: nothing to pay
            assert result.conservation()["ok"].all()
    except CompplanError as exc:
        assert exc.issues and all(i.message for i in exc.issues)
        assert any(str(file) in i.render() or i.file in {"roster.csv", "deals.csv"}
                   for i in exc.issues), exc
