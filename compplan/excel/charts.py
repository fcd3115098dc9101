"""Native Excel charts for the results workbook, and the tables they draw from."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties

from compplan.engine.result import Evaluation
from compplan.engine.schedules import apply_curve, apply_schedule
from compplan.excel.sheet import Layout, blank, set_widths, title, write_table
from compplan.reports.attainment import BUCKETS, bucket_counts, primary_year_attainment
from compplan.schema import Commission, PayoutCurve, Plan

GRID = np.round(np.arange(0.0, 2.51, 0.05), 2)
_CHART_ROWS = 16


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


def monthly_chart(summary_sheet: str, header_row: int, rows: int) -> BarChart:
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title, chart.y_axis.title = "Total pay by month", "pay"
    ws_ref = summary_sheet
    data = Reference(ws_ref, min_col=2, max_col=3, min_row=header_row,
                     max_row=header_row + rows)
    cats = Reference(ws_ref, min_col=1, min_row=header_row + 1, max_row=header_row + rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.width, chart.height = 18, 8
    return chart


def _histogram(ws: Any, plan_id: str, header_row: int) -> BarChart:
    chart = BarChart()
    chart.title = f"{plan_id}: payees by year attainment"
    chart.y_axis.title, chart.x_axis.title = "payees", "attainment"
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=header_row + 5),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1,
                                   max_row=header_row + 5))
    chart.legend = None
    chart.width, chart.height = 12, 7
    return chart


def _scatter(ws: Any, plan_id: str, points: tuple[int, int], curve: tuple[int, int] | None,
             y_title: str) -> ScatterChart:
    chart = ScatterChart()
    chart.title = f"{plan_id}: pay vs attainment"
    chart.style = 13
    chart.x_axis.title, chart.y_axis.title = "year attainment", y_title
    first, last = points
    dots = Series(Reference(ws, min_col=4, min_row=first, max_row=last),
                  Reference(ws, min_col=3, min_row=first, max_row=last), title="payees")
    dots.marker.symbol = "circle"
    dots.marker.size = 7
    dots.marker.graphicalProperties = GraphicalProperties(solidFill="1F4E78")
    dots.marker.graphicalProperties.line.solidFill = "1F4E78"
    dots.graphicalProperties = GraphicalProperties()
    dots.graphicalProperties.line.noFill = True
    chart.series.append(dots)
    if curve is not None:
        c0, c1 = curve
        line = Series(Reference(ws, min_col=2, min_row=c0, max_row=c1),
                      Reference(ws, min_col=1, min_row=c0, max_row=c1), title="plan curve")
        line.marker.symbol = "none"
        chart.series.append(line)
    chart.width, chart.height = 12, 7
    return chart


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


def write_charts(ws: Any, result: Evaluation, summary_sheet: Any, month_header: int) -> None:
    """Fill the Charts sheet: data blocks written top to bottom, charts beside them."""
    set_widths(ws, [14, 14, 12, 14])
    title(ws, "Charts (the data each chart draws is beside it)")
    blank(ws)
    row = 3
    ws.add_chart(monthly_chart(summary_sheet, month_header, 12), "J3")
    for plan_id in sorted(result.by_plan):
        plan = result.by_plan[plan_id].frame.plan
        if not plan.quotas:
            continue
        counts = bucket_counts(primary_year_attainment(result, plan_id)["attainment"])
        hist = pd.DataFrame({"attainment": list(BUCKETS), "payees": counts})
        header, _ = write_table(ws, hist, f"{plan_id} histogram", Layout({"payees": "int"}),
                                header_at=row, set_widths=False)
        ws.add_chart(_histogram(ws, plan_id, header), f"J{row + _CHART_ROWS}")
        row += len(hist) + 2
        blank(ws)
        points, y_title = _points(result, plan_id)
        curve = plan_curve(plan)
        block = pd.DataFrame({
            "payee_id": points["payee_id"].to_numpy(), "variable pay": points["pay"].to_numpy(),
            "attainment": points["attainment"].to_numpy(), y_title: points["y"].to_numpy()})
        header, last = write_table(ws, block, f"{plan_id} points",
                                   Layout({"variable pay": "money", "attainment": "pct",
                                           y_title: "number"}),
                                   header_at=row, set_widths=False)
        row = last + 2
        blank(ws)
        curve_span = None
        if curve is not None:
            frame = pd.DataFrame({"curve attainment": GRID, "pay / target": curve})
            c_header, c_last = write_table(ws, frame, f"{plan_id} curve",
                                           Layout({"curve attainment": "pct",
                                                   "pay / target": "number"}),
                                           header_at=row, set_widths=False)
            curve_span = (c_header + 1, c_last)
            row = c_last + 2
            blank(ws)
        if len(points):
            ws.add_chart(_scatter(ws, plan_id, (header + 1, header + len(points)), curve_span,
                                  y_title), f"R{header}")
