"""Writing frames as real Excel tables in write-only sheets, safely and fast.

Cells from input data are always stored as text, never as formulas: a value such as
``=HYPERLINK(...)`` is written with the string type and a quote prefix, so Excel shows
it literally. Number formats come from the column's kind. One cell object per column
is reused for every row (write-only sheets serialise a row as soon as it is appended),
which keeps a million-row sheet within memory.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from compplan.core.cell_text import FORMULA_START

EXCEL_MAX_ROWS = 1_048_576
FORMATS = {"money": "#,##0.00", "pct": "0.0%", "date": "yyyy-mm-dd", "int": "#,##0",
           "number": "#,##0.####", "text": "@"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)

Formula = Callable[[int], str]


@dataclass
class Layout:
    """How to show a frame: the kind of each column, and formula columns by row."""

    kinds: dict[str, str] = field(default_factory=dict)
    formulas: dict[str, Formula] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)


def table_name(text: str) -> str:
    """A valid Excel table name from any text.

    >>> table_name("ae-2026 payouts")
    'T_ae_2026_payouts'
    """
    return "T_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


_RIGHT = Alignment(horizontal="right")


def _cell(ws: Any, kind: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    if kind in FORMATS and kind != "text":
        cell.number_format = FORMATS[kind]
        cell.alignment = _RIGHT  # a formula's "n/a" lines up with the numbers
    return cell


def _text_cells(ws: Any, kind: str) -> tuple[WriteOnlyCell, WriteOnlyCell]:
    plain = _cell(ws, kind)
    quoted = _cell(ws, kind)
    quoted.quotePrefix = True
    return plain, quoted


def xml_text(text: str) -> str:
    r"""Text an XLSX file can hold: XML 1.0 has no control characters but tab and line
    breaks, so each other one (a CRM's ``\x0b``) is shown as U+FFFD instead of failing
    the whole workbook. CSV outputs keep them as they are.

    >>> xml_text("a\x0bb\x1bc\td")
    'a\ufffdb\ufffdc\td'
    """
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def text_cell(ws: Any, text: str) -> WriteOnlyCell:
    """A cell that holds ``text`` as text: never a formula, never an illegal character."""
    cell = WriteOnlyCell(ws)
    cell.value = xml_text(text)
    cell.data_type = "s"
    if cell.value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def header_row(ws: Any, names: Sequence[str]) -> list[WriteOnlyCell]:
    """The styled header cells of a table (bold on a fill, wrapped)."""
    cells = []
    for name in names:  # a CRM's column name is data too: text, never a formula
        cell = text_cell(ws, str(name))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    return cells


def title(ws: Any, text: str) -> None:
    """A sheet's title row: large and bold, neutralized like any text."""
    cell = text_cell(ws, text)
    cell.font = TITLE_FONT
    ws.append([cell])


def _estimate_widths(frame: pd.DataFrame, layout: Layout) -> list[float]:
    widths = []
    sample = frame.head(200)
    for col in frame.columns:
        if col in layout.widths:
            widths.append(layout.widths[col])
            continue
        kind = layout.kinds.get(col, "text")
        shown = ([f"{v:,.2f}" for v in pd.to_numeric(sample[col], errors="coerce").fillna(0)]
                 if kind == "money" else [str(v) for v in sample[col].tolist()])
        longest = max([len(str(col))] + [len(v) for v in shown])
        widths.append(float(min(max(longest + 2, 8 if kind != "money" else 12), 60)))
    return widths


def _values(series: pd.Series, kind: str) -> list[Any]:
    if kind == "date":
        stamps = pd.to_datetime(series, errors="coerce")
        return [None if pd.isna(v) else v.to_pydatetime().date() for v in stamps]
    if kind in ("money", "pct", "int", "number"):
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
        values = np.round(values, 8)  # no 0.30000000000000004 in a cell
        return [None if np.isnan(v) else (int(v) if kind == "int" else float(v))
                for v in values.tolist()]
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else xml_text(str(v))
            for v in series.astype(object).tolist()]


def write_rows(ws: Any, frame: pd.DataFrame, layout: Layout, first_row: int) -> None:
    """Append the frame's rows; ``first_row`` is the sheet row of the first data row."""
    columns = list(frame.columns)
    kinds = [layout.kinds.get(c, "text") for c in columns]
    values = [_values(frame[c], k) if c not in layout.formulas else None
              for c, k in zip(columns, kinds, strict=True)]
    cells = [_cell(ws, k) for k in kinds]
    texts = [_text_cells(ws, k) if k == "text" else None for k in kinds]
    for i in range(len(frame)):
        row = []
        for j, col in enumerate(columns):
            formula = layout.formulas.get(col)
            if formula is not None:
                cell = cells[j]
                cell.value = formula(first_row + i)
            else:
                value = values[j][i]  # type: ignore[index]
                pair = texts[j]
                if pair is not None:
                    cell = pair[1] if value.startswith(FORMULA_START) else pair[0]
                    cell.value = value
                    cell.data_type = "s"
                else:
                    cell = cells[j]
                    cell.value = value
            row.append(cell)
        ws.append(row)


def write_table(ws: Any, frame: pd.DataFrame, name: str, layout: Layout,
                header_at: int = 1, set_widths: bool = True) -> tuple[int, int]:
    """Write a header and rows as a named, filterable Excel table; return its row span.

    Column widths can only be set before a write-only sheet's first row, so
    ``set_widths`` is for a table that starts the sheet; others pass False.
    """
    columns = [str(c) for c in frame.columns]
    if set_widths:
        for j, width in enumerate(_estimate_widths(frame, layout), start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
    ws.append(header_row(ws, columns))
    write_rows(ws, frame, layout, header_at + 1)
    last = header_at + max(len(frame), 1)
    if len(frame):
        ref = f"A{header_at}:{get_column_letter(len(columns))}{last}"
        table = Table(displayName=table_name(name), ref=ref)
        table._initialise_columns()  # write-only sheets cannot read the header back
        for column, header in zip(table.tableColumns, columns, strict=True):
            column.name = header
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        with warnings.catch_warnings():  # columns were added just above
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            ws.add_table(table)
    return header_at, last


def total_row(ws: Any, values: Sequence[Any], kinds: Sequence[str]) -> None:
    """A bold row of totals, formatted like the table above it."""
    row = []
    for value, kind in zip(values, kinds, strict=True):
        cell = _cell(ws, kind)
        cell.value = value
        cell.font = Font(bold=True)
        row.append(cell)
    ws.append(row)


def set_widths(ws: Any, widths: Sequence[float]) -> None:
    """Column widths in characters, set before a write-only sheet's first row."""
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def blank(ws: Any, count: int = 1) -> None:
    """An empty row: the gap between a sheet's blocks."""
    for _ in range(count):
        ws.append([])


def col(frame_columns: Iterable[str], name: str) -> str:
    """Column letter of a column name in a frame written from column A."""
    return str(get_column_letter(list(frame_columns).index(name) + 1))
