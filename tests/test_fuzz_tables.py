"""Fuzzing input tables: damaged roster, deals, quotas and accounts files end in a
result or in a clean compplan error naming the file, never in a traceback (a first
piece of issue 9)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compplan.errors import CompplanError
from compplan.excel.statements import write_statements
from compplan.inputs.bundle import load_inputs
from compplan.inputs.synth import Size, make
from compplan.outputs.run_files import write_run
from compplan.quotas.run import build_plan
from compplan.reports.conservation import balances
from compplan.result import evaluate
from tests.conftest import PLANS

PLAN_FILE = PLANS / "quotas-2026.yaml"

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # overflow is a bug here

TABLES = ("roster", "deals", "quotas", "accounts")
CELLS = ["", " ", "-1", "0", "1e308", "-1e308", "inf", "nan", "NaN", "2026-02-30", "31/01/2026",
         "2026-13-01", "=1+1", "Closed Won", "AE01", "MGR01", "ghost", "ae-2026", "\u00e9t\u00e9",
         "1,5", "0.5", "2", "9" * 30, "2025-12-31", "2027-01-01", '"', "x\ny",
         "\x0b", "A\x1b[31mB", "\x00", "AE~01", "AE_01", "X" * 250, "CON"]
HEADER = '=HYPERLINK("http://example.invalid","x")'  # an edit's cell -2 renames a column


@pytest.fixture(scope="module")
def territories() -> pd.DataFrame:
    return make(Size(30, 400, seed=2)).territories.astype(str).replace("nan", "")


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    made = make(Size(30, 400, seed=2))
    return {name: getattr(made, name).astype(str).replace("nan", "") for name in TABLES}


Damage = tuple[int, int, int, int]  # table, row, column, cell (or -1: drop the column)


def damaged(company: dict[str, pd.DataFrame], edits: list[Damage]) -> dict[str, pd.DataFrame]:
    out = {name: frame.copy() for name, frame in company.items()}
    for table, row, column, cell in edits:
        name = TABLES[table % len(TABLES)]
        frame = out[name]
        if frame.empty or len(frame.columns) == 0:
            continue
        col = frame.columns[column % len(frame.columns)]
        if cell == -2:
            out[name] = frame.rename(columns={col: HEADER})
        elif cell < 0:
            out[name] = frame.drop(columns=[col])
        else:
            frame.iloc[row % len(frame), frame.columns.get_loc(col)] = CELLS[cell % len(CELLS)]
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 10**6),
                                st.integers(-2, 10**6)), min_size=1, max_size=6))
def test_damaged_tables_give_a_result_or_a_located_error(company: dict[str, pd.DataFrame],
                                                         plans: dict[str, Any], tmp_path: Path,
                                                         edits: list[Damage]) -> None:
    paths = {}
    for name, frame in damaged(company, edits).items():
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    try:
        inputs = load_inputs(*(paths[name] for name in TABLES))
        result = evaluate(plans, inputs, 2026)
    except CompplanError as err:
        assert err.issues and all(i.message for i in err.issues)
        assert any(str(tmp_path) in i.render() or "plan " in i.render() for i in err.issues)
        return
    amounts = [Decimal(a) for a in result.payouts["amount"]]
    assert all(abs(a) < Decimal("1e15") for a in amounts)  # no overflowed cents
    assert len(result.exceptions.columns) == 10
    assert all(b.ok for b in balances(result)), [b.render() for b in balances(result)]
    hostile = any(e[3] == -2 or CELLS[e[3] % len(CELLS)] in HOSTILE_TEXT for e in edits
                  if e[3] >= -2)
    if hostile:  # what was read is written: workbooks and statements too, never a crash
        written, _ = write_run(result, tmp_path / "out", {}, excel=True)
        for path in written:
            if path.suffix == ".csv":
                header = path.read_text().splitlines()[0]
                assert not header.startswith("=") and ",=" not in header, (path, header)
        payees = sorted(result.seats["payee_id"].unique())[:3]
        write_statements(result, tmp_path / "st", payees)


HOSTILE_TEXT = {"\x0b", "A\x1b[31mB", "AE~01", "AE_01", "CON"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6),
                                st.integers(-1, 10**6)), min_size=1, max_size=4),
       target=st.sampled_from([1.0, 3e6, 6e6, 1e9]))
def test_damaged_territories_give_a_quota_plan_or_a_located_error(
        territories: pd.DataFrame, tmp_path: Path, edits: list[tuple[int, int, int]],
        target: float) -> None:
    frame = territories.copy()
    for row, column, cell in edits:
        col = frame.columns[column % len(frame.columns)]
        if cell < 0:
            frame = frame.drop(columns=[col])
            if frame.columns.empty:
                break
        else:
            frame.iloc[row % len(frame), frame.columns.get_loc(col)] = CELLS[cell % len(CELLS)]
    path = tmp_path / "territories.csv"
    frame.to_csv(path, index=False)
    try:
        made = build_plan(path, PLAN_FILE, None, None, {"target": target})
    except CompplanError as err:
        assert err.issues and all(i.message for i in err.issues)
        return
    # a plan that is made shares the whole target (to the rounding of each quota)
    assert abs(made.allocation.annual.sum() - made.bounds.total) <= 1000 * made.territories.size
