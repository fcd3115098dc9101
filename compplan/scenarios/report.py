"""scenarios.csv and scenarios.xlsx: the scenarios side by side, with deltas and charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.excel.charts import NAVY, ORANGE, axes, color_series, legend_below
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import (
    AXIS_FORMATS,
    Layout,
    blank,
    estimate_widths,
    set_widths,
    table_sheet,
    title,
    write_table,
)
from compplan.outputs.stamp import run_info
from compplan.scenarios.compare import pay_by_payee
from compplan.scenarios.run import Comparison

MONEY = ("total_pay", "variable_pay", "bookings", "p90_payout")
RATIOS = ("cost_of_sales", "share_at_quota", "median_attainment")


def with_deltas(table: pd.DataFrame) -> pd.DataFrame:
    """Each metric's change against the baseline row of the same plan."""
    base = table[table["scenario"] == "baseline"].set_index("plan")
    out = table.copy()
    for col in (*MONEY, *RATIOS):
        out[f"{col}_vs_baseline"] = out[col].to_numpy() - base[col].reindex(
            out["plan"]).to_numpy()
    return out


def _distribution(comparison: Comparison) -> pd.DataFrame:
    """Payees by variable pay, in ten bins shared by all scenarios."""
    pays = {name: (r.lines[r.lines["kind"] != "salary"].groupby("payee_id")["amount"].sum())
            for name, r in comparison.results.items()}
    top = max([float(p.max()) for p in pays.values() if len(p)] + [1.0])
    edges = np.linspace(0, top, 11)
    labels = [f"{edges[i]:,.0f}-{edges[i + 1]:,.0f}" for i in range(10)]
    frame = pd.DataFrame({"variable pay": labels})
    for name, pay in pays.items():
        counts, _ = np.histogram(np.clip(pay.to_numpy(), 0, top), bins=edges)
        frame[name] = counts
    return frame


SIDE_BY_SIDE = (("total_pay", "money"), ("variable_pay", "money"),
                ("cost_of_sales", "pct"), ("share_at_quota", "pct"))
DELTA = {"money": "money_delta", "pct": "pp"}
"""How a change is shown: money signed, a ratio's change in percentage points."""
COLORS = (NAVY, ORANGE, "A5A5A5", "FFC000", "5B9BD5", "70AD47")


