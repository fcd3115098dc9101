"""Charts placed on a grid of cells whose sizes we know, so no chart covers another.

A chart is anchored at a cell and drawn with a size in centimetres; which cells it
covers depends on the widths of the columns it crosses and the heights of the rows.
Anchoring charts a fixed number of rows apart, as the first workbooks did, let a taller
chart hide the axis titles of the next one. Here a sheet's column widths are given, each
chart gets a slot of whole columns and rows, and its size is the slot's size less a
gap: the slots tile the area, so the charts cannot overlap whatever their sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU

ROW_PX = 20
"""Default row height: 15 points = 20 pixels at 96 dpi."""
PX_PER_CM = 96 / 2.54
GAP_PX = 14


DEFAULT_COLUMN_PX = 64
"""A column with no width set: Excel's default 8.43 characters, 64 pixels."""


def column_px(width: float | None) -> int:
    """Pixels of a column ``width`` wide, as a workbook stores it (characters of the
    default font's 7-pixel digits, padding included): Excel's own rule.

    >>> column_px(10), column_px(12), column_px(18), column_px(None)
    (70, 84, 126, 64)
    """
    if width is None:
        return DEFAULT_COLUMN_PX
    return math.trunc((256 * width + math.trunc(128 / 7)) / 256 * 7)


@dataclass(frozen=True)
class Slot:
    """Where a chart goes: its top-left cell (``col``, ``row``, 0-based), that cell's
    name, and the slot's size less the gap."""

    col: int
    row: int
    width_cm: float
    height_cm: float

    @property
    def anchor(self) -> str:
        """The top-left cell, ``A6``."""
        return f"{get_column_letter(self.col + 1)}{self.row + 1}"


@dataclass
class ChartGrid:
    """Slots ``span_cols`` columns wide and ``span_rows`` rows tall, ``per_row`` across,
    starting at cell (``first_row``, ``first_col``), both 1-based.

    ``widths`` are the sheet's column widths in characters from column A (Excel's
    default past its end): the grid measures each slot over the columns it really spans.
    """

    widths: Sequence[float]
    first_row: int
    first_col: int = 1
    span_cols: int = 8
    span_rows: int = 18
    per_row: int = 2
    placed: int = field(default=0, init=False)

    def _width(self, col: int) -> float | None:  # 1-based
        return self.widths[col - 1] if col - 1 < len(self.widths) else None

    def next_slot(self) -> Slot:
        """The next free slot, left to right then top to bottom."""
        across, down = self.placed % self.per_row, self.placed // self.per_row
        self.placed += 1
        col = self.first_col + across * self.span_cols
        row = self.first_row + down * self.span_rows
        px_wide = sum(column_px(self._width(c)) for c in range(col, col + self.span_cols))
        px_tall = self.span_rows * ROW_PX
        return Slot(col - 1, row - 1, (px_wide - GAP_PX) / PX_PER_CM,
                    (px_tall - GAP_PX) / PX_PER_CM)

    def add(self, ws: Any, chart: Any) -> Slot:
        """Anchor ``chart`` to the next slot's cells at both corners.

        A two-cell anchor stretches the chart over the slot's own cells, so it fills the
        slot in any program, whatever width it gives a column of 12 characters (Excel 84
        pixels, LibreOffice a few more): the extent is the cells, not a guess at them.
        """
        slot = self.next_slot()
        chart.width, chart.height = slot.width_cm, slot.height_cm
        last = slot.col + self.span_cols - 1
        half = pixels_to_EMU(GAP_PX // 2)
        chart.anchor = TwoCellAnchor(
            _from=AnchorMarker(col=slot.col, colOff=half, row=slot.row, rowOff=half),
            to=AnchorMarker(col=last, colOff=pixels_to_EMU(column_px(self._width(last + 1)))
                            - half, row=slot.row + self.span_rows - 1,
                            rowOff=pixels_to_EMU(ROW_PX) - half))
        ws.add_chart(chart)
        return slot

    @property
    def last_row(self) -> int:
        """The last sheet row the placed charts reach (``first_row - 1`` if none)."""
        rows = math.ceil(self.placed / self.per_row)
        return self.first_row + rows * self.span_rows - 1

    @property
    def last_col(self) -> int:
        """The last sheet column the placed charts reach."""
        across = min(self.placed, self.per_row)
        return self.first_col + across * self.span_cols - 1
