"""results.xlsx benchmark: write time and peak memory for a large run; prints two tables.

    python benchmarks/bench_excel.py              # ~110,000 payout lines, ~900,000 credits
    python benchmarks/bench_excel.py --tiny       # CI smoke size

First table: results.xlsx as ``compplan run`` writes it (detail sheets of more than
``--excel-rows``, 200,000 by default, point to their CSV/Parquet file), and with every
credit in its sheet (``--excel-rows 1048575``, what every run did before). Second table:
the same credits frame written as one sheet by openpyxl write-only (our writer, with an
Excel table) and by xlsxwriter ``constant_memory`` (which cannot add a table in that
mode: an autofilter instead), to show what a writer change alone would gain.

Peak memory is the process's maximum resident set size, read after the engine ran and
again after the workbook was written (the difference is what writing added).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_engine import PLANS, company
from openpyxl import Workbook

from compplan.excel.results import CREDIT_COLUMNS, write_results
from compplan.excel.sheet import Layout, write_table
from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.reports.credit_table import credits_table
from compplan.result import Result, evaluate

CREDIT_KINDS = {"amount": "money", "split": "number", "source_row": "int", "date": "date"}


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluated(payees: int, lines: int, folder: Path) -> Result:
    for name, frame in company(payees, lines).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    inputs = load_inputs(folder / "roster.csv", folder / "deals.csv", folder / "quotas.csv",
                         folder / "accounts.csv")
    return evaluate(load_plans(PLANS), inputs, 2026)


def workbook(result: Result, folder: Path, excel_rows: int | None, label: str
             ) -> dict[str, object]:
    before = _rss_mib()
    path = folder / f"{label}.xlsx"
    start = time.perf_counter()
    write_results(result, path, excel_rows=excel_rows)
    seconds = time.perf_counter() - start
    return {"workbook": label, "payout_lines": len(result.lines),
            "credits": len(result.credit_rows), "write_s": seconds,
            "rss_before_mib": before, "rss_peak_mib": _rss_mib(),
            "file_mib": path.stat().st_size / 2**20}


def _openpyxl(frame: pd.DataFrame, path: Path) -> None:
    wb = Workbook(write_only=True)
    write_table(wb.create_sheet("Credits"), frame, "credits", Layout(CREDIT_KINDS))
    wb.save(path)


def _xlsxwriter(frame: pd.DataFrame, path: Path) -> None:
    import xlsxwriter  # noqa: PLC0415 - a benchmark peer, not a dependency of compplan

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "strings_to_formulas": False,
                                           "strings_to_numbers": False,
                                           "strings_to_urls": False})
    ws = book.add_worksheet("Credits")
    formats = {"money": book.add_format({"num_format": "#,##0.00"}),
               "number": book.add_format({"num_format": "#,##0.####"}),
               "int": book.add_format({"num_format": "#,##0"}),
               "date": book.add_format({"num_format": "yyyy-mm-dd"})}
    columns = list(frame.columns)
    ws.write_row(0, 0, columns)
    kinds = [CREDIT_KINDS.get(c, "text") for c in columns]
    values = []
    for col, kind in zip(columns, kinds, strict=True):  # columns converted once, as ours
        if kind == "date":
            values.append(pd.to_datetime(frame[col]).dt.date.tolist())
        elif kind != "text":
            values.append(np.round(pd.to_numeric(frame[col]).to_numpy(np.float64), 8).tolist())
        else:
            values.append(frame[col].astype(str).tolist())
    for i in range(len(frame)):
        for j, kind in enumerate(kinds):
            value = values[j][i]
            if kind == "text":
                ws.write_string(i + 1, j, value)
            elif kind == "date":
                ws.write_datetime(i + 1, j, value, formats["date"])
            else:
                ws.write_number(i + 1, j, value, formats[kind])
    ws.autofilter(0, 0, len(frame), len(columns) - 1)
    book.close()


def writers(result: Result, folder: Path) -> list[dict[str, object]]:
    frame = credits_table(result)[CREDIT_COLUMNS]
    rows = []
    for name, write in (("openpyxl write-only (table)", _openpyxl),
                        ("xlsxwriter constant_memory (autofilter)", _xlsxwriter)):
        path = folder / f"{name.split()[0]}.xlsx"
        start = time.perf_counter()
        write(frame, path)
        seconds = time.perf_counter() - start
        rows.append({"writer": name, "rows": len(frame), "cells": frame.size,
                     "write_s": seconds, "us_per_cell": seconds / frame.size * 1e6,
                     "file_mib": path.stat().st_size / 2**20})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    parser.add_argument("--no-writers", action="store_true",
                        help="skip the openpyxl / xlsxwriter comparison")
    args = parser.parse_args()
    payees, lines = (40, 2000) if args.tiny else (4000, 490_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result = evaluated(payees, lines, folder)
        books = [workbook(result, folder, None, "results.xlsx (default)"),
                 workbook(result, folder, 1_048_575, "every credit in a sheet")]
        print(pd.DataFrame(books).to_string(index=False,
                                            float_format=lambda v: f"{v:.1f}"))
        if not args.no_writers:
            print()
            print(pd.DataFrame(writers(result, folder)).to_string(
                index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
