"""Writing frames as real Excel tables in write-only sheets, safely and fast.

Cells from input data are always stored as text, never as formulas: a value such as
``=HYPERLINK(...)`` is written with the string type and a quote prefix, so Excel shows
it literally. Number formats come from the column's kind. One cell object per column
is reused for every row (write-only sheets serialise a row as soon as it is appended),
which keeps a million-row sheet within memory; plain text is appended as a value.
"""

from __future__ import annotations

import re
import textwrap
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
from compplan.core.currencies import UnknownCurrencyError, decimals
from compplan.excel.page import Printed, Stamp, new_sheet, set_print

EXCEL_MAX_ROWS = 1_048_576
FORMATS = {"money": "#,##0.00", "money0": "#,##0", "pct": "0.0%", "date": "yyyy-mm-dd",
           "int": "#,##0", "number": "#,##0.####", "ratio": "0.00", "text": "@",
           "money_delta": "+#,##0.00;-#,##0.00;0.00",
           "pp": '+0.0 "pp";-0.0 "pp";0.0 "pp"'}
"""Number formats by what a column means. ``pp`` (percentage points) columns hold a
difference of two ratios and are written times 100: 0.012 shows as ``+1.2 pp``."""
AXIS_FORMATS = {"money": "#,##0", "money0": "#,##0", "pct": "0%", "int": "#,##0",
                "number": "#,##0.##", "ratio": "0.0"}
"""Number formats on chart axes: no cents on an axis of large values."""
HEADERS = {"payee_id": "Payee ID", "deal_id": "Deal ID", "territory_id": "Territory ID",
           "account_id": "Account ID", "fx_rate": "FX rate", "cv": "CV", "id": "ID",
           "p90_payout": "P90 payout", "source_row": "Source row"}
"""Headers that are not just the column name in words (``target_incentive``:
``Target incentive``)."""
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)

Formula = Callable[[int], str]
_RISKY_START = (*FORMULA_START, "#")
"""Text openpyxl would not store as plain text: a formula's start, or an error code
(``#N/A``). Such text goes through a cell typed as a string; other text is appended as
it is, which skips a cell object and a failed bind per cell."""


@dataclass
class Layout:
    """How to show a frame: the kind of each column, and formula columns by row."""

    kinds: dict[str, str] = field(default_factory=dict)
    formulas: dict[str, Formula] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    as_is: frozenset[str] = frozenset()
    """Columns named by data (a scenario, a month): their header is the name itself."""
    wrap: frozenset[str] = frozenset()
    """Text columns whose long cells wrap onto more lines instead of widening the page."""
    currency: str | None = None
    """The column holding each row's currency code, or one code for all rows: money
    then shows that currency's minor units (JPY ``1,234``, KWD ``1,234.500``)."""
    other_currency: frozenset[str] = frozenset()
    """Money columns in another currency than the row's (a reporting currency)."""

    def header(self, name: str) -> str:
        """The header shown for a column."""
        return name if name in self.as_is else human(name)


def human(name: str) -> str:
    """A column name as a reader says it.

    >>> human("target_incentive"), human("payee_id"), human("variable pay"), human("2026-01")
    ('Target incentive', 'Payee ID', 'Variable pay', '2026-01')
    >>> human("cost_of_sales_vs_baseline")
    'Cost of sales vs baseline'
    """
    if name in HEADERS:
        return HEADERS[name]
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def table_name(text: str) -> str:
    """A valid Excel table name from any text.

    >>> table_name("ae-2026 payouts")
    'T_ae_2026_payouts'
    """
    return "T_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


_RIGHT = Alignment(horizontal="right")


MONEY_KINDS = ("money", "money_delta")


def number_format(kind: str, places: int = 2) -> str:
    """The format of a kind; money shows its currency's minor units (``places``).

    >>> number_format("money", 0), number_format("money_delta", 3), number_format("pct", 0)
    ('#,##0', '+#,##0.000;-#,##0.000;0.000', '0.0%')
    """
    if kind not in MONEY_KINDS or places == 2:
        return FORMATS[kind]
    digits = "." + "0" * places if places else ""
    if kind == "money":
        return f"#,##0{digits}"
    return f"+#,##0{digits};-#,##0{digits};0{digits}"


