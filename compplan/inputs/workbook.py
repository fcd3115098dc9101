"""Read the first sheet of an Excel workbook as cells, refusing what would be misread.

A cell holding a formula is read as the value Excel last calculated and saved with it.
A workbook written by a script (or by Excel with calculation off) can hold formulas
with no saved value: pandas reads those as empty cells, and a deal's amount would
silently be nothing. Those cells are reported instead, by row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from compplan.errors import Issue

_MAX_LISTED = 20


class WorkbookError(Exception):
    """Cells that cannot be read as data; the caller adds the file."""

    def __init__(self, cells: list[tuple[int, str, str]]) -> None:
        self.cells = cells
        super().__init__(f"{len(cells)} unreadable cells")

    def issues(self, file: str) -> list[Issue]:
        found = [Issue(file, f"formula {formula!r} has no saved value: open the workbook in "
                       "Excel and save it (or export CSV)", None, f"row {row}, {column}")
                 for row, column, formula in self.cells[:_MAX_LISTED]]
        if len(self.cells) > _MAX_LISTED:
            found.append(Issue(file, f"... and {len(self.cells) - _MAX_LISTED} more such cells"))
        return found


def read_workbook(path: Path) -> pd.DataFrame:
    """The first sheet: first row as header, the rest as rows of Python values."""
    values = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        value_rows = list(values.worksheets[0].iter_rows(values_only=True))
        formula_rows = formulas.worksheets[0].iter_rows(values_only=True)
        bad: list[tuple[int, str, str]] = []
        header: tuple[Any, ...] = value_rows[0] if value_rows else ()
        names = ["" if h is None else str(h) for h in header]
        for number, (row, written) in enumerate(zip(value_rows, formula_rows, strict=False),
                                                start=1):
            for i, (value, cell) in enumerate(zip(row, written, strict=False)):
                if value is None and isinstance(cell, str) and cell.startswith("="):
                    column = names[i] if i < len(names) and names[i] else f"column {i + 1}"
                    bad.append((number, column, cell))
    finally:
        values.close()
        formulas.close()
    if bad:
        raise WorkbookError(bad)
    if not value_rows:
        raise pd.errors.EmptyDataError
    width = max(len(r) for r in value_rows)
    names += [""] * (width - len(names))
    body = [list(r) + [None] * (width - len(r)) for r in value_rows[1:]]
    return pd.DataFrame(body, columns=pd.Index(names), dtype=object)
