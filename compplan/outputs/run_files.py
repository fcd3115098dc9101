"""The files of ``compplan run``: payouts, credits, exceptions, the workbook, run.json.

Written together through :func:`compplan.core.atomic.write_atomically`, and only
once conservation holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from compplan.core.atomic import Writer, arrow_for_csv, csv_writer, to_arrow, write_atomically
from compplan.core.stopwatch import Stopwatch
from compplan.engine.result import Evaluation
from compplan.errors import CompplanError, Issue
from compplan.outputs.digest import file_digest
from compplan.outputs.manifest import run_manifest
from compplan.outputs.stamp import RunInfo, run_info
from compplan.reports.conservation import Balance, balances
from compplan.reports.credit_table import credit_batches

_CREDIT_NUMBERS = {"amount", "split", "source_row", "margin", "deal_amount", "split_pct",
                   "term_months"}


def _batches_writer(batches: Callable[[], Iterator[pd.DataFrame]], kind: str,
                    numeric: set[str] | None = None) -> Writer:
    """Write frames one after the other into one Parquet or CSV file (CSV through
    Arrow's writer, several times faster than pandas', which quotes every text cell)."""
    def write(path: Path) -> None:
        sink: pq.ParquetWriter | pa_csv.CSVWriter | None = None
        schema: pa.Schema | None = None
        for frame in batches():
            table = to_arrow(frame) if kind == "parquet" else arrow_for_csv(
                frame, numeric or set())
            if sink is None or schema is None:
                schema = table.schema
                sink = (pq.ParquetWriter(path, schema) if kind == "parquet"
                        else pa_csv.CSVWriter(path, schema))
            sink.write_table(table.cast(schema))
        if sink is not None:
            sink.close()
    return write


def run_writers(result: Evaluation, excel: bool = True, detail: str = "csv",
                info: RunInfo | None = None, excel_rows: int | None = None
                ) -> dict[str, Writer]:
    """The files of ``compplan run``, by name (``results.xlsx`` unless ``excel`` is off).

    ``detail="parquet"`` writes credits and exceptions as Parquet (typed, several times
    faster for millions of credits); payouts.csv stays CSV, as the run contract says.
    Credits are written in batches of rows, in reading order. ``info`` stamps the
    workbook's pages with the run; ``excel_rows`` is the most rows a detail sheet of
    the workbook holds (:data:`compplan.excel.results.DETAIL_ROWS` by default).
    """
    def credits() -> Iterator[pd.DataFrame]:
        return credit_batches(result)

    def exceptions() -> Iterator[pd.DataFrame]:
        return iter([result.exceptions])

    writers: dict[str, Writer] = {"payouts.csv": csv_writer(result.payouts, {"amount"})}
    if detail == "parquet":
        writers["credits.parquet"] = _batches_writer(credits, "parquet")
        writers["exceptions.parquet"] = _batches_writer(exceptions, "parquet")
    else:
        writers["credits.csv"] = _batches_writer(credits, "csv", _CREDIT_NUMBERS)
        writers["exceptions.csv"] = _batches_writer(exceptions, "csv", {"row", "value"})
    if excel:
        shown = "parquet" if detail == "parquet" else "csv"
        writers["results.xlsx"] = lambda path: _write_workbook(result, path, info, excel_rows,
                                                               shown)
    return writers


def write_run(result: Evaluation, out: Path, inputs: dict[str, Path | None], excel: bool = True,
              detail: str = "csv", watch: Stopwatch | None = None,
              excel_rows: int | None = None) -> tuple[list[Path], list[Balance]]:
    """Write a run's files and, last, its ``run.json``, once conservation holds.

    An unbalanced run has lost or invented input rows: its payouts cannot be trusted,
    so nothing is written and the error is a bug to report (exit 1). ``watch`` laps
    ``check`` after the balance (it includes making the readable exceptions).
    """
    kept = balances(result)
    if watch is not None:
        watch.lap("check")
    if not all(b.ok for b in kept):
        raise CompplanError([Issue("conservation", b.render()) for b in kept] + [Issue(
            "conservation", "input rows are unaccounted for: nothing was written (a "
            "bug: please report it)")])
    info = run_info(result, file_digest(inputs))
    written = write_atomically(out, run_writers(result, excel, detail, info, excel_rows),
                               run_manifest(result, inputs, kept, info))
    return written, kept


def _write_workbook(result: Evaluation, path: Path, info: RunInfo | None,
                    excel_rows: int | None, detail: str) -> None:
    from compplan.excel.results import write_results  # noqa: PLC0415 - openpyxl is heavy

    write_results(result, path, info.stamp(result.year) if info is not None else None,
                  excel_rows, detail)
