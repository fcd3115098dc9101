"""Native Excel charts: the Summary's pay by month, and a dashboard sheet per plan.

A plan's dashboard is one printed page: the plan's figures across the top, then its
charts on a grid (:class:`compplan.excel.grid.ChartGrid`) — payees by attainment, pay
against attainment with the plan's own curve, cost by month, pay by component — and,
below the printed area, the tables the charts draw from, so every bar can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.shapes import GraphicalProperties

from compplan.engine.result import Evaluation
from compplan.engine.schedules import apply_curve, apply_schedule
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, set_print
from compplan.excel.sheet import AXIS_FORMATS, Layout, blank, set_widths, title, write_table
from compplan.reports.attainment import BUCKETS, bucket_counts, primary_year_attainment
from compplan.schema import Commission, PayoutCurve, Plan

GRID = np.round(np.arange(0.0, 2.51, 0.05), 2)
NAVY, ORANGE, GREY = "1F4E78", "ED7D31", "A5A5A5"
DASHBOARD_WIDTHS = [12.0] * 16
"""A dashboard's columns: 16 of 12 characters, two chart slots of 8 across."""


def axes(chart: Any, x_format: str | None = None, y_format: str | None = None) -> None:
    """Show both axes (openpyxl hides them unless told), with number formats by meaning
    and light horizontal gridlines."""
    for axis, fmt in ((chart.x_axis, x_format), (chart.y_axis, y_format)):
        axis.delete = False
        if fmt is not None:
            axis.number_format = fmt
            axis.numFmt.sourceLinked = False  # type: ignore[union-attr]
    chart.y_axis.majorGridlines = ChartLines()
    chart.y_axis.majorGridlines.spPr = GraphicalProperties(ln=None)
    chart.y_axis.majorGridlines.spPr.line.solidFill = "D9D9D9"


def legend_below(chart: Any) -> None:
    """Legend under the plot, so it never narrows the bars."""
    if chart.legend is not None:
        chart.legend.position = "b"


def _fill(series: Any, color: str) -> None:
    series.graphicalProperties = GraphicalProperties(solidFill=color)
    series.graphicalProperties.line.solidFill = color


def color_series(chart: Any, colors: Sequence[str]) -> None:
    """Fill a chart's series (bars) with ``colors`` in order, outline included."""
    for series, color in zip(chart.series, colors, strict=False):
        _fill(series, color)


def monthly_chart(ws: Any, first: int, last: int, currency: str) -> BarChart:
    """Salary and variable pay stacked by month, from rows ``first`` to ``last`` of the
    Summary's month table (period in A, salary in C, variable pay in D)."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = f"Pay by month ({currency})"
    chart.y_axis.title = currency
    for col, name, color in ((3, "Salary", GREY), (4, "Variable pay", NAVY)):
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=name)
        _fill(series, color)
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    axes(chart, None, AXIS_FORMATS["money"])
    legend_below(chart)
    return chart


def plan_curve(plan: Plan) -> np.ndarray | None:
    """Pay as a multiple of target along attainment of the plan's primary measure."""
    if not plan.quotas:
        return None
    measure = next(iter(plan.quotas))
    total = np.zeros(len(GRID))
    found = False
    for comp in plan.components:
        if isinstance(comp, Commission) and comp.basis == "attainment" and (
                comp.measure == measure):
            share = comp.target.share if comp.target else 1.0
            part = apply_schedule(comp.schedule, GRID) * share
            if comp.cap is not None and comp.cap.target_multiple is not None:
                part = np.minimum(part, comp.cap.target_multiple * share)
            total += part
            found = True
        elif isinstance(comp, PayoutCurve) and comp.measure == measure:
            total += apply_curve(comp, GRID) * comp.weight * comp.target.share
            found = True
    return total if found else None


def _points(result: Evaluation, plan_id: str) -> tuple[pd.DataFrame, str]:
    attained = primary_year_attainment(result, plan_id)
    lines = result.lines
    variable = lines[(lines["plan"] == plan_id) & (lines["kind"] != "salary")]
    pay = variable.groupby("payee_id")["plan_amount"].sum()  # against the plan's target
    seats = result.by_plan[plan_id].frame.seats
    target = pd.Series(seats["target_incentive"].to_numpy(dtype=np.float64) if
                       "target_incentive" in seats else np.nan, index=seats["payee_id"])
    target = target[~target.index.duplicated()]
    frame = attained.assign(pay=pay.reindex(attained["payee_id"]).fillna(0.0).to_numpy())
    has_target = bool((target > 0).any())
    if has_target:
        tgt = target.reindex(frame["payee_id"]).to_numpy()
        frame["y"] = np.where(tgt > 0, frame["pay"] / np.where(tgt > 0, tgt, 1.0), np.nan)
    else:
        frame["y"] = frame["pay"]
    frame = frame.dropna(subset=["attainment", "y"])
    return frame, "variable pay / annual target" if has_target else "variable pay"


