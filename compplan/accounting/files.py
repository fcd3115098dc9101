"""The files of ``compplan amortize``: allocations, assets, amortization, journal,
roll-forward (CSV) and accounting.xlsx, written together or not at all.

Amounts are written in each currency's units from integer cents (never through float
formatting), so the journal and the roll-forward add up in the files as they do here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from compplan.accounting.allocate import Allocated
from compplan.accounting.amortize import ASSET_COLUMNS, Schedule, month_label
from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.core.money import amount_columns
from compplan.excel.charts import NAVY, ORANGE, axes, color_series, legend_below
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import (
    AXIS_FORMATS,
    Layout,
    blank,
    note_sheet,
    set_widths,
    table_sheet,
    title,
    write_table,
)
from compplan.schema.accounting import AccountingPolicy

ASSET_MONEY = ["capitalized", "employer_taxes", "clawed_back", "amortized", "written_off",
               "impaired", "carrying_end", "current_end"]
ROLL_MONEY = ["opening", "additions", "clawbacks", "amortization", "write_offs", "closing",
              "current", "non_current", "expensed"]
SHEET_ROWS = 100_000
"""accounting.xlsx holds a table of up to this many rows; a longer one (the assets,
journal or amortization of a large company) is a note naming its CSV, which has every
row: the workbook is for reading the roll-forward, the CSVs for the ledger."""


@dataclass(frozen=True)
class Books:
    """What ``compplan amortize`` writes, as frames of integer cents."""

    policy: AccountingPolicy
    year: int
    allocated: Allocated
    schedule: Schedule
    journal: pd.DataFrame
    rollforward: pd.DataFrame


def allocations_frame(books: Books) -> pd.DataFrame:
    """Every capitalized or expensed share of a payout line, with its treatment."""
    a = books.allocated.rows
    entry = a["entry"].to_numpy()
    kept = pd.DataFrame({
        "plan": a["plan"], "component": a["component"], "payee_id": a["payee_id"],
        "period": a["period"], "currency": a["currency"], "deal_id": a["deal_id"],
        "source_row": a["source_row"], "basis": a["basis"], "cents": a["cents"],
        "policy_entry": np.where(entry >= 0, entry + 1, 0)})
    spent = books.schedule.expensed
    keys = ["plan", "component", "payee_id", "period", "deal_id"]
    reasons = spent[spent["deal_id"] != ""].drop_duplicates(keys).set_index(keys)["reason"]
    kept["treatment"] = pd.Series(
        reasons.reindex(pd.MultiIndex.from_frame(kept[keys].astype({"deal_id": str}))
                        ).to_numpy()).fillna("capitalized").to_numpy()
    lost = spent[spent["deal_id"] == ""]
    if len(lost):
        kept = pd.concat([kept, pd.DataFrame({
            "plan": lost["plan"], "component": lost["component"],
            "payee_id": lost["payee_id"], "period": lost["period"],
            "currency": lost["currency"], "deal_id": "", "source_row": pd.NA,
            "basis": "", "cents": lost["cents"], "policy_entry": 0,
            "treatment": lost["reason"]})], ignore_index=True)
    return amount_columns(kept, ["cents"]).rename(columns={"cents": "amount"})


def amortization_frame(books: Books) -> pd.DataFrame:
    """Asset x month, from each schedule's first month to its last (beyond the year)."""
    s = books.schedule
    live = (s.amortized != 0) | (s.carrying != 0)
    asset, j = np.nonzero(live)
    a = s.assets
    labels = month_label(s.months)  # one label per month, then gathered
    basis = np.where(s.months <= books.year * 12 + 11, "actual", "projected")
    frame = pd.DataFrame({
        "asset_id": a["asset_id"].to_numpy()[asset], "currency": a["currency"].to_numpy()[asset],
        "month": labels[j], "basis": basis[j],
        "amortization": s.amortized[asset, j], "carrying_end": s.carrying[asset, j]})
    return amount_columns(frame, ["amortization", "carrying_end"])


def book_writers(books: Books) -> dict[str, Writer]:
    """The files, by name, for :func:`compplan.core.atomic.write_atomically`."""
    assets = amount_columns(books.schedule.assets[ASSET_COLUMNS], ASSET_MONEY)
    roll = amount_columns(books.rollforward, ROLL_MONEY)
    allocations = allocations_frame(books)
    amortization = amortization_frame(books)
    journal = books.journal
    return {
        "allocations.csv": lambda p: write_csv(allocations, p, {"amount", "source_row",
                                                                "policy_entry"}),
        "assets.csv": lambda p: write_csv(assets, p, {*ASSET_MONEY, "payees", "months"}),
        "amortization.csv": lambda p: write_csv(amortization, p, {"amortization",
                                                                  "carrying_end"}),
        "journal.csv": lambda p: write_csv(journal, p, {"debit", "credit"}),
        "rollforward.csv": lambda p: write_csv(roll, p, set(ROLL_MONEY)),
        "accounting.xlsx": lambda p: write_workbook(books, assets, roll, journal,
                                                    amortization, p),
    }


