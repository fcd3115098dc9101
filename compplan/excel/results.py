"""results.xlsx: what each payee earned, why, and what it cost, in one workbook.

Sheets: Summary (per plan and per month, with formulas for totals and cost of sales,
and pay by month charted; one printed page), a dashboard per plan (its figures and
charts on one page), Pay by payee (payees down, months across), Payouts, Attainment
(attainment as a formula of credited / quota), Credits, Exceptions and Plans (each
component in words). Every sheet prints: A4, one page wide, header rows repeated, the
plan year, run id and page numbers in the footer.

Detail sheets are written in write-only mode. One of more rows than ``excel_rows``
(:data:`DETAIL_ROWS` by default, never more than Excel's row limit) is replaced by a
note pointing to the CSV or Parquet file holding the same rows, and the Summary says
so: a million credits take minutes to write as cells and nobody reads them in a sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from compplan.core.currencies import scale
from compplan.engine.result import Evaluation
from compplan.excel import sheet as xl
from compplan.excel.charts import dashboard_name, monthly_chart, write_dashboard
from compplan.excel.grid import ChartGrid
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.sheet import (
    Layout,
    blank,
    estimate_widths,
    note_sheet,
    table_sheet,
    title,
    write_table,
)
from compplan.reports.attainment import BUCKETS, attainment_table
from compplan.reports.credit_table import credits_table
from compplan.reports.describe import plan_rows
from compplan.reports.pay_by_currency import pay_by_currency
from compplan.reports.summary import pay_by_month, summarize

Expected = dict[tuple[str, str], float | str]
DETAIL_ROWS = 200_000
"""Detail sheets (payout lines, credits, exceptions, attainment) of more rows than this
point to their CSV/Parquet file instead, unless ``compplan run --excel-rows`` says
otherwise: writing a million credits as cells took three minutes for a sheet nobody
scrolls, and the file holds every row anyway."""
SUMMARY_WIDTHS = [18.0, 10.0, *[15.0] * 11]
CREDIT_COLUMNS = ["payee_id", "plan", "measure", "date", "period", "amount", "split", "kind",
                  "via", "deal_id", "source_file", "source_row"]


def _names(result: Evaluation) -> pd.Series:
    roster = result.inputs.roster.frame
    names = roster["name"] if "name" in roster else pd.Series("", index=roster.index)
    return pd.Series(names.to_numpy(), index=roster["payee_id"].to_numpy())


def _expect(value: float, blank: str = "n/a") -> float | str:
    return blank if value is None or np.isnan(value) else float(value)


def _cost_of_sales(pay: str, sales: str, row: int) -> str:
    """Variable pay / bookings, or n/a for a plan with no sales (or none credited)."""
    return f'=IF(AND(ISNUMBER({sales}{row}),{sales}{row}>0),{pay}{row}/{sales}{row},"n/a")'


SUMMARY_NAMES = {"total_pay": "total pay", "variable_pay": "variable pay",
                 "cost_of_sales": "cost of sales", "share_at_quota": "share at quota",
                 "salary": "salary"}


def _plan_table(ws: Any, result: Evaluation, expected: Expected) -> int:
    """The per-plan table with a SUMIF total per currency; return its last row."""
    plans = summarize(result).rename(columns=SUMMARY_NAMES)
    per_plan = plans[plans["plan"] != "total"].reset_index(drop=True)
    first, n = _PLAN_HEADER + 1, len(per_plan)
    last = first + n - 1
    cols = list(per_plan.columns)
    d, e = xl.col(cols, "variable pay"), xl.col(cols, "bookings")
    kinds = {"payees": "int", "total pay": "money", "variable pay": "money",
             "bookings": "money", "cost of sales": "pct", "share at quota": "pct",
             **dict.fromkeys(BUCKETS, "pct")}
    layout = Layout(kinds=kinds, currency="currency",
                    formulas={"cost of sales": lambda r: _cost_of_sales(d, e, r)})
    write_table(ws, per_plan, "plans", layout, header_at=_PLAN_HEADER, set_widths=False)
    cos = xl.col(cols, "cost of sales")
    for i, value in enumerate(per_plan["cost of sales"].tolist()):
        expected[("Summary", f"{cos}{first + i}")] = _expect(value)
    row = last
    cur = xl.col(cols, "currency")
    for total in plans[plans["plan"] == "total"].to_dict("records"):
        row += 1
        code = str(total["currency"])
        sums = {}
        for name in ("total pay", "variable pay", "bookings"):
            letter = xl.col(cols, name)
            sums[name] = (f'=SUMIF({cur}{first}:{cur}{last},"{code}",'
                          f'{letter}{first}:{letter}{last})')
            expected[("Summary", f"{letter}{row}")] = float(total[name])
        xl.total_row(ws, ["total", code, int(total["payees"]), sums["total pay"],
                          sums["variable pay"], sums["bookings"], _cost_of_sales(d, e, row)],
                     ["text", "text", "int", "money", "money", "money", "pct"], code)
        expected[("Summary", f"{cos}{row}")] = _expect(total["cost of sales"])
    return row


def _month_table(ws: Any, result: Evaluation, header: int, expected: Expected) -> int:
    """Pay by month with a SUMIF year total per currency; return its last row."""
    months = pay_by_month(result).rename(columns=SUMMARY_NAMES)
    money = {"salary": "money", "variable pay": "money", "total pay": "money"}
    write_table(ws, months, "pay by month", Layout(
        kinds=money, formulas={"total pay": lambda r: f"=C{r}+D{r}"}, currency="currency"),
        header_at=header, set_widths=False)
    for i, value in enumerate(months["total pay"].tolist()):
        expected[("Summary", f"E{header + 1 + i}")] = float(value)
    end = header + len(months)
    for code in pd.unique(months["currency"]):
        end += 1
        mine = months[months["currency"] == code]
        xl.total_row(ws, ["year", code, *(
            f'=SUMIF(B{header + 1}:B{header + len(months)},"{code}",'
            f'{letter}{header + 1}:{letter}{header + len(months)})'
            for letter in "CDE")], ["text", "text", "money", "money", "money"], str(code))
        for letter, name in (("C", "salary"), ("D", "variable pay"), ("E", "total pay")):
            expected[("Summary", f"{letter}{end}")] = float(mine[name].sum())
    return end


_PLAN_HEADER = 5


def _summary(ws: Any, result: Evaluation, notes: list[str], expected: Expected,
             stamp: Stamp) -> None:
    """Write the Summary sheet: one printed page.

    Each plan is in its own currency; totals are per currency (SUMIF over the plans of
    that currency), never across currencies."""
    xl.set_widths(ws, SUMMARY_WIDTHS)
    title(ws, f"compplan results: plan year {result.year}")
    ws.append([stamp.line()])
    ws.append([f"{result.seats['payee_id'].nunique()} payees on {len(result.by_plan)} plans; "
               "each plan's amounts in its currency, totals per currency; formulas recompute "
               "totals, attainment and cost of sales from the values beside them."])
    blank(ws)
    row = _plan_table(ws, result, expected)
    blank(ws)
    month_header = row + 2
    end = _month_table(ws, result, month_header, expected)
    grid = ChartGrid(SUMMARY_WIDTHS, first_row=month_header, first_col=7, span_cols=6,
                     span_rows=16, per_row=1)
    codes = list(pd.unique(pay_by_month(result)["currency"]))
    for k, code in enumerate(codes):  # a chart per currency: never added across them
        first = month_header + 1 + 12 * k
        grid.add(ws, monthly_chart(ws, first, first + 11, str(code)))
    row = end
    if grid.last_row > row:
        blank(ws, grid.last_row - row)
        row = grid.last_row
    blank(ws)
    row += 1
    if result.lines["currency"].nunique() > 1:
        row = _currency_table(ws, result, row + 1)
        blank(ws)
        row += 1
    for note in notes:
        ws.append([note])
        row += 1
    set_print(ws, Printed(row, max(len(SUMMARY_WIDTHS), grid.last_col),
                          widths=tuple(SUMMARY_WIDTHS)), stamp, one_page=True, landscape=True)


def _currency_table(ws: Any, result: Evaluation, header: int) -> int:
    """What was paid in each currency and, for finance, its value in one reporting
    currency at a stated rate (:mod:`compplan.reports.pay_by_currency`)."""
    table = pay_by_currency(result)
    report = next(c for c in table.columns if c.startswith("in_"))
    layout = Layout(kinds={"lines": "int", "paid": "money", "rate": "number", report: "money"},
                    formulas={report: lambda r: f"=C{r}*D{r}"}, currency="currency",
                    other_currency=frozenset({report}))
    _, last = write_table(ws, table, "pay by currency", layout, header_at=header,
                          set_widths=False)
    xl.total_row(ws, ["total", "", "", "", f"=SUM(E{header + 1}:E{last})", ""],
                 ["text", "text", "text", "text", "money", "text"])
    return last + 1


def _pivot(result: Evaluation) -> pd.DataFrame:
    """Payees down, months across, in each payee's pay currency (one per payee)."""
    lines = result.lines
    months = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    wide = lines.pivot_table(index="payee_id", columns="period", values="cents",
                             aggfunc="sum", fill_value=0).reindex(columns=months, fill_value=0)
    plans = lines.groupby("payee_id")["plan"].agg(lambda s: ", ".join(sorted(set(s))))
    code = lines.drop_duplicates("payee_id").set_index("payee_id")["currency"].reindex(
        wide.index)
    units = code.map(lambda c: scale(str(c))).to_numpy(dtype=np.float64)
    out = pd.DataFrame({"payee_id": wide.index.to_numpy(),
                        "name": _names(result).reindex(wide.index).fillna("").to_numpy(),
                        "plan": plans.reindex(wide.index).to_numpy(),
                        "currency": code.to_numpy()})
    for month in months:
        out[month] = wide[month].to_numpy() / units
    out["total"] = wide.to_numpy().sum(axis=1) / units
    return out