def _histogram(ws: Any, header_row: int) -> BarChart:
    chart = BarChart()
    chart.title = "Payees by year attainment"
    chart.y_axis.title, chart.x_axis.title = "payees", "year attainment of the first quota"
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=header_row + 5),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1,
                                   max_row=header_row + 5))
    _fill(chart.series[0], NAVY)
    chart.legend = None
    axes(chart, None, AXIS_FORMATS["int"])
    return chart


def _scatter(ws: Any, points: tuple[int, int], curve: tuple[int, int] | None,
             y_title: str, money: bool) -> ScatterChart:
    chart = ScatterChart()
    chart.title = "Pay against attainment" + (", and the plan's curve" if curve else "")
    chart.style = 13
    chart.x_axis.title, chart.y_axis.title = "year attainment", y_title
    first, last = points
    dots = Series(Reference(ws, min_col=4, min_row=first, max_row=last),
                  Reference(ws, min_col=3, min_row=first, max_row=last), title="payees")
    dots.marker.symbol = "circle"
    dots.marker.size = 6
    dots.marker.graphicalProperties = GraphicalProperties(solidFill=NAVY)
    dots.marker.graphicalProperties.line.solidFill = NAVY
    dots.graphicalProperties = GraphicalProperties()
    dots.graphicalProperties.line.noFill = True
    chart.series.append(dots)
    if curve is not None:
        c0, c1 = curve
        line = Series(Reference(ws, min_col=6, min_row=c0, max_row=c1),
                      Reference(ws, min_col=5, min_row=c0, max_row=c1), title="plan curve")
        line.marker.symbol = "none"
        line.smooth = False  # tiers are steps and kinks: never smoothed
        line.graphicalProperties = GraphicalProperties()
        line.graphicalProperties.line.solidFill = ORANGE
        line.graphicalProperties.line.width = 28575
        chart.series.append(line)
    chart.x_axis.scaling.min = 0
    axes(chart, AXIS_FORMATS["pct"], AXIS_FORMATS["money" if money else "number"])
    legend_below(chart)
    return chart


def _bars(ws: Any, header_row: int, rows: int, cols: tuple[int, int], chart_title: str,
          y_title: str, stacked: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    chart.title, chart.y_axis.title = chart_title, y_title
    chart.add_data(Reference(ws, min_col=cols[0], max_col=cols[1], min_row=header_row,
                             max_row=header_row + rows), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1,
                                   max_row=header_row + rows))
    color_series(chart, (GREY, NAVY, ORANGE))
    if cols[0] == cols[1]:
        chart.legend = None
    axes(chart, None, AXIS_FORMATS["money"])
    legend_below(chart)
    return chart


def dashboard_name(plan_id: str, taken: set[str], suffix: str = "dashboard") -> str:
    """A sheet name for a plan's dashboard (or another of its sheets): Excel allows 31
    characters and no ``[]:*?/\\``.

    >>> dashboard_name("ae-2026", set())
    'ae-2026 dashboard'
    """
    base = re.sub(r"[\[\]:*?/\\]", "_", plan_id)[:30 - len(suffix)] + " " + suffix
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:28]} {n}", n + 1
    taken.add(name.lower())
    return name


def _kpis(result: Evaluation, plan_id: str, summary: dict[str, Any]) -> pd.DataFrame:
    attained = primary_year_attainment(result, plan_id)["attainment"].dropna()
    return pd.DataFrame([{
        "payees": summary["payees"], "total pay": summary["total_pay"],
        "variable pay": summary["variable_pay"], "bookings": summary["bookings"],
        "cost of sales": summary["cost_of_sales"],
        "median attainment": float(attained.median()) if len(attained) else np.nan,
        "at or above quota": summary["share_at_quota"], "currency": summary["currency"]}])


def _by_month(result: Evaluation, plan_id: str) -> pd.DataFrame:
    lines = result.lines[result.lines["plan"] == plan_id]
    months = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    salary = lines[lines["kind"] == "salary"].groupby("period")["plan_amount"].sum()
    variable = lines[lines["kind"] != "salary"].groupby("period")["plan_amount"].sum()
    return pd.DataFrame({"month": months,
                         "salary": salary.reindex(months, fill_value=0.0).to_numpy(),
                         "variable pay": variable.reindex(months, fill_value=0.0).to_numpy()})


