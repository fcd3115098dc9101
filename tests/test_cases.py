"""Data-driven cases: each folder of tests/cases holds inputs and the expected payouts,
computed by hand (its README shows the working). The CLI must reproduce them exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from compplan.cli import app
from tests.conftest import PLANS

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_case_reproduces_expected_payouts(folder: Path, tmp_path: Path) -> None:
    cmd = ["run", "--plans", str(PLANS), "--year", "2026", "--out", str(tmp_path)]
    for table in ("roster", "deals", "quotas", "accounts"):
        if (folder / f"{table}.csv").exists():
            cmd += [f"--{table}", str(folder / f"{table}.csv")]
    result = CliRunner().invoke(app, cmd)
    assert result.exit_code == 0, result.output
    expected = (folder / "expected_payouts.csv").read_text()
    assert (tmp_path / "payouts.csv").read_text() == expected
