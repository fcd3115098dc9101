"""Write a quota plan: quotas.csv, smart.csv and quota_plan.xlsx, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.excel.charts import axes
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import Layout, blank, set_widths, table_sheet, title, write_table
from compplan.quotas.planner import QuotaPlan


def _by_month(plan: QuotaPlan) -> pd.DataFrame:
    f = plan.territories.frame
    out = pd.DataFrame({"territory_id": f["territory_id"].to_numpy(),
                        "payee_id": f["payee_id"].to_numpy()})
    for m in range(12):
        out[f"{plan.params.year}-{m + 1:02d}"] = plan.allocation.months[:, m]
    out["year"] = plan.allocation.months.sum(axis=1)
    out["ramp shortfall"] = plan.allocation.shortfall
    return out


def _shares(plan: QuotaPlan) -> pd.DataFrame:
    f = plan.territories.frame
    q = plan.allocation.months.sum(axis=1)
    pot = f["potential"].to_numpy(dtype=np.float64)
    return pd.DataFrame({
        "territory_id": f["territory_id"].to_numpy(), "potential": pot,
        "last_year": f["last_year"].to_numpy(dtype=np.float64),
        "ideal": plan.bounds.ideal, "floor": plan.bounds.lower,
        "ceiling": np.where(np.isinf(plan.bounds.upper), np.nan, plan.bounds.upper),
        "binding ceiling": plan.bounds.ceiling, "solved": plan.solution.values, "quota": q,
        "potential share": pot / pot.sum(), "quota share": q / q.sum() if q.sum() else 0.0,
        "override reason": plan.territories.reasons})


def _solver(plan: QuotaPlan) -> pd.DataFrame:
    s, b = plan.solution, plan.bounds
    rows = [("status", s.status), ("solver", s.solver), ("objective", s.objective),
            ("seconds", s.seconds), ("target x (1 + o)", b.total),
            ("sum of quotas", float(plan.allocation.months.sum())),
            ("ramp shortfall", float(plan.allocation.shortfall.sum())),
            ("floors", float(b.lower.sum())), ("ceilings", float(b.upper.sum())),
            ("territories", plan.territories.size),
            ("checks failed", int((~plan.smart["passed"]).sum()))]
    return pd.DataFrame(rows, columns=["item", "value"])  # numbers stay numbers


def _season_sheet(wb: Any, plan: QuotaPlan, months: list[str], stamp: Stamp) -> None:
    """The average seasonal profile, and its line chart beside it (one printed page)."""
    ws = new_sheet(wb, "Seasonality")
    widths = [12.0, 10.0, 4.0, *[10.0] * 9]  # month, share, a gap, the chart's columns
    set_widths(ws, widths)
    season = plan.params.seasonality
    method = season if isinstance(season, str) else "given shares"
    title(ws, f"Seasonal profile ({method}): average monthly share of the annual quota")
    blank(ws)
    profile = pd.DataFrame({"month": months, "share": plan.seasonality.mean(axis=0)})
    header, last = write_table(ws, profile, "season", Layout({"share": "pct"}), header_at=3,
                               set_widths=False)
    chart = LineChart()
    chart.title, chart.y_axis.title = "Seasonal profile", "share of the year's quota"
    chart.add_data(Reference(ws, min_col=2, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    for series in chart.series:
        series.smooth = False  # monthly shares are points, not a smoothed curve
    chart.legend = None
    chart.y_axis.scaling.min = 0
    axes(chart, None, "0.0%")
    grid = ChartGrid(widths, first_row=3, first_col=4, span_cols=9,
                     span_rows=18, per_row=1)
    grid.add(ws, chart)
    set_print(ws, Printed(max(last, grid.last_row), grid.last_col), stamp, one_page=True,
              landscape=True)


def write_workbook(plan: QuotaPlan, path: Path) -> None:
    """quota_plan.xlsx: quotas by month, shares, seasonal profile chart, SMART, solver."""
    stamp = Stamp.now(plan.params.year)
    wb = Workbook(write_only=True)
    months = [f"{plan.params.year}-{m:02d}" for m in range(1, 13)]
    table_sheet(wb, "Quotas", _by_month(plan), "quotas",
                Layout(dict.fromkeys([*months, "year", "ramp shortfall"], "money"),
                       as_is=frozenset(months)), stamp, freeze="C2")
    money = ("potential", "last_year", "ideal", "floor", "ceiling", "solved", "quota")
    table_sheet(wb, "Shares", _shares(plan), "shares",
                Layout({**dict.fromkeys(money, "money"), "potential share": "pct",
                        "quota share": "pct"}, wrap=frozenset({"override reason"}),
                       widths={"override reason": 40}), stamp, freeze="B2")
    _season_sheet(wb, plan, months, stamp)
    table_sheet(wb, "SMART", plan.smart, "smart",
                Layout(widths={"detail": 70}, wrap=frozenset({"detail"})), stamp)
    table_sheet(wb, "Solver", _solver(plan), "solver",
                Layout({"value": "auto"}, widths={"item": 22, "value": 22}), stamp)
    wb.save(path)


def write_plan(plan: QuotaPlan, out: Path) -> list[Path]:
    """Write every output of a quota plan atomically into ``out``."""
    writers: dict[str, Writer] = {
        "quotas.csv": lambda p: write_csv(plan.quotas(), p, {"quota"}),
        "smart.csv": lambda p: write_csv(plan.smart, p, {"passed"}),
        "quota_plan.xlsx": lambda p: write_workbook(plan, p),
    }
    return write_atomically(out, writers)