def _by_component(result: Evaluation, plan_id: str) -> pd.DataFrame:
    lines = result.lines[result.lines["plan"] == plan_id]
    pay = lines.groupby("component", sort=False)["plan_amount"].sum()
    order = [c.id for c in result.plans[plan_id].components if c.id in pay.index]
    return pd.DataFrame({"component": order, "pay": pay.reindex(order).to_numpy()})


def _points_block(ws: Any, result: Evaluation, plan_id: str, row: int
                  ) -> tuple[tuple[int, int] | None, tuple[int, int] | None, str, bool]:
    """Each payee's attainment and pay, and the plan's curve beside them (columns E, F);
    return the rows of the points and of the curve, the y axis title and whether it is
    money (no target to divide by)."""
    points, y_title = _points(result, plan_id)
    money = y_title == "variable pay"
    curve = plan_curve(result.by_plan[plan_id].frame.plan)
    y_name = "pay (y axis)" if money else y_title
    block = pd.DataFrame({
        "payee_id": points["payee_id"].to_numpy(), "variable pay": points["pay"].to_numpy(),
        "attainment": points["attainment"].to_numpy(), y_name: points["y"].to_numpy()})
    if curve is not None:
        block = block.reindex(range(max(len(block), len(GRID))))
        block["curve attainment"] = pd.Series(GRID)
        block["pay / target"] = pd.Series(curve)
    header, _ = write_table(ws, block, f"{plan_id} points", Layout(
        {"variable pay": "money", "attainment": "pct", y_name: "money" if money else "ratio",
         "curve attainment": "pct", "pay / target": "ratio"}), header_at=row, set_widths=False)
    return ((header + 1, header + len(points)) if len(points) else None,
            (header + 1, header + len(GRID)) if curve is not None else None, y_title, money)


def write_dashboard(ws: Any, result: Evaluation, plan_id: str, summary: dict[str, Any],
                    stamp: Stamp) -> None:
    """One plan's dashboard: figures, four charts on a grid, one printed page; the
    charts' data below the printed area."""
    plan = result.by_plan[plan_id].frame.plan
    set_widths(ws, DASHBOARD_WIDTHS)
    title(ws, f"{plan_id}{': ' + plan.name if plan.name else ''} — plan year {result.year}")
    ws.append([f"Amounts in {plan.currency}; pay against the plan's target. The data of "
               "each chart is below the printed page."])
    kpis = _kpis(result, plan_id, summary)
    write_table(ws, kpis, f"{plan_id} figures", Layout(
        {"payees": "int", "total pay": "money0", "variable pay": "money0",
         "bookings": "money0", "cost of sales": "pct", "median attainment": "pct",
         "at or above quota": "pct"}), header_at=3, set_widths=False)
    grid = ChartGrid(DASHBOARD_WIDTHS, first_row=6, span_cols=8, span_rows=21, per_row=2)
    data_at = 6 + 2 * grid.span_rows + 2
    blank(ws, data_at - 5)  # rows 5 .. data_at - 1: the charts' area
    title(ws, "Chart data")
    row = data_at + 1
    has_quota = bool(plan.quotas)
    hist_header = points_span = curve_span = None
    y_title, money = "variable pay", True
    if has_quota:
        counts = bucket_counts(primary_year_attainment(result, plan_id)["attainment"])
        hist = pd.DataFrame({"attainment": list(BUCKETS), "payees": counts})
        hist_header, last = write_table(ws, hist, f"{plan_id} histogram",
                                        Layout({"payees": "int"}), header_at=row,
                                        set_widths=False)
        blank(ws)
        row = last + 2
    months = _by_month(result, plan_id)
    month_header, last = write_table(ws, months, f"{plan_id} by month", Layout(
        {"salary": "money", "variable pay": "money"}, currency=plan.currency),
        header_at=row, set_widths=False)
    blank(ws)
    row = last + 2
    parts = _by_component(result, plan_id)
    part_header, last = write_table(ws, parts, f"{plan_id} by component",
                                    Layout({"pay": "money"}, currency=plan.currency),
                                    header_at=row, set_widths=False)
    blank(ws)
    row = last + 2
    if has_quota:
        points_span, curve_span, y_title, money = _points_block(ws, result, plan_id, row)
    if hist_header is not None:
        grid.add(ws, _histogram(ws, hist_header))
    if points_span is not None:
        grid.add(ws, _scatter(ws, points_span, curve_span, y_title, money))
    grid.add(ws, _bars(ws, month_header, 12, (2, 3), "Cost by month", plan.currency,
                       stacked=True))
    grid.add(ws, _bars(ws, part_header, len(parts), (2, 2), "Pay by component",
                       plan.currency))
    set_print(ws, Printed(grid.last_row, grid.last_col), stamp, one_page=True,
              landscape=True)

