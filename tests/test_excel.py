"""results.xlsx and statements: formulas recompute to the engine's values, data text is
never a formula, big sheets give way to the CSV, statements hold one payee only."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import formulas
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.cli import app
from compplan.excel import sheet as xl
from compplan.excel.results import write_results
from compplan.excel.statements import statement_name, write_statements
from compplan.inputs.bundle import load_inputs
from compplan.inputs.sample import make_company, write_company
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate
from tests.conftest import PLANS

CASE = Path(__file__).parent / "cases" / "mixed-2026"
HOSTILE = '=HYPERLINK("http://example.invalid","x")'


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Result:
    folder = tmp_path_factory.mktemp("demo")
    company = make_company(5)
    deals = company.deals.copy()
    deals.loc[0, "deal_id"] = HOSTILE  # a deal named like a formula
    deals.loc[0, "stage"] = "Closed Won"
    deals.loc[0, "close_date"] = "2026-03-03"
    deals.loc[1, "owner_id"] = "@SUM(A1)"  # an unknown owner: an exception line
    company = dataclasses.replace(company, deals=deals)
    paths = write_company(company, str(folder))
    inputs = load_inputs(paths["roster"], paths["deals"], paths["quotas"], paths["accounts"])
    return evaluate(load_plans(PLANS), inputs, 2026)


def _computed(path: Path) -> dict[tuple[str, str], Any]:
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, value in solution.items():
        ref = str(key)
        if "!" not in ref:
            continue
        sheet, cell = ref.split("!")
        name = sheet.split("]")[1].rstrip("'")
        out[(name.upper(), cell.upper())] = value.value[0][0] if hasattr(value, "value") else value
    return out


def test_formula_cells_recompute_to_the_engine_values(mixed: Result, tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    expected = write_results(mixed, path)
    wb = openpyxl.load_workbook(path)
    formula_cells = {(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows()
                     for c in row if c.data_type == "f"}
    assert formula_cells == set(expected), "every formula cell has an engine value to meet"
    assert len(expected) > 50
    computed = _computed(path)
    for (sheet, cell), want in expected.items():
        got = computed[(sheet.upper(), cell)]
        if isinstance(want, str):
            assert got == want or (want == "" and got is None), (sheet, cell, got)
        else:
            assert float(got) == pytest.approx(want, abs=0.005), (sheet, cell)


def _title(chart: Any) -> str:
    return "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))


def test_workbook_has_tables_formats_frozen_headers_and_charts(mixed: Result,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    write_results(mixed, path)
    wb = openpyxl.load_workbook(path)
    dashboards = [f"{plan} dashboard" for plan in sorted(mixed.by_plan)]
    assert wb.sheetnames == ["Summary", *dashboards, "Pay by payee", "Payouts", "Attainment",
                             "Credits", "Exceptions", "Plans"]
    for name in ("Payouts", "Attainment", "Credits", "Exceptions"):
        assert wb[name].tables, name
        assert wb[name].freeze_panes == "A2"
        assert wb[name].print_title_rows == "$1:$1", name  # the header on every page
    assert wb["Pay by payee"].freeze_panes == "E2"
    payouts = wb["Payouts"]
    header = [c.value for c in payouts[1]]
    assert header[:3] == ["Payee ID", "Name", "Plan"]  # headers in words
    amount = header.index("Amount") + 1
    cell = payouts.cell(row=2, column=amount)
    assert cell.number_format == "#,##0.00" and isinstance(cell.value, int | float)
    summary_text = " ".join(str(c.value) for row in wb["Summary"].iter_rows() for c in row
                            if c.value is not None)
    assert "Cost of sales" in summary_text and "120 % and above" in summary_text
    assert len(wb["Summary"]._charts) == mixed.lines["currency"].nunique()
    for plan_id, name in zip(sorted(mixed.by_plan), dashboards, strict=True):
        titles = {_title(chart) for chart in wb[name]._charts}
        assert {"Cost by month", "Pay by component"} <= titles, name
        if mixed.by_plan[plan_id].frame.plan.quotas:
            assert "Payees by year attainment" in titles, name
    rules = [c.value for c in wb["Plans"]["E"]][1:]
    assert any("marginal tiers" in str(r) for r in rules)


def test_text_from_data_is_never_a_formula(demo: Result, tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    write_results(demo, path)
    wb = openpyxl.load_workbook(path)
    found = []
    for name in ("Payouts", "Credits", "Exceptions", "Attainment", "Pay by payee"):
        for row in wb[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "@")):
                    if cell.data_type == "f":
                        assert name in ("Attainment", "Pay by payee"), (name, cell.value)
                        assert re.fullmatch(r"=(IF|SUM|SUMIF)\(.*\)", cell.value), cell.value
                    else:
                        found.append((name, cell.value, cell.data_type, cell.quotePrefix))
    assert ("Credits", HOSTILE, "s", True) in found
    assert any(v == "@SUM(A1)" and t == "s" for _, v, t, _ in found)


def test_csv_outputs_neutralize_formula_text(demo: Result, tmp_path: Path) -> None:
    from compplan.core.atomic import write_atomically
    from compplan.outputs.run_files import run_writers

    write_atomically(tmp_path, {k: v for k, v in run_writers(demo).items() if k.endswith("csv")})
    credits = (tmp_path / "credits.csv").read_text()
    assert "\"'" + HOSTILE.replace('"', '""') + "\"" in credits
    assert "'@SUM(A1)" in (tmp_path / "exceptions.csv").read_text()


def test_sheets_past_the_row_limit_point_to_the_csv(mixed: Result, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xl, "EXCEL_MAX_ROWS", 20)
    path = tmp_path / "results.xlsx"
    write_results(mixed, path)
    wb = openpyxl.load_workbook(path)
    assert "every row is in credits.csv" in str(wb["Credits"]["A1"].value)
    notes = [str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert any(n.startswith("Credits:") and "credits.csv" in n for n in notes)


def test_detail_sheets_past_excel_rows_point_to_their_file(mixed: Result,
                                                           tmp_path: Path) -> None:
    credits, payouts = len(mixed.credit_rows), len(mixed.lines)
    assert credits < payouts
    write_results(mixed, tmp_path / "out.xlsx", excel_rows=payouts - 1, detail="parquet")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert str(wb["Payouts"]["A1"].value) == (
        f"{payouts:,} rows: more than the {payouts - 1:,} a sheet of this workbook holds; "
        "every row is in payouts.csv.")
    assert not wb["Payouts"].tables
    assert wb["Credits"].tables and wb["Credits"].max_row == credits + 1  # under the limit
    notes = [str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert any("exceptions.parquet" in n for n in notes)
    write_results(mixed, tmp_path / "all.xlsx", excel_rows=payouts)
    kept = openpyxl.load_workbook(tmp_path / "all.xlsx")["Payouts"]
    assert kept.tables and kept.max_row == payouts + 1


def test_statements_hold_only_their_payee(demo: Result, tmp_path: Path) -> None:
    payees = ["AE01", "MGR01", "KAM01", "SDR02", "PARTNER01"]
    written = write_statements(demo, tmp_path, payees)
    assert [p.name for p in written] == [*(statement_name(p) for p in payees), "index.csv"]
    index = pd.read_csv(tmp_path / "index.csv", dtype=str)
    assert index.to_dict("list") == {"payee_id": payees,
                                     "file": [statement_name(p) for p in payees]}
    written = written[:-1]
    roster = demo.inputs.roster.frame
    names = dict(zip(roster["payee_id"], roster["name"], strict=True))
    credits = demo.credits
    for payee, path in zip(payees, written, strict=True):
        wb = openpyxl.load_workbook(path)
        cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                 if c.value is not None]
        tokens = {t for text in cells for t in re.split(r"[^A-Za-z0-9_]+", text)}
        text = "\n".join(cells)
        others = [p for p in names if p != payee]
        assert not [p for p in others if p in tokens], payee
        assert not [names[p] for p in others if names[p] and names[p] != names[payee]
                    and names[p] in text], payee
        own_deals = set(credits.loc[(credits["payee_id"] == payee).to_numpy(), "deal_id"])
        all_deals = set(demo.inputs.deals.frame["deal_id"])
        shown = {t for t in tokens if t in all_deals}
        assert shown <= own_deals, payee
        assert payee in tokens and names[payee] in text
        assert wb.sheetnames == ["Statement", "Attainment", "Payouts", "Explained", "Credits"]


def test_statements_command(tmp_path: Path) -> None:
    args = ["statements", "--plans", str(PLANS), "--roster", str(CASE / "roster.csv"),
            "--deals", str(CASE / "deals.csv"), "--quotas", str(CASE / "quotas.csv"),
            "--accounts", str(CASE / "accounts.csv"), "--year", "2026",
            "--out", str(tmp_path / "st"), "--payee", "A1", "--payee", "M1"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "st").iterdir()) == ["A1.xlsx", "M1.xlsx",
                                                                   "index.csv"]
    wb = openpyxl.load_workbook(tmp_path / "st" / "A1.xlsx")
    explained = [c.value for c in wb["Explained"]["D"]][1:]
    assert "    attainment: 40.00 %" in explained


def test_the_statement_front_page_says_earned_why_and_next(mixed: Result,
                                                          tmp_path: Path) -> None:
    """Ann (A1), ae-2026: quota 1,000,000; credited D1 300,000, D2 half of 200,000 then
    clawed back (cancelled 90 days after closing), D4 -10,000: 290,000, 29 %, on the
    first tier; 710,000 more reaches the tier from 100 %."""
    (path, _) = write_statements(mixed, tmp_path, ["A1"])
    rows = [[c for c in row if c is not None] for row in
            openpyxl.load_workbook(path)["Statement"].iter_rows(values_only=True)]
    said = [row[0] for row in rows if len(row) == 1]
    assert said[:3] == ["Statement 2026: Ann (A1)", said[1], "What you earned"]
    assert "Total pay 140,900.00 USD: salary 120,000.00 USD, variable pay 20,900.00 USD." in said
    why = rows[[r[:1] for r in rows].index(["Why: attainment against quota"]) + 2]
    assert why == ["ae-2026", "bookings", 1_000_000, 290_000, 0.29,
                   "commission: tier 1 of 3 (from 0%)"]
    assert ("commission (ae-2026): 710,000.00 more bookings credited reaches the tier from "
            "100%.") in said
    totals = next(r for r in rows if r[:1] == ["total"])
    assert totals[-1] == 140_900  # the month totals' row ends with the year's pay


def test_pay_by_payee_matches_payouts_summed_by_the_test(mixed: Result, tmp_path: Path) -> None:
    """An oracle independent of write_results: payouts.csv's amounts, summed here."""
    path = tmp_path / "results.xlsx"
    write_results(mixed, path)
    ws = openpyxl.load_workbook(path)["Pay by payee"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = rows[0]
    months = [i for i, name in enumerate(header) if str(name)[:4].isdigit()]
    sheet = {row[0]: [row[i] or 0.0 for i in months] for row in rows[1:] if row[0] != "total"}
    payouts = mixed.payouts.assign(amount=mixed.payouts["amount"].astype(float))
    wide = payouts.pivot_table(index="payee_id", columns="period", values="amount",
                               aggfunc="sum", fill_value=0.0)
    assert set(sheet) == set(wide.index)
    for payee, values in sheet.items():
        want = wide.loc[payee].reindex([header[i] for i in months], fill_value=0.0)
        assert values == pytest.approx(want.tolist(), abs=0.005), payee


def test_statements_pdf_without_libreoffice_is_refused_before_writing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import compplan.excel.pdf as pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    args = ["statements", "--plans", str(PLANS), "--roster", str(CASE / "roster.csv"),
            "--deals", str(CASE / "deals.csv"), "--quotas", str(CASE / "quotas.csv"),
            "--accounts", str(CASE / "accounts.csv"), "--year", "2026",
            "--out", str(tmp_path / "st"), "--payee", "A1", "--pdf"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 3, res.output
    assert "PDF needs LibreOffice" in res.output and "libreoffice-calc-nogui" in res.output
    assert not (tmp_path / "st").exists()  # nothing half-written