def side_by_side(metrics: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Plans down, scenarios across, then each scenario's change against the baseline."""
    wide = metrics.pivot_table(index="plan", columns="scenario", values=metric,
                               aggfunc="first", sort=False, dropna=False)
    names = list(dict.fromkeys(metrics["scenario"]))
    wide = wide.reindex(columns=names)
    out = wide.reset_index()
    for name in names[1:]:
        out[f"{name} vs baseline"] = wide[name].to_numpy() - wide["baseline"].to_numpy()
    return out


def _side_by_side_sheet(ws: Any, metrics: pd.DataFrame, stamp: Stamp) -> None:
    names = list(dict.fromkeys(metrics["scenario"]))
    widths = [16] + [max(14, len(n) + 2) for n in names] + [len(n) + 14 for n in names[1:]]
    set_widths(ws, widths)  # a write-only sheet takes widths before its first row
    row = 1
    for metric, kind in SIDE_BY_SIDE:
        title(ws, metric.replace("_", " ").capitalize()
              + (" (changes in percentage points)" if kind == "pct" else ""))
        frame = side_by_side(metrics, metric)
        deltas = [c for c in frame.columns[1:] if str(c).endswith(" vs baseline")]
        kinds = {**dict.fromkeys(frame.columns[1:], kind), **dict.fromkeys(deltas, DELTA[kind])}
        _, last = write_table(ws, frame, f"side {metric}",
                              Layout(kinds, widths={"plan": 16},
                                     as_is=frozenset(map(str, frame.columns[1:]))),
                              header_at=row + 1, set_widths=False)
        blank(ws)
        row = last + 2
    set_print(ws, Printed(row - 2, len(widths), widths=tuple(map(float, widths))), stamp,
              one_page=True)


def _cost_sheet(wb: Any, comparison: Comparison, stamp: Stamp) -> None:
    cost = new_sheet(wb, "Cost by scenario")
    widths = [26.0, 16.0, 16.0, 14.0, 3.0, *[10.0] * 10]
    set_widths(cost, widths)
    title(cost, "Total and variable pay by scenario (all plans)")
    blank(cost)
    totals = comparison.metrics[comparison.metrics["plan"] == "total"][
        ["scenario", "total_pay", "variable_pay", "cost_of_sales"]]
    header, last = write_table(cost, totals, "cost", Layout(
        {"total_pay": "money", "variable_pay": "money", "cost_of_sales": "pct"}), header_at=3,
        set_widths=False)
    chart = BarChart()
    chart.title, chart.y_axis.title = "Cost by scenario", "pay"
    chart.add_data(Reference(cost, min_col=2, max_col=3, min_row=header, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(cost, min_col=1, min_row=header + 1, max_row=last))
    color_series(chart, COLORS)
    axes(chart, None, AXIS_FORMATS["money"])
    legend_below(chart)
    grid = ChartGrid(widths, first_row=3, first_col=6, span_cols=10, span_rows=20, per_row=1)
    grid.add(cost, chart)
    set_print(cost, Printed(max(last, grid.last_row), grid.last_col), stamp, one_page=True,
              landscape=True)


def _distribution_sheet(wb: Any, comparison: Comparison, stamp: Stamp) -> None:
    dist = new_sheet(wb, "Payout distribution")
    frame = _distribution(comparison)
    layout = Layout(dict.fromkeys(frame.columns[1:], "int"),
                    as_is=frozenset(map(str, frame.columns[1:])))
    widths = estimate_widths(frame, layout)
    set_widths(dist, widths)
    header, last = write_table(dist, frame, "distribution", layout, set_widths=False)
    bars = BarChart()
    bars.title, bars.y_axis.title = "Payees by variable pay", "payees"
    bars.x_axis.title = "variable pay (all plans)"
    bars.gapWidth = 40
    bars.add_data(Reference(dist, min_col=2, max_col=len(frame.columns), min_row=header,
                            max_row=last), titles_from_data=True)
    bars.set_categories(Reference(dist, min_col=1, min_row=header + 1, max_row=last))
    color_series(bars, COLORS)
    axes(bars, None, AXIS_FORMATS["int"])
    legend_below(bars)
    grid = ChartGrid(widths, first_row=last + 2, span_cols=max(len(widths), 6), span_rows=20,
                     per_row=1)
    grid.add(dist, bars)
    set_print(dist, Printed(grid.last_row, grid.last_col), stamp, one_page=True,
              landscape=True)


def write_workbook(comparison: Comparison, path: Path, stamp: Stamp | None = None) -> None:
    """scenarios.xlsx: side by side with changes, the full comparison, cost and payout
    charts, winners and losers, pay by payee and, after a simulation, Monte Carlo."""
    if stamp is None:
        baseline = comparison.results["baseline"]
        stamp = run_info(baseline).stamp(baseline.year)
    wb = Workbook(write_only=True)
    _side_by_side_sheet(new_sheet(wb, "Side by side"), comparison.metrics, stamp)
    table = with_deltas(comparison.metrics)
    deltas = [c for c in table.columns if c.endswith("_vs_baseline")]
    kinds = {**dict.fromkeys([c for c in table.columns if c.startswith(MONEY)], "money"),
             **dict.fromkeys([c for c in table.columns if c.startswith(RATIOS)], "pct"),
             **{c: "money_delta" if c.startswith(MONEY) else "pp" for c in deltas}}
    table_sheet(wb, "Comparison", table, "comparison", Layout(kinds), stamp, freeze="C2",
                landscape=True)
    _cost_sheet(wb, comparison, stamp)
    table_sheet(wb, "Winners and losers", comparison.movers, "movers",
                Layout({"baseline_pay": "money", "scenario_pay": "money",
                        "delta": "money_delta"}), stamp)
    _distribution_sheet(wb, comparison, stamp)
    payees = pd.DataFrame({name: pay_by_payee(r) for name, r in comparison.results.items()})
    payees = payees.fillna(0.0).rename_axis("payee_id").reset_index()
    table_sheet(wb, "Pay by payee", payees, "payee pay",
                Layout(dict.fromkeys(payees.columns[1:], "money"),
                       as_is=frozenset(map(str, payees.columns[1:]))), stamp, freeze="B2")
    if comparison.montecarlo is not None and comparison.draws is not None:
        _monte_carlo_sheets(wb, comparison, stamp)
    wb.save(path)


def _monte_carlo_sheets(wb: Any, comparison: Comparison, stamp: Stamp) -> None:
    """The simulated metrics, then the histogram of the drawn years' variable pay on a
    sheet of its own, its chart beside the counts (one printed page)."""
    assert comparison.montecarlo is not None and comparison.draws is not None
    table = comparison.montecarlo
    money = [c for c in table.columns if c.startswith(("total_", "variable_"))]
    pct = [c for c in table.columns if c.startswith(("cost_of_sales", "share_at_quota"))]
    table_sheet(wb, "Monte Carlo", table, "monte carlo",
                Layout({**dict.fromkeys(money, "money"), **dict.fromkeys(pct, "pct"),
                        "draws": "int"}), stamp, freeze="C2", landscape=True)
    values = np.concatenate(list(comparison.draws.values()))
    edges = np.linspace(values.min(), values.max() + 1e-9, 21)
    hist = pd.DataFrame({"variable pay from": [f"{e:,.0f}" for e in edges[:-1]]})
    for name, draws in comparison.draws.items():
        hist[name] = np.histogram(draws, bins=edges)[0]
    layout = Layout(dict.fromkeys(hist.columns[1:], "int"),
                    as_is=frozenset(map(str, hist.columns[1:])))
    ws = new_sheet(wb, "Monte Carlo histogram")
    widths = [*estimate_widths(hist, layout), 3.0, *[10.0] * 14]
    set_widths(ws, widths)
    title(ws, f"Variable pay (all plans) across {len(values) // len(comparison.draws):,} "
              "drawn years: how many draws fall in each band")
    blank(ws)
    header, end = write_table(ws, hist, "mc histogram", layout, header_at=3, set_widths=False)
    chart = LineChart()  # one line per scenario: overlapping distributions stay readable
    chart.title = "Variable pay across the drawn years"
    chart.y_axis.title, chart.x_axis.title = "draws", "variable pay (all plans), from"
    chart.add_data(Reference(ws, min_col=2, max_col=len(hist.columns), min_row=header,
                             max_row=end), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=end))
    for series, color in zip(chart.series, COLORS, strict=False):
        series.smooth = False
        series.marker.symbol = "circle"
        series.marker.size = 5
        series.graphicalProperties.line.solidFill = color
        series.graphicalProperties.line.width = 22225
        series.marker.graphicalProperties = GraphicalProperties(solidFill=color)
        series.marker.graphicalProperties.line.solidFill = color
    axes(chart, None, AXIS_FORMATS["int"])
    legend_below(chart)
    grid = ChartGrid(widths, first_row=3, first_col=len(hist.columns) + 2, span_cols=14,
                     span_rows=30, per_row=1)
    grid.add(ws, chart)
    set_print(ws, Printed(max(end, grid.last_row), grid.last_col), stamp, one_page=True,
              landscape=True)


def write_comparison(comparison: Comparison, out: Path) -> list[Path]:
    writers: dict[str, Writer] = {
        "scenarios.csv": lambda p: write_csv(comparison.metrics, p, set(
            comparison.metrics.columns) - {"scenario", "plan"}),
        "scenarios.xlsx": lambda p: write_workbook(comparison, p),
    }
    if comparison.montecarlo is not None:
        mc = comparison.montecarlo
        writers["montecarlo.csv"] = lambda p: write_csv(mc, p, set(mc.columns) - {
            "scenario", "plan"})
    return write_atomically(out, writers)