def _pivot_sheet(ws: Any, result: Evaluation, expected: Expected, stamp: Stamp) -> None:
    frame = _pivot(result)
    months = [c for c in frame.columns if c[:4].isdigit()]
    first_m, last_m = xl.col(frame.columns, months[0]), xl.col(frame.columns, months[-1])
    total_col = xl.col(frame.columns, "total")
    layout = Layout(kinds={**dict.fromkeys(months, "money"), "total": "money"},
                    formulas={"total": lambda r: f"=SUM({first_m}{r}:{last_m}{r})"},
                    as_is=frozenset(months), currency="currency")
    ws.freeze_panes = "E2"  # before the first row: a write-only sheet writes it there
    widths = estimate_widths(frame, layout)
    xl.set_widths(ws, widths)
    _, last = write_table(ws, frame, "pay by payee", layout, set_widths=False)
    for i, value in enumerate(frame["total"].tolist()):
        expected[("Pay by payee", f"{total_col}{2 + i}")] = float(value)
    cur = xl.col(frame.columns, "currency")
    codes = pd.unique(frame["currency"])
    for k, code in enumerate(codes):  # a total per currency
        totals: list[Any] = ["total", "", "", code]
        mine = frame[frame["currency"] == code]
        for name in [*months, "total"]:
            letter = xl.col(frame.columns, name)
            totals.append(f'=SUMIF({cur}2:{cur}{last},"{code}",{letter}2:{letter}{last})')
            expected[("Pay by payee", f"{letter}{last + 1 + k}")] = float(mine[name].sum())
        xl.total_row(ws, totals, ["text", "text", "text", "text", *["money"] * 13], str(code))
    set_print(ws, Printed(last + len(codes), len(frame.columns), (1, 1), tuple(widths)), stamp)


