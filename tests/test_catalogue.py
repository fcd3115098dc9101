"""The bad-input catalogue (docs/errors.md): every case's exit code, message and output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalogue import CASES, PREVIOUS, Case, documented_rows, run_case, table_row


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_named_and_nothing_is_half_written(c: Case, tmp_path: Path) -> None:
    outcome = run_case(c, tmp_path)
    assert outcome.exception is None, f"a traceback, not an error: {outcome.exception!r}"
    assert outcome.code == c.code, outcome.output
    where = (outcome.output if c.shows_in in ("stderr", "stdout")
             else outcome.out_files.get(c.shows_in, ""))
    for expected in c.expect:
        assert expected in where, f"{expected!r} not in:\n{where[:2000]}"
    assert "Traceback" not in outcome.output
    if c.code != 0:
        assert outcome.out_files == PREVIOUS, "a failed command changed the output folder"
        assert not outcome.ledger, "a failed command created a ledger"
    position = CASES.index(c) + 1
    assert documented_rows().get(c.id) == table_row(position, c, outcome), (
        "docs/errors.md is not current: run python -m tests.catalogue")


def test_the_catalogue_is_large_and_covers_every_area() -> None:
    areas = {c.area for c in CASES}
    assert len(CASES) >= 50
    assert {"plans", "scenarios", "roster", "deals", "quotas", "accounts", "territories",
            "mappings", "CLI"} <= areas
    assert len(documented_rows()) == len(CASES)
