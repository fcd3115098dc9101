"""The pieces of a printable workbook, each against hand-computed values: the chart
grid, page setup, headers in words, number formats by meaning, numbers kept numbers,
where a payee stands on the tiers, and the run's identity."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from lxml import etree
from openpyxl import Workbook

from compplan.excel.grid import ChartGrid, column_px
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import FORMATS, Layout, write_table
from compplan.outputs.stamp import run_info
from compplan.plan.load import load_plans
from compplan.reports.tiers import Standing, standings
from compplan.result import Result
from tests.conftest import PLANS


def test_the_grid_tiles_slots_measured_on_the_sheets_columns() -> None:
    grid = ChartGrid([10.0] * 16, first_row=6, span_cols=8, span_rows=18, per_row=2)
    slots = [grid.next_slot() for _ in range(3)]
    assert [s.anchor for s in slots] == ["A6", "I6", "A24"]
    # 8 columns of 70 px less a 14 px gap = 546 px; 18 rows of 20 px less 14 = 346 px
    assert column_px(10.0) == 70
    assert slots[0].width_cm == pytest.approx(546 / (96 / 2.54))
    assert slots[0].height_cm == pytest.approx(346 / (96 / 2.54))
    assert (grid.last_row, grid.last_col) == (41, 16)


def test_a_grid_past_the_given_widths_uses_excels_default_column() -> None:
    grid = ChartGrid([20.0], first_row=1, first_col=2, span_cols=2, span_rows=10, per_row=1)
    slot = grid.next_slot()
    assert slot.anchor == "B1"
    assert slot.width_cm == pytest.approx((64 * 2 - 14) / (96 / 2.54))  # columns B, C


def test_page_setup_reads_back(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = new_sheet(wb, "Detail")
    for i in range(30):
        ws.append([f"row {i}", i])
    set_print(ws, Printed(30, 12, (1, 1)), Stamp(2026, "run&1", "2026-11-26 10:00 UTC"))
    wb.save(tmp_path / "p.xlsx")
    back = openpyxl.load_workbook(tmp_path / "p.xlsx")["Detail"]
    assert back.print_area == "'Detail'!$A$1:$L$30"
    assert back.print_title_rows == "$1:$1"
    setup = back.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape", 9, 1, 0)  # 12 columns of no given width: landscape
    assert back.sheet_properties.pageSetUpPr.fitToPage
    assert back.oddFooter.right.text == "page &P of &N"
    with zipfile.ZipFile(tmp_path / "p.xlsx") as book:  # the XML: openpyxl misreads '&&'
        sheet = etree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    footer = sheet.findtext(".//{*}oddFooter")
    # '&' starts a footer code (&P, &8...): the run's text is escaped, '&&' is one '&'
    assert "plan year 2026 · run run&&1 · 2026-11-26 10:00 UTC&C" in footer


def test_a_one_page_sheet_is_one_page_tall_and_repeats_nothing(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = new_sheet(wb, "Summary")
    ws.append(["x"])
    set_print(ws, Printed(1, 3, (1, 1), (10.0, 10.0, 10.0)), Stamp(None), one_page=True)
    wb.save(tmp_path / "s.xlsx")
    back = openpyxl.load_workbook(tmp_path / "s.xlsx")["Summary"]
    assert (back.page_setup.fitToHeight, back.page_setup.orientation) == (1, "portrait")
    assert back.print_title_rows is None
    assert back.oddFooter.left.text == "compplan"


def test_headers_in_words_and_formats_by_meaning(tmp_path: Path) -> None:
    frame = pd.DataFrame({"payee_id": ["A"], "target_incentive": [60000.0],
                          "cost_of_sales_vs_baseline": [0.012], "delta": [-1500.5],
                          "baseline": [3.0]})
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("T")
    write_table(ws, frame, "t", Layout({"target_incentive": "money",
                                        "cost_of_sales_vs_baseline": "pp",
                                        "delta": "money_delta", "baseline": "int"},
                                       as_is=frozenset({"baseline"})))
    wb.save(tmp_path / "t.xlsx")
    back = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    assert [c.value for c in back[1]] == ["Payee ID", "Target incentive",
                                          "Cost of sales vs baseline", "Delta", "baseline"]
    pp, delta = back["C2"], back["D2"]
    assert pp.value == pytest.approx(1.2) and pp.number_format == FORMATS["pp"]
    assert FORMATS["pp"] == '+0.0 "pp";-0.0 "pp";0.0 "pp"'
    assert delta.value == -1500.5 and delta.number_format == "+#,##0.00;-#,##0.00;0.00"
    assert back.tables["T_t"].tableColumns[1].name == "Target incentive"


def test_mixed_columns_keep_numbers_as_numbers_and_text_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"item": ["status", "objective", "territories", "note"],
                          "value": ["Optimal", 0.1955664142593937, 12, "=cmd"]})
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Solver")
    write_table(ws, frame, "solver", Layout({"value": "auto"}))
    wb.save(tmp_path / "a.xlsx")
    cells = list(openpyxl.load_workbook(tmp_path / "a.xlsx")["Solver"]["B"])[1:]
    assert [c.value for c in cells] == ["Optimal", 0.1955664142593937, 12, "=cmd"]
    assert [c.data_type for c in cells] == ["s", "n", "n", "s"]
    assert cells[3].quotePrefix  # data text is never a formula


def test_text_that_looks_like_an_error_code_stays_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"deal_id": ["#N/A", "#REF!", "D-1", "plain", ""]})
    wb = Workbook(write_only=True)
    write_table(wb.create_sheet("T"), frame, "t", Layout())
    wb.save(tmp_path / "e.xlsx")
    cells = list(openpyxl.load_workbook(tmp_path / "e.xlsx")["T"]["A"])[1:]
    assert [c.value for c in cells[:4]] == ["#N/A", "#REF!", "D-1", "plain"]
    assert [c.data_type for c in cells[:4]] == ["s", "s", "s", "s"]  # never 'e' or 'f'


AE = load_plans(PLANS)["ae-2026"]  # commission on ytd attainment, tiers 0 / 100 % / 150 %
AM = load_plans(PLANS)["am-2026"]


@pytest.mark.parametrize(("credited", "want"), [
    (800_000.0, Standing("commission", "tier 1 of 3 (from 0%)", "100%", 200_000.0)),
    (1_200_000.0, Standing("commission", "tier 2 of 3 (from 100%)", "150%", 300_000.0)),
    (1_500_000.0, Standing("commission", "tier 3 of 3 (from 150%), the top tier")),
    (-10_000.0, Standing("commission", "below the first tier", "0%", 10_000.0)),
])
def test_where_a_payee_stands_on_the_tiers(credited: float, want: Standing) -> None:
    assert standings(AE, "bookings", credited, 1_000_000.0) == [want]


def test_tiers_without_a_year_figure_say_so() -> None:
    assert standings(AE, "bookings", 5.0, 0.0) == [
        Standing("commission", "no quota: tiers on attainment do not apply")]
    (found,) = standings(AM, "expansion", 50_000.0, 200_000.0)  # 25 %: below 50 %
    assert found == Standing("expansion_incentive", "tier 1 of 3 (from 0%)", "50%", 50_000.0)
    assert standings(AM, "won", 1.0, 1.0) == []  # a rate table: no tiers
    mgr = load_plans(PLANS)["mgr-2026"]  # a payout curve on each quarter's attainment
    assert standings(mgr, "team_bookings", 1.0, 1.0) == [Standing(
        "team_incentive", "points restart each quarter: see the Attainment sheet",
        step="point")]


def test_the_run_id_follows_the_inputs_and_plans(mixed: Result) -> None:
    first, again = run_info(mixed), run_info(mixed)
    assert first.run_id == again.run_id and len(first.run_id) == 12
    other = run_info(mixed, {**first.files, "deals": "0" * 64})
    assert other.run_id != first.run_id and other.inputs_digest != first.inputs_digest
    stamp = first.stamp(2026)
    assert stamp.line().startswith(f"Run {first.run_id} of ")
    assert "no run id" in Stamp.now(2026).line()


def test_run_json_and_every_footer_carry_the_same_run_id(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from compplan.cli import app

    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    run_id = json.loads((tmp_path / "d" / "results" / "run.json").read_text())["run_id"]
    wb = openpyxl.load_workbook(tmp_path / "d" / "results" / "results.xlsx")
    for ws in wb.worksheets:
        assert f"run {run_id}" in ws.oddFooter.left.text, ws.title
    assert str(wb["Summary"]["A2"].value).startswith(f"Run {run_id} of ")
    with zipfile.ZipFile(tmp_path / "d" / "results" / "results.xlsx") as book:
        drawings = [n for n in book.namelist() if n.startswith("xl/charts/chart")]
        assert drawings  # charts are native Excel charts
        smooth = [e.get("val") for n in drawings
                  for e in etree.fromstring(book.read(n)).iter("{*}smooth")]
    assert smooth and set(smooth) == {"0"}  # the plan curves' tiers are never smoothed


def test_money_shows_its_currencys_minor_units(tmp_path: Path) -> None:
    from compplan.excel.sheet import total_row

    frame = pd.DataFrame({"currency": ["USD", "JPY", "KWD"], "paid": [10.5, 1200.0, 3.125],
                          "in_USD": [10.5, 8.1, 10.2], "delta": [1.0, -5.0, 0.5]})
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("C")
    write_table(ws, frame, "c", Layout({"paid": "money", "in_USD": "money",
                                        "delta": "money_delta"}, currency="currency",
                                       other_currency=frozenset({"in_USD"})))
    total_row(ws, ["total", 1200.0, "", ""], ["text", "money", "text", "text"], "JPY")
    wb.save(tmp_path / "c.xlsx")
    back = openpyxl.load_workbook(tmp_path / "c.xlsx")["C"]
    assert [back[f"B{r}"].number_format for r in (2, 3, 4)] == ["#,##0.00", "#,##0",
                                                               "#,##0.000"]
    assert {back[f"C{r}"].number_format for r in (2, 3, 4)} == {"#,##0.00"}  # reporting
    assert back["D3"].number_format == "+#,##0;-#,##0;0"
    assert back["B5"].number_format == "#,##0" and back["B5"].font.b
