"""Fuzzing plan files: every mutation of a shipped plan ends in a plan or in located
issues, never in a traceback (a first piece of issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compplan.plan.load import load_plan_text
from tests.conftest import PLANS

SHIPPED = sorted(p for p in PLANS.glob("*.yaml") if not p.stem.startswith("quotas"))
TOKENS = ["", " ", ":", "- ", "{", "}", "[", "]", "&a", "*a", "!!python/object:os.system",
          "null", "~", "-1", "1e309", "nan", ".inf", "0x10", "yes", "'", '"', "#", "\t",
          "from: x", "rate: -5", "kind: nope", "tiers: []", "\u00e9", "9" * 40, "0b101",
          "9" * 5000, "1e99999", "-.nan", "0x" + "f" * 60, "1_000.5e3",
          "big: &big " + "x" * 100_000, "many: [" + ", ".join(["*big"] * 60) + "]",
          "name: \"\\e[31m\\x0b\"", "id: CON", "id: " + "c" * 300]


def mutate(text: str, edits: list[tuple[int, int, int]]) -> str:
    """Replace, insert or delete at positions chosen by the strategy."""
    lines = text.splitlines()
    for where, what, how in edits:
        if not lines:
            break
        i = where % len(lines)
        token = TOKENS[what % len(TOKENS)]
        if how % 3 == 0:
            lines[i] = lines[i][: len(lines[i]) // 2] + token
        elif how % 3 == 1:
            lines.insert(i, token)
        else:
            del lines[i]
    return "\n".join(lines)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6),
                                st.integers(0, 2)), min_size=1, max_size=4))
def test_mutated_plan_loads_or_reports(path: Path, edits: list[tuple[int, int, int]]) -> None:
    text = mutate(path.read_text(encoding="utf-8"), edits)
    plan, issues = load_plan_text(text, str(path))
    assert plan is not None or issues  # a plan, or at least one reason why not
    for issue in issues:
        rendered = issue.render()
        assert rendered.startswith(str(path)) and issue.message