def _attainment_frame(result: Evaluation) -> pd.DataFrame:
    table = attainment_table(result)
    table.insert(1, "name", _names(result).reindex(table["payee_id"]).fillna("").to_numpy())
    return table


@dataclass(frozen=True)
class Detail:
    """A detail sheet: how many rows it has, and its frame when it is to be written
    (``None`` past the workbook's limit: a million credits are not even labelled)."""

    rows: int
    frame: pd.DataFrame | None
    layout: Layout


def _detail_frames(result: Evaluation, limit: int) -> dict[str, Detail]:
    lines = result.lines
    payouts = pd.DataFrame({
        "payee_id": lines["payee_id"].to_numpy(),
        "name": _names(result).reindex(lines["payee_id"]).fillna("").to_numpy(),
        "plan": lines["plan"].to_numpy(), "period": lines["period"].to_numpy(),
        "component": lines["component"].to_numpy(), "kind": lines["kind"].to_numpy(),
        "amount": lines["amount"].to_numpy(), "currency": lines["currency"].to_numpy()})
    attainment = _attainment_frame(result)
    q, c = xl.col(attainment.columns, "quota"), xl.col(attainment.columns, "credited")
    credits = len(result.credit_parts)
    return {
        "Payouts": Detail(len(payouts), payouts, Layout({"amount": "money"},
                                                        currency="currency")),
        "Attainment": Detail(len(attainment), attainment, Layout(
            {"quota": "money", "credited": "money", "attainment": "pct"},
            formulas={"attainment": lambda r: f'=IF({q}{r}>0,{c}{r}/{q}{r},"")'})),
        "Credits": Detail(  # the deal's other columns are in credits.csv
            credits, credits_table(result)[CREDIT_COLUMNS] if credits <= limit else None,
            Layout({"amount": "money", "split": "number", "source_row": "int",
                    "date": "date"})),
        "Exceptions": Detail(len(result.exceptions), result.exceptions, Layout(
            {"row": "int", "value": "money"}, widths={"reason": 60})),
    }


