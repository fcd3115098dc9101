"""scenarios.csv and scenarios.xlsx: the scenarios side by side, with deltas and charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.excel.sheet import Layout, blank, set_widths, title, write_table
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


def _side_by_side_sheet(ws: Any, metrics: pd.DataFrame) -> None:
    names = list(dict.fromkeys(metrics["scenario"]))
    widths = [16] + [max(14, len(n) + 2) for n in names] + [len(n) + 14 for n in names[1:]]
    set_widths(ws, widths)  # a write-only sheet takes widths before its first row
    row = 1
    for metric, kind in SIDE_BY_SIDE:
        title(ws, metric.replace("_", " "))
        frame = side_by_side(metrics, metric)
        _, last = write_table(ws, frame, f"side {metric}",
                              Layout(dict.fromkeys(frame.columns[1:], kind), widths={"plan": 16}),
                              header_at=row + 1, set_widths=False)
        blank(ws)
        row = last + 2


def write_workbook(comparison: Comparison, path: Path) -> None:
    wb = Workbook(write_only=True)
    _side_by_side_sheet(wb.create_sheet("Side by side"), comparison.metrics)
    table = with_deltas(comparison.metrics)
    kinds = {**dict.fromkeys([c for c in table.columns if c.startswith(MONEY)], "money"),
             **dict.fromkeys([c for c in table.columns if c.startswith(RATIOS)], "pct")}
    ws: Any = wb.create_sheet("Comparison")
    ws.freeze_panes = "C2"
    write_table(ws, table, "comparison", Layout(kinds))
    cost: Any = wb.create_sheet("Cost by scenario")
    set_widths(cost, [26, 16, 16, 14])
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
    chart.width, chart.height = 20, 9
    cost.add_chart(chart, "F3")
    write_table(wb.create_sheet("Winners and losers"), comparison.movers, "movers",
                Layout({"baseline_pay": "money", "scenario_pay": "money", "delta": "money"}))
    dist: Any = wb.create_sheet("Payout distribution")
    frame = _distribution(comparison)
    header, last = write_table(dist, frame, "distribution",
                               Layout(dict.fromkeys(frame.columns[1:], "int")))
    bars = BarChart()
    bars.title, bars.y_axis.title = "Payees by variable pay", "payees"
    bars.add_data(Reference(dist, min_col=2, max_col=len(frame.columns), min_row=header,
                            max_row=last), titles_from_data=True)
    bars.set_categories(Reference(dist, min_col=1, min_row=header + 1, max_row=last))
    bars.width, bars.height = 24, 10
    dist.add_chart(bars, f"A{last + 3}")
    payees = pd.DataFrame({name: pay_by_payee(r) for name, r in comparison.results.items()})
    payees = payees.fillna(0.0).rename_axis("payee_id").reset_index()
    write_table(wb.create_sheet("Pay by payee"), payees, "payee pay",
                Layout(dict.fromkeys(payees.columns[1:], "money")))
    if comparison.montecarlo is not None and comparison.draws is not None:
        _monte_carlo_sheet(wb.create_sheet("Monte Carlo"), comparison)
    wb.save(path)


def _monte_carlo_sheet(ws: Any, comparison: Comparison) -> None:
    assert comparison.montecarlo is not None and comparison.draws is not None
    table = comparison.montecarlo
    money = [c for c in table.columns if c.startswith(("total_", "variable_"))]
    pct = [c for c in table.columns if c.startswith(("cost_of_sales", "share_at_quota"))]
    _, last = write_table(ws, table, "monte carlo",
                          Layout({**dict.fromkeys(money, "money"), **dict.fromkeys(pct, "pct"),
                                  "draws": "int"}))
    blank(ws)
    values = np.concatenate(list(comparison.draws.values()))
    edges = np.linspace(values.min(), values.max() + 1e-9, 21)
    hist = pd.DataFrame({"variable pay from": [f"{e:,.0f}" for e in edges[:-1]]})
    for name, draws in comparison.draws.items():
        hist[name] = np.histogram(draws, bins=edges)[0]
    header, end = write_table(ws, hist, "mc histogram",
                              Layout(dict.fromkeys(hist.columns[1:], "int")),
                              header_at=last + 2, set_widths=False)
    chart = BarChart()
    chart.title = "Variable pay across the drawn years"
    chart.y_axis.title, chart.x_axis.title = "draws", "variable pay (all plans)"
    chart.add_data(Reference(ws, min_col=2, max_col=len(hist.columns), min_row=header,
                             max_row=end), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=end))
    chart.width, chart.height = 24, 10
    ws.add_chart(chart, f"A{end + 3}")


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
