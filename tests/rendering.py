"""Workbooks as printed: build the sample's workbooks, print them to PDF with LibreOffice,
read which sheet each page belongs to, and measure where charts sit on their sheets.

The geometry is read from the files themselves (the drawing XML's anchors and extents,
the sheet XML's column widths and row heights), not from the code that placed the
charts, so a layout mistake cannot hide behind the same arithmetic.

    python -m tests.rendering docs/images   # the README's screenshots, from the sample
"""

from __future__ import annotations

import math
import posixpath
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from compplan.cli import app
from compplan.excel.pdf import to_pdf

ROOT = Path(__file__).resolve().parent.parent
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
EMU_PER_PX = 9525
DEFAULT_ROW_PT = 15.0


@dataclass(frozen=True)
class Books:
    """The sample's workbooks: results, one statement, the quota plan, the scenarios."""

    results: Path
    statement: Path
    quota_plan: Path
    scenarios: Path
    accounting: Path
    forecast: Path
    run_id: str

    def all(self) -> list[Path]:
        return [self.results, self.statement, self.quota_plan, self.scenarios,
                self.accounting, self.forecast]


def build(folder: Path) -> Books:
    """Run the demo, then statements, a quota plan and a simulation on its inputs."""
    runner = CliRunner()

    def run(*args: str) -> None:
        res = runner.invoke(app, list(args))
        assert res.exit_code == 0, (args, res.output)

    run("demo", "--out", str(folder / "demo"))
    given = folder / "demo" / "input"
    inputs = ["--plans", str(ROOT / "plans"), "--roster", str(given / "roster.csv"),
              "--deals", str(given / "deals.csv"), "--quotas", str(given / "quotas.csv"),
              "--accounts", str(given / "accounts.csv"), "--fx", str(given / "fx.csv"),
              "--year", "2026"]
    run("statements", *inputs, "--out", str(folder / "statements"), "--payee", "AE01")
    run("quotas", "--plan-file", str(ROOT / "plans" / "quotas-2026.yaml"), "--territories",
        str(given / "territories.csv"), "--history", str(given / "deals.csv"),
        "--out", str(folder / "quotas"))
    run("simulate", *inputs, "--scenarios", str(ROOT / "scenarios"), "--draws", "300",
        "--out", str(folder / "scenarios"))
    run("amortize", *inputs, "--policy", str(ROOT / "policies" / "accounting.yaml"),
        "--out", str(folder / "accounting"))
    run("forecast", *inputs, "--as-of", "2026-09-30", "--pipeline",
        str(given / "pipeline.csv"), "--stage-history", str(given / "stage_history.csv"),
        "--draws", "300", "--out", str(folder / "forecast"))
    manifest = (folder / "demo" / "results" / "run.json").read_text(encoding="utf-8")
    run_id = re.search(r'"run_id": "([0-9a-f]+)"', manifest)
    assert run_id is not None
    return Books(folder / "demo" / "results" / "results.xlsx",
                 folder / "statements" / "AE01.xlsx", folder / "quotas" / "quota_plan.xlsx",
                 folder / "scenarios" / "scenarios.xlsx",
                 folder / "accounting" / "accounting.xlsx",
                 folder / "forecast" / "forecast.xlsx", run_id.group(1))


@dataclass(frozen=True)
class Page:
    """One printed page: its sheet (the footer's centre), number and text."""

    sheet: str
    number: int
    of: int
    text: str


_FOOTER = re.compile(r"^\s*(?P<left>.*? UTC)\s+(?P<sheet>\S.*?)\s+page (?P<n>\d+) of "
                     r"(?P<of>\d+)\s*$")
"""The footer: run and time (ending in UTC), the sheet's name, ``page N of M``."""


