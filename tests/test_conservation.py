"""Conservation: every deal row is credited, excepted or matched no rule, to the cent."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compplan import load_plans
from compplan.cli import app
from compplan.inputs.bundle import Inputs
from compplan.inputs.synth import Size, make, write
from compplan.reports.conservation import Balance, balance_of, balances
from compplan.result import Result, evaluate
from tests.conftest import PLANS, input_args, synth_inputs


def _result(seed: int, payees: int = 12, deals: int = 150) -> tuple[Result, Inputs]:
    inputs = synth_inputs(Size(payees, deals, seed=seed))
    return evaluate(load_plans(PLANS), inputs, 2026), inputs


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(10, 30), st.integers(20, 400))
def test_random_companies_balance_to_the_cent(seed: int, payees: int, deals: int) -> None:
    result, inputs = _result(seed, payees, deals)
    (b,) = balances(result)
    assert b.ok, b.render()
    frame = inputs.deals.frame
    assert b.rows == len(frame)
    assert b.cents == int(np.round(frame["amount"].to_numpy() * 100).sum())


def test_the_api_shows_the_balance_as_a_table() -> None:
    result, inputs = _result(6)
    table = result.conservation()
    assert table["ok"].tolist() == [True]
    assert table["rows"].iloc[0] == len(inputs.deals.frame)
    assert table["cents"].iloc[0] == table[["credited_cents", "excepted_cents",
                                            "unmatched_cents"]].iloc[0].sum()


def test_a_credit_pointing_at_no_row_unbalances_the_run() -> None:
    result, inputs = _result(5)
    credits = result.credit_rows.copy()
    credits.loc[credits.index[0], "source_row"] = 10**6
    parts = dataclasses.replace(result.credit_parts)
    vars(parts)["frame"] = credits  # the labelled credits, one of them pointing nowhere
    broken = dataclasses.replace(result, credit_parts=parts)
    [b] = balance_of(broken, inputs.deals)
    assert b.unknown_rows == 1 and not b.ok
    assert "NOT BALANCED (1 unknown rows)" in b.render()


def test_balance_arithmetic() -> None:
    ok = Balance("deals", "d.csv", 3, 600, 1, 100, 1, 200, 1, 300, 0)
    assert ok.ok
    assert ok.render() == ("d.csv: 3 rows, 6.00 = credited 1 (1.00) + exceptions 1 (2.00) + "
                           "no rule 1 (3.00): balanced")
    assert not dataclasses.replace(ok, cents=601).ok
    assert not dataclasses.replace(ok, unmatched_rows=2).ok


def test_run_prints_the_balance_and_keeps_it_in_run_json(tmp_path: Path) -> None:
    files = tmp_path / "in"
    write(make(Size(12, 150, seed=9)), files, ("csv",))
    out = tmp_path / "out"
    args = ["run", *input_args(files), "--out", str(out), "--no-excel"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert f"conservation {files / 'deals.csv'}: " in res.output and ": balanced" in res.output
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["balanced"] is True
    (deals,) = manifest["conservation"]
    assert deals["rows"] == deals["credited_rows"] + deals["excepted_rows"] + deals[
        "unmatched_rows"]
    assert set(manifest["files"]) == {"payouts.csv", "credits.csv", "exceptions.csv"}
    assert manifest["files"]["payouts.csv"] == (out / "payouts.csv").stat().st_size
    assert set(manifest["inputs"]) == {"roster", "deals", "quotas", "accounts"}


def test_an_unbalanced_run_writes_nothing_and_exits_1(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    files = tmp_path / "in"
    write(make(Size(12, 150, seed=9)), files, ("csv",))
    broken = Balance("deals", "deals.csv", 3, 600, 1, 100, 1, 200, 0, 0, 0)
    monkeypatch.setattr("compplan.outputs.run_files.balances", lambda result: [broken])
    out = tmp_path / "out"
    args = ["run", *input_args(files), "--out", str(out), "--no-excel"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1
    assert "NOT BALANCED" in res.output and "nothing was written" in res.output
    assert not out.exists()
