"""Text from input data never becomes a spreadsheet formula, in any file compplan writes.

A CRM field is typed by anyone with CRM access; a payroll clerk opens the CSV in Excel.
Every command runs here on a company whose names and ids are formulas, and every cell
of every CSV and workbook written is then inspected.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from compplan.cli import app
from compplan.inputs.synth import Size, make, write
from tests.conftest import PLANS, input_args

PAYLOADS = ['=HYPERLINK("http://evil.invalid","click")', "+SUM(1,2)", "-2+3", "@SUM(1)",
            "=cmd|' /C calc'!A0"]
MARKS = ("HYPERLINK", "SUM(1", "-2+3", "cmd|")


def _hostile_company(folder: Path) -> dict[str, Path]:
    company = make(Size(12, 150, seed=11))
    roster, deals, accounts = company.roster.copy(), company.deals.copy(), company.accounts
    roster.loc[roster["payee_id"] == "AE01", "name"] = PAYLOADS[0]
    roster.loc[roster["payee_id"] == "AE02", "name"] = PAYLOADS[4]
    won = deals.index[(deals["stage"] == "Closed Won") & (deals["owner_id"] == "AE01")]
    for i, payload in zip(won[:4], PAYLOADS, strict=False):
        deals.loc[i, "deal_id"] = payload
    account = str(accounts["account_id"].iloc[0])
    hostile_account = PAYLOADS[3]
    deals.loc[deals["account_id"] == account, "account_id"] = hostile_account
    accounts = accounts.assign(account_id=accounts["account_id"].replace(account,
                                                                         hostile_account))
    deals["deal_type"] = deals["deal_type"].where(deals.index % 7 != 0, PAYLOADS[2])
    territories = company.territories.assign(
        territory_id=company.territories["territory_id"].where(
            company.territories.index != 0, PAYLOADS[1]))
    write(company, folder, ("csv",))
    for name, frame in (("roster", roster), ("deals", deals), ("accounts", accounts),
                        ("territories", territories)):
        frame.to_csv(folder / f"{name}.csv", index=False)
    return {n: folder / f"{n}.csv" for n in ("roster", "deals", "quotas", "accounts",
                                             "territories")}


def _invoke(args: list[str]) -> None:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output


def _risky(text: str) -> bool:
    return any(mark in text for mark in MARKS)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("formula")
    files = _hostile_company(root / "in")
    inputs = input_args(root / "in")
    _invoke(["run", *inputs, "--out", str(root / "run")])
    _invoke(["statements", *inputs, "--out", str(root / "statements"), "--payee", "AE01",
             "--payee", "AE02"])
    scenarios = root / "scenarios"
    scenarios.mkdir()
    (scenarios / "more.yaml").write_text(
        "scenario: more\ndata:\n  - scale: {table: deals, columns: [amount], factor: 1.2}\n")
    _invoke(["simulate", *inputs, "--scenarios", str(scenarios), "--out", str(root / "sim"),
             "--draws", "20"])
    _invoke(["payroll", "--period", "2026-03", "--ledger", str(root / "ledger.db"), *inputs,
             "--out", str(root / "payroll")])
    _invoke(["accounts", "--deals", str(files["deals"]), "--accounts", str(files["accounts"]),
             "--out", str(root / "accounts")])
    _invoke(["quotas", "--territories", str(files["territories"]), "--plan-file",
             str(PLANS / "quotas-2026.yaml"), "--target", "6000000", "--out",
             str(root / "quotas")])
    return sorted(p for p in root.rglob("*") if p.suffix in (".csv", ".xlsx")
                  and "in" not in p.relative_to(root).parts[:1])


def test_every_output_was_inspected(written: list[Path]) -> None:
    names = {p.name for p in written}
    assert {"payouts.csv", "credits.csv", "exceptions.csv", "results.xlsx", "AE01.xlsx",
            "scenarios.csv", "scenarios.xlsx", "montecarlo.csv", "payroll.csv",
            "payroll-adp.csv", "accounts.csv", "accounts.xlsx", "quotas.csv",
            "quota_plan.xlsx"} <= names


def test_no_csv_cell_starts_a_formula(written: list[Path]) -> None:
    seen = 0
    for path in (p for p in written if p.suffix == ".csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if _risky(cell):
                        seen += 1
                        assert cell.startswith("'"), f"{path.name}: {cell!r}"
    assert seen >= 10  # the payloads did reach the CSV files


def test_no_workbook_cell_holds_data_as_a_formula(written: list[Path]) -> None:
    seen = 0
    for path in (p for p in written if p.suffix == ".xlsx"):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and _risky(cell.value):
                        seen += 1
                        assert cell.data_type == "s", f"{path.name}!{cell.coordinate}"
    assert seen >= 10


def test_the_statement_of_a_payee_with_a_formula_name_reads_as_text(written: list[Path]) -> None:
    statement = next(p for p in written if p.name == "AE01.xlsx")
    cells = [c.value for ws in load_workbook(statement).worksheets for row in ws.iter_rows()
             for c in row if isinstance(c.value, str)]
    assert any(PAYLOADS[0] in v for v in cells)
    payroll = pd.read_csv(next(p for p in written if p.name == "payroll.csv"), dtype=str)
    names = payroll["employee_name"]
    assert names.str.contains(PAYLOADS[0].lstrip("=+-@"), regex=False).any()  # it is there
    assert not names.str.startswith(("=", "+", "-", "@")).any()  # and never a formula
