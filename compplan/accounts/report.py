"""``compplan accounts``: accounts.csv with classes, and a workbook with the Pareto chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.excel.charts import axes, legend_below
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import AXIS_FORMATS, Layout, estimate_widths, set_widths, write_table

PARETO_TOP = 50


def write_workbook(table: pd.DataFrame, path: Path) -> None:
    wb = Workbook(write_only=True)
    ws: Any = new_sheet(wb, "Accounts")
    ws.freeze_panes = "A2"
    layout = Layout({"revenue": "money", "share": "pct", "cumulative_share": "pct",
                     "cv": "number"})
    widths = estimate_widths(table, layout)
    set_widths(ws, widths)
    _, last = write_table(ws, table, "accounts", layout, set_widths=False)
    top = min(last, PARETO_TOP + 1)
    bars = BarChart()
    bars.title = f"Pareto: revenue of the top {top - 1} accounts and cumulative share"
    bars.y_axis.title = "revenue"
    bars.add_data(Reference(ws, min_col=5, min_row=1, max_row=top), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=2, max_row=top))
    line = LineChart()
    line.add_data(Reference(ws, min_col=7, min_row=1, max_row=top), titles_from_data=True)
    line.y_axis.axId, line.y_axis.title, line.y_axis.crosses = 200, "cumulative share", "max"
    line.y_axis.number_format = "0%"
    line.y_axis.delete = False
    bars += line
    axes(bars, None, AXIS_FORMATS["money"])
    legend_below(bars)
    grid = ChartGrid(widths, first_row=2, first_col=len(widths) + 2, span_cols=10,
                     span_rows=22, per_row=1)
    grid.add(ws, bars)  # beside the table, sized on the sheet's real column widths
    set_print(ws, Printed(max(last, grid.last_row), grid.last_col, (1, 1)), Stamp.now(None),
              landscape=True)
    wb.save(path)


def write_segments(table: pd.DataFrame, out: Path) -> list[Path]:
    writers: dict[str, Writer] = {
        "accounts.csv": lambda p: write_csv(table, p, {"revenue", "share", "cumulative_share",
                                                       "cv"}),
        "accounts.xlsx": lambda p: write_workbook(table, p),
    }
    return write_atomically(out, writers)
