"""``compplan accounts``: accounts.csv with classes, and a workbook with the Pareto chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.excel.sheet import Layout, write_table

PARETO_TOP = 50


def write_workbook(table: pd.DataFrame, path: Path) -> None:
    wb = Workbook(write_only=True)
    ws: Any = wb.create_sheet("Accounts")
    ws.freeze_panes = "A2"
    _, last = write_table(ws, table, "accounts", Layout(
        {"revenue": "money", "share": "pct", "cumulative_share": "pct", "cv": "number"}))
    top = min(last, PARETO_TOP + 1)
    bars = BarChart()
    bars.title = f"Pareto: revenue of the top {top - 1} accounts and cumulative share"
    bars.y_axis.title = "revenue"
    bars.add_data(Reference(ws, min_col=5, min_row=1, max_row=top), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=2, max_row=top))
    line = LineChart()
    line.add_data(Reference(ws, min_col=7, min_row=1, max_row=top), titles_from_data=True)
    line.y_axis.axId, line.y_axis.title, line.y_axis.crosses = 200, "cumulative share", "max"
    bars += line
    bars.width, bars.height = 24, 10
    ws.add_chart(bars, "J2")
    wb.save(path)


def write_segments(table: pd.DataFrame, out: Path) -> list[Path]:
    writers: dict[str, Writer] = {
        "accounts.csv": lambda p: write_csv(table, p, {"revenue", "share", "cumulative_share",
                                                       "cv"}),
        "accounts.xlsx": lambda p: write_workbook(table, p),
    }
    return write_atomically(out, writers)
