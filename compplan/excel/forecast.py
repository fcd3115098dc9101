"""forecast.xlsx: the year-end distributions per plan with their charts, each payee's
range, the accrual and its journal, the deals whose closing moves pay most, and the
odds the forecast assumed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from compplan.excel.charts import NAVY, axes, color_series
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import (
    AXIS_FORMATS,
    Layout,
    blank,
    set_widths,
    table_sheet,
    text_cell,
    title,
    write_table,
)
from compplan.forecast.files import ACCRUAL_MONEY, MONEY_PAYEE, MONEY_PLAN
from compplan.forecast.run import Forecast
from compplan.outputs.stamp import run_info

BANDS = 20
RATIOS = ("cost_of_sales", "share_at_quota", "run_rate_cost_of_sales",
          "run_rate_share_at_quota")


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Decimal text columns (exact CSV money) back as numbers for cells."""
    return frame.assign(**{c: pd.to_numeric(frame[c].replace("", np.nan)) for c in columns})


def _distributions(wb: Any, fc: Forecast, stamp: Stamp) -> None:
    """Per plan, the year's variable pay over the draws in bands, a chart beside each."""
    ws = new_sheet(wb, "Distributions")
    widths = [18.0, 10.0, 3.0, *[10.0] * 10]
    set_widths(ws, widths)
    title(ws, f"Variable pay of the year across {fc.request.settings.draws:,} drawn years, "
              f"as of {fc.request.as_of}: how many draws fall in each band")
    blank(ws)
    row = 3
    grid = ChartGrid(widths, first_row=3, first_col=4, span_cols=10, span_rows=BANDS + 3,
                     per_row=1)
    for plan_id, drawn in sorted(fc.draws.items()):
        values = drawn.variable.sum(axis=1)
        code = fc.actual.plans[plan_id].currency
        lo, hi = float(values.min()), float(values.max())
        edges = np.linspace(lo, hi + max(1e-9, (hi - lo) * 1e-9), BANDS + 1)
        band = pd.DataFrame({f"{plan_id} ({code}) from": [f"{e:,.0f}" for e in edges[:-1]],
                             "draws": np.histogram(values, bins=edges)[0]})
        layout = Layout({"draws": "int"}, as_is=frozenset([str(band.columns[0])]))
        header, end = write_table(ws, band, f"dist {plan_id}", layout, header_at=row,
                                  set_widths=False)
        chart = BarChart()
        chart.title = f"{plan_id}: variable pay by year ({code})"
        chart.y_axis.title, chart.x_axis.title = "draws", f"variable pay ({code}), from"
        chart.add_data(Reference(ws, min_col=2, min_row=header, max_row=end),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=end))
        color_series(chart, [NAVY])
        chart.legend = None
        axes(chart, None, AXIS_FORMATS["int"])
        grid.add(ws, chart)
        row = end + 3
        for _ in range(2):
            blank(ws)
    set_print(ws, Printed(max(row, grid.last_row), grid.last_col), stamp, landscape=True)


def _about(wb: Any, fc: Forecast, stamp: Stamp) -> None:
    """What the forecast read and assumed, in words."""
    d = fc.deals
    slip = ", ".join(f"{k} month(s) late {p:.0%}" for k, p in sorted(fc.odds.slip.items()))
    lines = [
        f"Forecast of plan year {fc.actual.year} as of {fc.request.as_of}",
        f"{d.count:,} open deals ({len(d.rows):,} rows), {d.overdue:,} of them overdue "
        "(expected the day after the as-of date)",
        f"{fc.request.settings.draws:,} draws, seed {fc.request.settings.seed}: the same "
        "seed and draws give the same numbers",
        f"Slippage: {slip} (from {fc.odds.slip_source})",
        f"{len(d.left_out):,} deal rows not known on the as-of date (created or closed "
        "after it) are left out of the actuals: forecast_left_out.csv lists them",
        f"{d.stay_open:,} open rows of the deals table have no pipeline row: they stay "
        "open in every draw",
        "Paid to date: " + ("the payroll ledger's closed months" if fc.request.paid
                            is not None else "every line of the months before the as-of "
                            "month"),
        "Run rate: each payee's months after the as-of month credited at the average "
        "rate of their months through it (per active day), the pipeline ignored",
    ]
    ws = new_sheet(wb, "About")
    set_widths(ws, [120])
    for text in lines:
        ws.append([text_cell(ws, text)])
    set_print(ws, Printed(len(lines), 1), stamp)


def write_workbook(fc: Forecast, path: Path, plans: pd.DataFrame, payees: pd.DataFrame,
                   accrual: pd.DataFrame, deals: pd.DataFrame) -> None:
    """forecast.xlsx from the forecast and its CSV tables (money as exact text)."""
    stamp = run_info(fc.actual).stamp(fc.actual.year)
    wb = Workbook(write_only=True)
    ratios = [c for c in plans.columns if c.startswith(RATIOS)]
    table_sheet(wb, "Plans", _numbers(plans, MONEY_PLAN), "plans", Layout(
        {**dict.fromkeys(MONEY_PLAN, "money"), **dict.fromkeys(ratios, "pct"),
         "payees": "int", "draws": "int"}, currency="currency"), stamp, freeze="C2",
        landscape=True)
    _distributions(wb, fc, stamp)
    att = [c for c in payees.columns if c.startswith(("attainment", "chance"))]
    table_sheet(wb, "Payees", _numbers(payees, MONEY_PAYEE), "payees", Layout(
        {**dict.fromkeys(MONEY_PAYEE, "money"), **dict.fromkeys(att, "pct")},
        currency="currency"), stamp, freeze="C2", landscape=True)
    table_sheet(wb, "Accrual", _numbers(accrual, ACCRUAL_MONEY), "accrual", Layout(
        dict.fromkeys(ACCRUAL_MONEY, "money"), currency="currency"), stamp, landscape=True)
    journal = _numbers(fc.journal, ["debit", "credit"])
    table_sheet(wb, "Journal", journal, "journal", Layout(
        {"debit": "money", "credit": "money"}, currency="currency"), stamp)
    top = _numbers(deals, ["change", "expected_change"]).head(200)
    table_sheet(wb, "Top deals", top, "top deals", Layout(
        {"change": "money", "expected_change": "money", "win_rate": "pct", "payees": "int"},
        currency="currency"), stamp, freeze="B2")
    table_sheet(wb, "Win rates", fc.odds.rates, "win rates", Layout(
        {"win_rate": "pct", "ended_deals": "int", "won_deals": "int", "open_deals": "int"}),
        stamp)
    _about(wb, fc, stamp)
    wb.save(path)
