"""forecast.xlsx: the year-end figures per plan, a distribution chart per plan, each
payee's range, the accrual and its journal, the deals whose closing moves pay most,
and the odds the forecast assumed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from compplan.core.money import row_decimals
from compplan.excel.charts import NAVY, axes, color_series, dashboard_name
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import (
    AXIS_FORMATS,
    Layout,
    blank,
    estimate_widths,
    set_widths,
    table_sheet,
    text_cell,
    title,
    write_table,
)
from compplan.forecast.accrual import ACCRUAL_MONEY
from compplan.forecast.deal_estimates import by_deal
from compplan.forecast.run import MONEY_PAYEE, MONEY_PLAN, Forecast
from compplan.outputs.stamp import run_info

BANDS = 20
RATIOS = ("cost_of_sales", "share_at_quota", "run_rate_cost_of_sales",
          "run_rate_share_at_quota")


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Decimal text columns (the journal's exact money) as numbers for cells."""
    return frame.assign(**{c: pd.to_numeric(frame[c].replace("", np.nan)) for c in columns})


def _units(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Minor-unit columns as amounts in each row's currency, for cells."""
    scale = 10.0 ** row_decimals(frame["currency"])
    return frame.assign(**{c: frame[c].to_numpy(dtype=np.int64) / scale for c in columns})


def _distribution(wb: Any, fc: Forecast, plan_id: str, name: str, stamp: Stamp) -> None:
    """One plan's year of variable pay over the draws, in bands, its chart beside the
    counts: one printed page."""
    values = fc.draws[plan_id].variable.sum(axis=1)
    code = fc.actual.plans[plan_id].currency
    lo, hi = float(values.min()), float(values.max())
    edges = np.linspace(lo, hi + max(1e-9, (hi - lo) * 1e-9), BANDS + 1)
    band = pd.DataFrame({f"variable pay ({code}) from": [f"{e:,.0f}" for e in edges[:-1]],
                         "draws": np.histogram(values, bins=edges)[0]})
    layout = Layout({"draws": "int"}, as_is=frozenset([str(band.columns[0])]))
    ws = new_sheet(wb, name)
    widths = [26.0, 9.0, 3.0, *[10.0] * 12]
    set_widths(ws, widths)
    row = fc.plans[fc.plans["plan"] == plan_id].iloc[0]
    title(ws, f"{plan_id}: variable pay of {fc.actual.year} across "
              f"{fc.request.settings.draws:,} drawn years, as of {fc.request.as_of}")
    ws.append([text_cell(ws, f"P10 {row['variable_p10']:,.2f}   P50 "
                             f"{row['variable_p50']:,.2f}   P90 {row['variable_p90']:,.2f}   "
                             f"run rate {row['run_rate_variable']:,.2f} {code}")])
    blank(ws)
    header, end = write_table(ws, band, table_name_of(name), layout, header_at=4,
                              set_widths=False)
    chart = BarChart()
    chart.title = f"{plan_id}: draws by variable pay of the year ({code})"
    chart.y_axis.title, chart.x_axis.title = "draws", f"variable pay ({code}), from"
    chart.add_data(Reference(ws, min_col=2, min_row=header, max_row=end),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=end))
    color_series(chart, [NAVY])
    chart.legend = None
    chart.y_axis.scaling.min = 0
    axes(chart, None, AXIS_FORMATS["int"])
    grid = ChartGrid(widths, first_row=4, first_col=4, span_cols=12, span_rows=BANDS + 4,
                     per_row=1)
    grid.add(ws, chart)
    set_print(ws, Printed(max(end, grid.last_row), grid.last_col), stamp, one_page=True,
              landscape=True)


def table_name_of(sheet: str) -> str:
    return "band " + sheet


PLAN_TABLES = (
    ("Pay", ["plan", "currency", "payees", "variable_to_date", "variable_p10",
             "variable_p50", "variable_p90", "variable_mean", "run_rate_variable"]),
    ("Cost", ["plan", "currency", "total_p10", "total_p50", "total_p90", "total_mean",
              "run_rate_total", "bookings_p50", "cost_of_sales_p10", "cost_of_sales_p50",
              "cost_of_sales_p90", "run_rate_cost_of_sales"]),
    ("Attainment", ["plan", "share_at_quota_p10", "share_at_quota_p50", "share_at_quota_p90",
                    "run_rate_share_at_quota"]),
)


def _plans_sheet(wb: Any, fc: Forecast, stamp: Stamp) -> None:
    """The plans' year-end figures as three narrow tables (pay, cost, attainment), so
    the page reads at print size."""
    frame = fc.plans
    ratios = [c for c in frame.columns if c.startswith(RATIOS)]
    layout = Layout({**dict.fromkeys(MONEY_PLAN, "money"), **dict.fromkeys(ratios, "pct"),
                     "payees": "int"}, currency="currency")
    ws = new_sheet(wb, "Plans")
    widths = [max(w) for w in zip(*(
        estimate_widths(frame[cols], layout) + [0.0] * (12 - len(cols))
        for _, cols in PLAN_TABLES), strict=True)]
    set_widths(ws, widths)
    title(ws, f"Forecast of {fc.actual.year} as of {fc.request.as_of}: P10 / P50 / P90 "
              f"over {fc.request.settings.draws:,} draws, beside the run rate")
    row = 2  # the next row written
    for name, cols in PLAN_TABLES:
        blank(ws)
        ws.append([text_cell(ws, name)])
        _, end = write_table(ws, frame[cols], f"plans {name.lower()}", layout,
                             header_at=row + 2, set_widths=False)
        row = end + 1
    set_print(ws, Printed(row, len(widths), (1, 1), tuple(widths)), stamp, landscape=True)


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


def write_workbook(fc: Forecast, path: Path) -> None:
    """forecast.xlsx: the forecast's tables, money as numbers in each row's currency."""
    stamp = run_info(fc.actual).stamp(fc.actual.year)
    wb = Workbook(write_only=True)
    _plans_sheet(wb, fc, stamp)
    taken = {"plans", "payees", "accrual", "journal", "top deals", "win rates", "about"}
    for plan_id in sorted(fc.draws):
        _distribution(wb, fc, plan_id, dashboard_name(plan_id, taken, "forecast"), stamp)
    att = [c for c in fc.payees.columns if c.startswith(("attainment", "chance"))]
    table_sheet(wb, "Payees", fc.payees, "payees", Layout(
        {**dict.fromkeys(MONEY_PAYEE, "money"), **dict.fromkeys(att, "pct")},
        currency="currency"), stamp, freeze="C2", landscape=True)
    table_sheet(wb, "Accrual", _units(fc.accrual, ACCRUAL_MONEY), "accrual", Layout(
        dict.fromkeys(ACCRUAL_MONEY, "money"), currency="currency"), stamp, landscape=True)
    journal = _numbers(fc.journal, ["debit", "credit"])
    table_sheet(wb, "Journal", journal, "journal", Layout(
        {"debit": "money", "credit": "money"}, currency="currency"), stamp)
    top = _units(by_deal(fc.estimates).head(200), ["change", "expected_change"])
    table_sheet(wb, "Top deals", top, "top deals", Layout(
        {"change": "money", "expected_change": "money", "win_rate": "pct", "payees": "int"},
        currency="currency"), stamp, freeze="B2")
    table_sheet(wb, "Win rates", fc.odds.rates, "win rates", Layout(
        {"win_rate": "pct", "ended_deals": "int", "won_deals": "int", "open_deals": "int"}),
        stamp)
    _about(wb, fc, stamp)
    wb.save(path)