def write_results(result: Evaluation, path: Path, stamp: Stamp | None = None,
                  excel_rows: int | None = None, detail: str = "csv") -> Expected:
    """Write results.xlsx; return the engine's value for every formula cell written.

    ``stamp`` is the run's identity for the Summary and page footers
    (:meth:`compplan.outputs.stamp.RunInfo.stamp`; without one, the time of writing);
    ``detail`` names the format of the files that hold the rows of a detail sheet left
    out (``csv`` or ``parquet``).
    """
    stamp = stamp if stamp is not None else Stamp.now(result.year)
    limit = min(excel_rows if excel_rows is not None else DETAIL_ROWS, xl.EXCEL_MAX_ROWS - 1)
    expected: Expected = {}
    details = _detail_frames(result, limit)
    too_big = {name for name, d in details.items() if d.rows > limit}
    notes = [f"Exceptions: {len(result.exceptions)} rows or credits left out of pay, each with "
             f"its reason (sheet Exceptions, file exceptions.{detail})."]
    files = {"Payouts": "payouts.csv", "Credits": f"credits.{detail}",
             "Exceptions": f"exceptions.{detail}"}
    where = {name: f"every row is in {file}." for name, file in files.items()}
    where["Attainment"] = ("attainment is not written as a file: compplan run --excel-rows "
                           f"{details['Attainment'].rows:,} keeps it here.")
    for name in sorted(too_big):
        notes.append(f"{name}: {details[name].rows:,} rows, more than the {limit:,} a "
                     f"sheet of this workbook holds (compplan run --excel-rows); "
                     f"{where[name]}")
    wb = Workbook(write_only=True)
    summary = new_sheet(wb, "Summary")
    _summary(summary, result, notes, expected, stamp)
    plans_summary = {str(r["plan"]): {str(k): v for k, v in r.items()}
                     for r in summarize(result).to_dict("records")}
    taken = {"summary", "pay by payee", *(n.lower() for n in details), "plans"}
    for plan_id in sorted(result.by_plan):
        write_dashboard(new_sheet(wb, dashboard_name(plan_id, taken)), result, plan_id,
                        plans_summary[plan_id], stamp)
    _pivot_sheet(new_sheet(wb, "Pay by payee"), result, expected, stamp)
    for name, sheet in details.items():
        frame = sheet.frame
        if name in too_big or frame is None:
            note_sheet(wb, name, f"{sheet.rows:,} rows: more than the {limit:,} a sheet of "
                                 f"this workbook holds; {where[name]}", stamp)
            continue
        table_sheet(wb, name, frame, name.lower(), sheet.layout, stamp)
        if name == "Attainment":
            kept = frame["attainment"].tolist()
            letter = get_column_letter(list(frame.columns).index("attainment") + 1)
            for i, value in enumerate(kept):
                expected[(name, f"{letter}{2 + i}")] = _expect(value, blank="")
    plans = pd.DataFrame([row for plan in result.plans.values() if plan.plan in result.by_plan
                          for row in plan_rows(plan)])
    table_sheet(wb, "Plans", plans, "plan rules",
                Layout(widths={"rule": 90}, wrap=frozenset({"rule"})), stamp)
    wb.save(path)
    return expected
