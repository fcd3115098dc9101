"""How a sheet prints: paper, orientation, scaling, repeated headers and page footers.

A workbook is signed off on paper or PDF as often as on screen, so every sheet we write
says how it prints instead of leaving it to Excel's defaults (portrait, 100 %, a wide
table cut into strips across pages, no way to tell which run a loose page came from).
Page setup, header and footer and print titles are written when the sheet is saved, so
a write-only sheet takes them after its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl.utils import get_column_letter

A4 = 9
LANDSCAPE_FROM_WIDTH = 100.0
"""Columns wider than this many characters in all print landscape."""


@dataclass(frozen=True)
class Stamp:
    """What every printed page says about where it came from."""

    year: int | None
    run_id: str = ""
    run_date: str = ""
    inputs_digest: str = ""

    @classmethod
    def now(cls, year: int | None) -> Stamp:
        """A stamp for outputs that are not a pay run (a quota plan, account classes):
        the year, if any, and when they were made."""
        return cls(year, run_date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    def line(self) -> str:
        """The sentence a Summary or statement opens with, to trace it to its run."""
        if not self.run_id:
            return (f"Written {self.run_date}, not by compplan run: no run id (run.json "
                    "and the run id come with compplan run and compplan statements).")
        return (f"Run {self.run_id} of {self.run_date}; inputs digest {self.inputs_digest} "
                "(run.json lists each file's SHA-256).")

    def footer(self) -> str:
        """The left footer: ``plan year 2026 · run 1a2b3c4d5e6f · 2026-11-26 10:42 UTC``."""
        parts = [f"plan year {self.year}"] if self.year is not None else ["compplan"]
        if self.run_id:
            parts.append(f"run {self.run_id}")
        if self.run_date:
            parts.append(self.run_date)
        return " · ".join(parts)


def new_sheet(wb: Any, name: str) -> Any:
    """A write-only sheet that prints scaled to fit its page setup.

    Fit-to-page is a sheet property, written with the sheet's first row, so it is set
    here, before any; :func:`set_print` sets the rest after the rows.
    """
    ws = wb.create_sheet(name)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _footer_text(text: str) -> str:
    # '&' starts a header/footer code (&P, &N); data text never holds one literally
    return text.replace("&", "&&")


@dataclass(frozen=True)
class Printed:
    """The printed extent of a sheet: its last row and column, and rows to repeat."""

    last_row: int
    last_col: int
    header_rows: tuple[int, int] | None = None
    widths: tuple[float, ...] = ()


def set_print(ws: Any, printed: Printed, stamp: Stamp, *, one_page: bool = False,
              landscape: bool | None = None) -> None:
    """Print area, A4, fit to one page wide (and tall with ``one_page``), repeated header
    rows, and a footer with the plan year, run and ``page P of N``.

    ``landscape`` defaults to the sheet's width: landscape once its columns pass
    :data:`LANDSCAPE_FROM_WIDTH` characters.
    """
    last_row, last_col = max(printed.last_row, 1), max(printed.last_col, 1)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    if landscape is None:
        landscape = sum(printed.widths[:last_col]) > LANDSCAPE_FROM_WIDTH or (
            not printed.widths and last_col > 8)
    setup = ws.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = A4
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0  # 0: as many pages tall as it takes
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if printed.header_rows is not None and not one_page:
        first, last = printed.header_rows
        ws.print_title_rows = f"{first}:{last}"
    ws.oddFooter.left.text = _footer_text(stamp.footer())
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = "&A"  # the sheet's name
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "page &P of &N"
    ws.oddFooter.right.size = 8