def _cell(ws: Any, kind: str, places: int = 2) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    if kind in FORMATS and kind not in ("text", "auto"):
        cell.number_format = number_format(kind, places)
        cell.alignment = _RIGHT  # a formula's "n/a" lines up with the numbers
    return cell


def _places(frame: pd.DataFrame, layout: Layout) -> np.ndarray | None:
    """Each row's currency's minor units, when the layout names the currency."""
    if layout.currency is None:
        return None
    if layout.currency in frame.columns:
        codes = frame[layout.currency].astype(str)
        by_code = {c: _minor_units(c) for c in pd.unique(codes)}  # a handful of currencies
        return codes.map(by_code).to_numpy(dtype=np.int64)
    return np.full(len(frame), _minor_units(layout.currency), dtype=np.int64)


def _minor_units(code: str) -> int:
    """A currency's minor units; 2 for a row with no currency (a total's blank)."""
    try:
        return decimals(code)
    except UnknownCurrencyError:
        return 2


_WRAP = Alignment(wrap_text=True, vertical="top")


def _text_cells(ws: Any, kind: str, wrap: bool = False) -> tuple[WriteOnlyCell, WriteOnlyCell]:
    plain = _cell(ws, kind)
    quoted = _cell(ws, kind)
    quoted.quotePrefix = True
    if wrap:
        plain.alignment = quoted.alignment = _WRAP
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


_HEADER_ALIGN = _WRAP


def header_row(ws: Any, names: Sequence[str]) -> list[WriteOnlyCell]:
    """The styled header cells of a table (bold on a fill, wrapped)."""
    cells = []
    for name in names:  # a CRM's column name is data too: text, never a formula
        cell = text_cell(ws, str(name))
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, _HEADER_ALIGN
        cells.append(cell)
    return cells


def title(ws: Any, text: str) -> None:
    """A sheet's title row: large and bold, neutralized like any text."""
    cell = text_cell(ws, text)
    cell.font = TITLE_FONT
    ws.append([cell])


def _shown(sample: pd.Series, kind: str) -> list[str]:
    """Roughly what the cells of a column show, to size it."""
    if kind in ("money", "money0", "money_delta", "int", "number"):
        values = pd.to_numeric(sample, errors="coerce").fillna(0).to_numpy(dtype=np.float64)
        digits = ".2f" if kind in ("money", "money_delta") else ".0f"
        return [f"{v:+,{digits}}" for v in values]
    if kind in ("pct", "pp"):
        return ["+100.0 pp"]
    if kind == "date":
        return ["2026-01-01"]
    return [str(v) for v in sample.tolist()]


def estimate_widths(frame: pd.DataFrame, layout: Layout) -> list[float]:
    """Column widths by content: the longest of the first 2,000 values, and the header
    up to 24 characters (a longer header wraps)."""
    widths = []
    sample = frame.head(2000)
    for col in frame.columns:
        if col in layout.widths:
            widths.append(layout.widths[col])
            continue
        kind = layout.kinds.get(col, "text")
        longest = max([min(len(layout.header(str(col))), 24)]
                      + [len(v) for v in _shown(sample[col], kind)])
        widths.append(float(min(max(longest + 2, 8), 60)))
    return widths


def _auto(value: Any) -> Any:
    """A number stays a number (never text that looks like one); anything else is text."""
    if isinstance(value, bool | np.bool_) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    return xml_text(str(value))


