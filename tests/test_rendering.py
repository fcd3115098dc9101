"""The sample's workbooks printed through LibreOffice: pages per sheet, headers on every
page, the run in every footer, and no chart over another chart or over a filled cell.

Slow (LibreOffice starts and prints four workbooks); .ci/run installs LibreOffice and
poppler-utils and runs it. Without them it fails on CI and is skipped on a laptop.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from compplan.excel.pdf import office, to_pdf
from tests.rendering import Books, Page, build, charts, pages

pytestmark = pytest.mark.slow

if office() is None or shutil.which("pdftotext") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI renders workbooks: install libreoffice-calc-nogui and "
                           "poppler-utils (.ci/run does)")
    pytest.skip("LibreOffice or poppler-utils not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    return build(tmp_path_factory.mktemp("render"))


@pytest.fixture(scope="module")
def printed(books: Books, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    pdfs = to_pdf(books.all(), tmp_path_factory.mktemp("pdf"))
    return {book.name: pages(pdf) for book, pdf in zip(books.all(), pdfs, strict=True)}


def _count(found: list[Page]) -> Counter[str]:
    return Counter(p.sheet for p in found)


def test_summary_and_each_dashboard_print_on_one_page(printed: dict[str, list[Page]]) -> None:
    per_sheet = _count(printed["results.xlsx"])
    assert per_sheet["Summary"] == 1
    dashboards = [s for s in per_sheet if s.endswith(" dashboard")]
    assert len(dashboards) == 7  # one per sample plan
    assert all(per_sheet[s] == 1 for s in dashboards), per_sheet
    # detail sheets fit one page wide: far fewer pages than the 310 before page setup
    assert sum(per_sheet.values()) < 200, per_sheet


def test_the_statement_front_page_is_one_page(printed: dict[str, list[Page]]) -> None:
    per_sheet = _count(printed["AE01.xlsx"])
    assert per_sheet["Statement"] == 1
    front = next(p for p in printed["AE01.xlsx"] if p.sheet == "Statement").text
    for said in ("What you earned", "Why: attainment against quota", "What is next",
                 "Your plan", "Total pay"):
        assert said in front


def test_quota_plan_and_scenario_charts_print_on_one_page(
        printed: dict[str, list[Page]]) -> None:
    assert _count(printed["quota_plan.xlsx"])["Seasonality"] == 1
    scenarios = _count(printed["scenarios.xlsx"])
    for sheet in ("Side by side", "Cost by scenario", "Payout distribution",
                  "Monte Carlo histogram"):
        assert scenarios[sheet] == 1, (sheet, scenarios)


def test_the_forecast_prints_its_plans_and_each_distribution_on_one_page(
        printed: dict[str, list[Page]]) -> None:
    per_sheet = _count(printed["forecast.xlsx"])
    assert per_sheet["Plans"] == 1
    distributions = [s for s in per_sheet if s.endswith(" forecast")]
    assert len(distributions) == 7, per_sheet  # one per sample plan
    assert all(per_sheet[s] == 1 for s in distributions), per_sheet
    plans = next(p for p in printed["forecast.xlsx"] if p.sheet == "Plans").text
    for said in ("Pay", "Cost", "Attainment", "Variable p50", "Run rate variable"):
        assert said in plans


def test_long_sheets_repeat_their_header_on_every_page(printed: dict[str, list[Page]]) -> None:
    credits = [p for p in printed["results.xlsx"] if p.sheet == "Credits"]
    assert len(credits) > 2
    for page in credits:
        assert "Payee ID" in page.text and "Deal ID" in page.text, page.number


def test_every_page_names_the_run(books: Books, printed: dict[str, list[Page]]) -> None:
    for page in printed["results.xlsx"] + printed["AE01.xlsx"]:
        assert f"plan year 2026 · run {books.run_id}" in page.text.splitlines()[-1] or (
            f"run {books.run_id}" in page.text), (page.sheet, page.number)
    numbers = [(p.number, p.of) for p in printed["results.xlsx"]]
    assert numbers == [(i, len(numbers)) for i in range(1, len(numbers) + 1)]


@pytest.mark.parametrize("book", ["results", "statement", "quota_plan", "scenarios",
                                  "accounting", "forecast"])
def test_no_chart_covers_another_chart_or_a_filled_cell(books: Books, book: str) -> None:
    path: Path = getattr(books, book)
    seen = 0
    for sheet, (boxes, geo) in charts(path).items():
        seen += len(boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), (sheet, a, b)
            covered = [c for c in (geo.cell(r, k) for r, k in geo.filled) if a.overlaps(c)]
            assert not covered, (sheet, a.name, covered[:3])
    assert seen > 0 or book == "statement"


def test_statements_pdf_writes_one_pdf_per_statement(books: Books, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from compplan.cli import app
    from tests.rendering import ROOT

    given = books.results.parent.parent / "input"
    res = CliRunner().invoke(app, [
        "statements", "--plans", str(ROOT / "plans"), "--roster", str(given / "roster.csv"),
        "--deals", str(given / "deals.csv"), "--quotas", str(given / "quotas.csv"),
        "--accounts", str(given / "accounts.csv"), "--fx", str(given / "fx.csv"),
        "--year", "2026", "--out", str(tmp_path / "st"), "--payee", "AE01", "--payee",
        "KAM01", "--pdf"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "st").iterdir()) == [
        "AE01.pdf", "AE01.xlsx", "KAM01.pdf", "KAM01.xlsx", "index.csv"]
    first = pages(tmp_path / "st" / "KAM01.pdf")[0]
    assert first.sheet == "Statement" and "KAM01" in first.text