def pages(pdf: Path) -> list[Page]:
    """The PDF's pages with the sheet each was printed from, read from its footer."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    out = []
    for body in text.split("\f"):
        lines = [line for line in body.splitlines() if line.strip()]
        if not lines:
            continue
        found = _FOOTER.match(lines[-1])
        assert found is not None, f"{pdf.name}: a page without the footer: {lines[-1]!r}"
        out.append(Page(found["sheet"], int(found["n"]), int(found["of"]), body))
    return out


@dataclass(frozen=True)
class Box:
    """A rectangle on a sheet, in EMU from the top left corner of A1."""

    left: int
    top: int
    right: int
    bottom: int
    name: str = ""

    def overlaps(self, other: Box) -> bool:
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


def _px(chars: float | None) -> int:
    # ECMA-376 18.3.1.13: a stored width (characters of 7-pixel digits, padding included)
    # in pixels; a column without one is Excel's default 8.43 characters, 64 pixels
    return 64 if chars is None else math.trunc((256 * chars + math.trunc(128 / 7)) / 256 * 7)


@dataclass
class SheetGeometry:
    """Column edges and row edges of a sheet, from its XML."""

    widths: dict[int, float]  # 0-based column -> characters
    heights: dict[int, float]  # 0-based row -> points
    filled: list[tuple[int, int]]  # (row, col), 0-based, cells holding a value

    def x(self, col: int) -> int:
        return sum(_px(self.widths.get(c)) for c in range(col)) * EMU_PER_PX

    def y(self, row: int) -> int:
        pts = sum(self.heights.get(r, DEFAULT_ROW_PT) for r in range(row))
        return round(pts * 96 / 72) * EMU_PER_PX

    def cell(self, row: int, col: int) -> Box:
        return Box(self.x(col), self.y(row), self.x(col + 1), self.y(row + 1),
                   f"cell r{row + 1}c{col + 1}")


def _col_index(ref: str) -> tuple[int, int]:
    letters = re.match(r"[A-Z]+", ref)
    assert letters is not None
    col = 0
    for ch in letters.group(0):
        col = col * 26 + ord(ch) - 64
    return int(ref[letters.end():]) - 1, col - 1


def _geometry(xml: bytes) -> SheetGeometry:
    root = etree.fromstring(xml)
    widths = {}
    for col in root.iterfind("m:cols/m:col", NS):
        for c in range(int(col.get("min")) - 1, int(col.get("max"))):
            widths[c] = float(col.get("width"))
    heights, filled = {}, []
    for row in root.iterfind("m:sheetData/m:row", NS):
        if row.get("ht") is not None:
            heights[int(row.get("r")) - 1] = float(row.get("ht"))
        for cell in row.iterfind("m:c", NS):
            if cell.find("m:v", NS) is not None or cell.find("m:is", NS) is not None:
                filled.append(_col_index(cell.get("r")))
    return SheetGeometry(widths, heights, filled)


def _rels(book: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    if path not in book.namelist():
        return {}
    root = etree.fromstring(book.read(path))
    return {r.get("Id"): (target[1:] if (target := r.get("Target")).startswith("/")
                          else posixpath.normpath(posixpath.join(folder, target)))
            for r in root.iterfind("rel:Relationship", NS)}


def _anchor_box(anchor: etree._Element, geo: SheetGeometry, name: str) -> Box:
    start = anchor.find("xdr:from", NS)
    assert start is not None, "an absolute anchor: no cell to measure from"
    col, row = int(start.findtext("xdr:col", namespaces=NS)), int(
        start.findtext("xdr:row", namespaces=NS))
    left = geo.x(col) + int(start.findtext("xdr:colOff", namespaces=NS))
    top = geo.y(row) + int(start.findtext("xdr:rowOff", namespaces=NS))
    ext = anchor.find("xdr:ext", NS)
    if ext is not None:
        return Box(left, top, left + int(ext.get("cx")), top + int(ext.get("cy")), name)
    end = anchor.find("xdr:to", NS)
    assert end is not None
    c2, r2 = int(end.findtext("xdr:col", namespaces=NS)), int(end.findtext("xdr:row",
                                                                           namespaces=NS))
    return Box(left, top, geo.x(c2) + int(end.findtext("xdr:colOff", namespaces=NS)),
               geo.y(r2) + int(end.findtext("xdr:rowOff", namespaces=NS)), name)


def charts(path: Path) -> dict[str, tuple[list[Box], SheetGeometry]]:
    """Each sheet's chart rectangles and geometry, from the workbook's XML."""
    out = {}
    with zipfile.ZipFile(path) as book:
        workbook = etree.fromstring(book.read("xl/workbook.xml"))
        targets = _rels(book, "xl/workbook.xml")
        for sheet in workbook.iterfind("m:sheets/m:sheet", NS):
            part = targets[sheet.get(f"{{{NS['r']}}}id")]
            geo = _geometry(book.read(part))
            boxes: list[Box] = []
            for drawing in _rels(book, part).values():
                if "drawings/" not in drawing:
                    continue
                root = etree.fromstring(book.read(drawing))
                for k, anchor in enumerate(root):
                    boxes.append(_anchor_box(anchor, geo, f"{sheet.get('name')} chart {k + 1}"))
            out[sheet.get("name")] = (boxes, geo)
    return out


def screenshots(folder: Path) -> list[Path]:
    """PNGs of the pages the README shows: Summary, a plan dashboard, a statement's first
    page, the quota plan's seasonality, the scenarios, the accounting roll-forward and the
    forecast's plans and a distribution."""
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="compplan-shots-"))
    books = build(work)
    pdfs = dict(zip(books.all(), to_pdf(books.all(), work / "pdf"), strict=True))
    wanted = [(books.results, "Summary", "results-summary"),
              (books.results, "ae-2026 dashboard", "results-dashboard"),
              (books.statement, "Statement", "statement"),
              (books.quota_plan, "Seasonality", "quota-plan"),
              (books.scenarios, "Side by side", "scenarios"),
              (books.scenarios, "Monte Carlo histogram", "scenarios-monte-carlo"),
              (books.accounting, "Roll-forward", "accounting-rollforward"),
              (books.forecast, "Plans", "forecast-plans"),
              (books.forecast, "ae-2026 forecast", "forecast-distribution")]
    made = []
    for book, sheet, name in wanted:
        number = next(i for i, p in enumerate(pages(pdfs[book]), start=1) if p.sheet == sheet)
        stem = folder / name
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", "-f", str(number),
                        "-l", str(number), str(pdfs[book]), str(stem)], check=True)
        made.append(stem.with_suffix(".png"))
    return made


if __name__ == "__main__":
    for png in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")):
        print(png)  # noqa: T201