def _values(series: pd.Series, kind: str) -> list[Any]:
    if kind == "auto":
        return [_auto(v) for v in series.astype(object).tolist()]
    if kind == "date":
        stamps = pd.to_datetime(series, errors="coerce")
        return [None if pd.isna(v) else v.to_pydatetime().date() for v in stamps]
    if kind in FORMATS and kind != "text":
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
        if kind == "pp":
            values = values * 100.0
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
    places = _places(frame, layout)
    by_places = [{p: _cell(ws, k, p) for p in (0, 2, 3, 4)} if k in MONEY_KINDS and
                 places is not None and c not in layout.other_currency else None
                 for c, k in zip(columns, kinds, strict=True)]
    texts = [_text_cells(ws, "text", c in layout.wrap) if k in ("text", "auto") else None
             for c, k in zip(columns, kinds, strict=True)]
    plain = [k in ("text", "auto") and c not in layout.wrap
             for c, k in zip(columns, kinds, strict=True)]
    for i in range(len(frame)):
        row: list[Any] = []
        for j, col in enumerate(columns):
            money = by_places[j]
            cell = cells[j] if money is None or places is None else money[int(places[i])]
            formula = layout.formulas.get(col)
            if formula is not None:
                cell.value = formula(first_row + i)
                row.append(cell)
                continue
            value = values[j][i]  # type: ignore[index]
            pair = texts[j]
            if pair is not None and isinstance(value, str):
                if plain[j] and not value.startswith(_RISKY_START):
                    row.append(value)  # plain text: no style, no cell object (half the time)
                    continue
                cell = pair[1] if value.startswith(FORMULA_START) else pair[0]
                cell.value = value
                cell.data_type = "s"
            else:
                cell.value = value
            row.append(cell)
        ws.append(row)


def header_lines(ws: Any, headers: Sequence[str]) -> int:
    """How many lines the tallest header takes, wrapped at its column's width.

    >>> from openpyxl import Workbook
    >>> ws = Workbook(write_only=True).create_sheet("s")
    >>> ws.column_dimensions["A"].width = 10
    >>> header_lines(ws, ["Median attainment", "Payees"])
    2
    """
    lines = 1
    for j, text in enumerate(headers, start=1):
        dim = ws.column_dimensions.get(get_column_letter(j))
        width = dim.width if dim is not None and dim.width else 8.43
        lines = max(lines, len(textwrap.wrap(text, max(int(width) - 1, 1))) or 1)
    return min(lines, 4)


def write_table(ws: Any, frame: pd.DataFrame, name: str, layout: Layout,
                header_at: int = 1, set_widths: bool = True) -> tuple[int, int]:
    """Write a header and rows as a named, filterable Excel table; return its row span.

    Headers are the columns' names in words (:func:`human`). Column widths can only be
    set before a write-only sheet's first row, so ``set_widths`` is for a table that
    starts the sheet; others pass False.
    """
    columns = [layout.header(str(c)) for c in frame.columns]
    if len({c.lower() for c in columns}) < len(columns):  # Excel wants them unique
        columns = [str(c) for c in frame.columns]
    if set_widths:
        for j, width in enumerate(estimate_widths(frame, layout), start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
    lines = header_lines(ws, columns)
    if lines > 1:  # a wrapped header needs a taller row: Excel does not grow it on opening
        ws.row_dimensions[header_at].height = 15 * lines
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


def total_row(ws: Any, values: Sequence[Any], kinds: Sequence[str],
              currency: str | None = None) -> None:
    """A bold row of totals, formatted like the table above it (money in ``currency``'s
    minor units when given)."""
    row = []
    places = _minor_units(currency) if currency else 2
    for value, kind in zip(values, kinds, strict=True):
        cell = _cell(ws, kind, places)
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


def table_sheet(wb: Any, sheet: str, frame: pd.DataFrame, name: str, layout: Layout,
                stamp: Stamp, freeze: str = "A2", landscape: bool | None = None) -> Any:
    """A sheet that is one table: frozen and repeated header row, widths by content,
    printed one page wide with the run's footer. Returns the sheet."""
    ws = new_sheet(wb, sheet)
    ws.freeze_panes = freeze
    widths = estimate_widths(frame, layout)
    set_widths(ws, widths)
    _, last = write_table(ws, frame, name, layout, set_widths=False)
    set_print(ws, Printed(last, len(frame.columns), (1, 1), tuple(widths)), stamp,
              landscape=landscape)
    return ws


def note_sheet(wb: Any, sheet: str, text: str, stamp: Stamp) -> Any:
    """A sheet that is one line saying where its rows are (a table too long to write)."""
    ws = new_sheet(wb, sheet)
    set_widths(ws, [110])
    ws.append([text_cell(ws, text)])
    set_print(ws, Printed(1, 1), stamp)
    return ws
