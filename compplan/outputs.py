"""Write run results: CSVs staged in a temporary folder, then moved into place.

Either every file of a run lands in ``--out`` or none does: files are written to a
staging folder beside the target and renamed into it only once all are complete.
Text cells that a spreadsheet would read as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from compplan.engine import Result
from compplan.errors import Issue, OutputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Writer = Callable[[Path], None]


def neutralize(text: pd.Series) -> pd.Series:
    """Prefix text that a spreadsheet would run as a formula.

    >>> neutralize(pd.Series(["=1+1", "ok", "-2", ""])).tolist()
    ["'=1+1", 'ok', "'-2", '']
    """
    s = text.astype(str)
    risky = s.str.startswith(FORMULA_START)
    return s.where(~risky, "'" + s)


def _safe_frame(frame: pd.DataFrame, numeric: set[str]) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if col in numeric:
            continue
        if pd.api.types.is_datetime64_any_dtype(out[col].dtype):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
        elif not pd.api.types.is_numeric_dtype(out[col].dtype):
            out[col] = neutralize(out[col].fillna(""))
    return out


def credits_table(result: Result) -> pd.DataFrame:
    """The credits as written to credits.csv: who, what, when, how much, from where."""
    c = result.credits
    labels = np.array([f"{result.year}-{m:02d}" for m in range(1, 13)])
    front = pd.DataFrame({
        "payee_id": c["payee_id"].to_numpy(),
        "plan": c["plan"].to_numpy(),
        "measure": c["measure"].to_numpy(),
        "date": pd.to_datetime(c["credit_date"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "period": labels[c["month"].to_numpy(dtype=np.int64)] if len(c) else [],
        "amount": c["credit_value"].to_numpy(dtype=np.float64),
        "split": c["credit_share"].to_numpy(dtype=np.float64),
        "kind": c["credit_kind"].to_numpy(),
        "via": c["via"].to_numpy(),
        "deal_id": c["deal_id"].to_numpy() if "deal_id" in c else "",
        "source_file": c["source_file"].to_numpy(),
        "source_row": c["source_row"].to_numpy(),
    })
    skip = {"payee_id", "plan", "measure", "seat", "credit_date", "month", "credit_value",
            "credit_share", "credit_kind", "via", "deal_id", "source_file", "source_row", "local"}
    rest = c[[col for col in c.columns if col not in skip and col not in front.columns]]
    out = pd.concat([front, rest.reset_index(drop=True)], axis=1)
    return out.sort_values(["payee_id", "date", "plan", "measure"], kind="stable")


def write_csv(frame: pd.DataFrame, path: Path, bulk: bool = False) -> None:
    """Write a frame as CSV; missing values become empty cells.

    Bulk detail files (credits, exceptions: millions of rows) go through Arrow's
    writer, several times faster than pandas', which quotes every text cell; the
    payouts file stays minimally quoted, as payroll and diff tools expect.
    """
    if bulk:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pa_csv.write_csv(table, path)
    else:
        frame.to_csv(path, index=False, lineterminator="\n")


def _csv_writer(frame: pd.DataFrame, numeric: set[str], bulk: bool = False) -> Writer:
    def write(path: Path) -> None:
        write_csv(_safe_frame(frame, numeric), path, bulk)
    return write


def run_writers(result: Result) -> dict[str, Writer]:
    """The files of ``compplan run``, by name."""
    return {
        "payouts.csv": _csv_writer(result.payouts, {"amount"}),
        "credits.csv": _csv_writer(credits_table(result),
                                   {"amount", "split", "source_row", "margin",
                                    "split_pct", "term_months"}, bulk=True),
        "exceptions.csv": _csv_writer(result.exceptions, {"row", "value"}, bulk=True),
    }


def write_atomically(out: Path, writers: dict[str, Writer]) -> list[Path]:
    """Write every file to a staging folder, then move them all into ``out``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".compplan-", dir=out))
    except OSError as exc:
        raise OutputError([Issue(str(out), f"cannot create output folder: {exc.strerror}")]
                          ) from None
    try:
        for name, write in writers.items():
            write(stage / name)
        written = []
        for name in writers:
            (stage / name).replace(out / name)
            written.append(out / name)
        return written
    except OSError as exc:
        raise OutputError([Issue(str(out), f"cannot write results: {exc.strerror}")]) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