def write_books(books: Books, out: Path) -> list[Path]:
    """Write every file into ``out`` atomically."""
    return write_atomically(out, book_writers(books))


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        out[col] = pd.to_numeric(out[col].replace("", np.nan))
    return out


def write_workbook(books: Books, assets: pd.DataFrame, roll: pd.DataFrame,
                   journal: pd.DataFrame, amortization: pd.DataFrame, path: Path) -> None:
    """accounting.xlsx: the roll-forward with its chart, then the files as tables."""
    stamp = Stamp.now(books.year)
    wb = Workbook(write_only=True)
    _rollforward_sheet(wb, books, _numbers(roll, ROLL_MONEY), stamp)
    for sheet, frame, money, layout, file in (
            ("Assets", assets, ASSET_MONEY, Layout(
                {**dict.fromkeys(ASSET_MONEY, "money"), "payees": "int", "months": "int"},
                currency="currency"), "assets.csv"),
            ("Journal", journal, ["debit", "credit"], Layout(
                {"debit": "money", "credit": "money"}, currency="currency",
                widths={"memo": 60}), "journal.csv"),
            ("Amortization", amortization, ["amortization", "carrying_end"], Layout(
                {"amortization": "money", "carrying_end": "money"}, currency="currency"),
             "amortization.csv")):
        if len(frame) > SHEET_ROWS:
            note_sheet(wb, sheet, f"{len(frame):,} rows: more than the {SHEET_ROWS:,} a sheet "
                                  f"of this workbook holds; every row is in {file}.", stamp)
            continue
        table_sheet(wb, sheet, _numbers(frame, money), sheet.lower(), layout, stamp,
                    freeze="B2" if sheet == "Assets" else "A2")
    wb.save(path)


def _rollforward_sheet(wb: Any, books: Books, roll: pd.DataFrame, stamp: Stamp) -> None:
    ws = new_sheet(wb, "Roll-forward")
    widths = [10.0, 10.0, 8.0, 9.0, *[14.0] * 9]
    set_widths(ws, widths)
    policy = books.policy
    title(ws, f"Deferred commissions ({policy.standard}), {policy.entity}: roll-forward "
              f"{books.year}")
    ws.append([f"Policy {policy.policy}; benefit periods from the contracts or as the policy "
               "sets; projected months amortize what is on the books, no new contracts."])
    blank(ws)
    row = 4
    grid_rows = []
    for code, mine in roll.groupby("currency", sort=True):
        _, last = write_table(ws, mine.reset_index(drop=True), f"roll {code}", Layout(
            dict.fromkeys(ROLL_MONEY, "money"), currency=str(code)), header_at=row,
            set_widths=False)
        grid_rows.append((str(code), row, last))
        blank(ws)
        row = last + 2
    grid = ChartGrid(widths, first_row=4, first_col=len(widths) + 2, span_cols=10,
                     span_rows=20, per_row=1)
    for code, header, last in grid_rows:
        grid.add(ws, _balance_chart(ws, code, header, last))
    set_print(ws, Printed(max(row, grid.last_row), grid.last_col, (4, 4)), stamp,
              landscape=True)


def _balance_chart(ws: Any, code: str, header: int, last: int) -> BarChart:
    """Amortization expense by month (bars) and the asset's closing balance (line)."""
    bars = BarChart()
    bars.title = f"Deferred commission asset and amortization ({code})"
    bars.add_data(Reference(ws, min_col=8, min_row=header, max_row=last),
                  titles_from_data=True)  # amortization
    bars.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    color_series(bars, [ORANGE])
    bars.y_axis.title = f"amortization, {code}"
    line = LineChart()
    line.add_data(Reference(ws, min_col=10, min_row=header, max_row=last),
                  titles_from_data=True)  # closing
    line.series[0].smooth = False
    line.series[0].graphicalProperties.line.solidFill = NAVY
    line.y_axis.axId = 200
    line.y_axis.title = f"closing balance, {code}"
    line.y_axis.crosses = "max"
    line.y_axis.number_format = AXIS_FORMATS["money"]
    line.y_axis.delete = False
    axes(bars, None, AXIS_FORMATS["money"])
    bars += line
    legend_below(bars)
    return bars
