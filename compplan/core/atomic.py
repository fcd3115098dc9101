"""Write files all at once or not at all: staged in a temporary folder, then moved.

Either every file of a command lands in ``--out`` or none does: files are written to a
staging folder beside the target and renamed into it only once all are complete. CSV
text is neutralized (:mod:`compplan.core.cell_text`) on the way out.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from compplan.core.cell_text import neutralize, neutralize_arrow, safe_header
from compplan.core.faults import fault_point
from compplan.errors import Issue, OutputError

MANIFEST = "run.json"

Writer = Callable[[Path], None]


def _safe_frame(frame: pd.DataFrame, numeric: set[str]) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [safe_header(c) for c in out.columns]  # numeric ones are ours: unchanged
    for col in out.columns:
        if col in numeric:
            continue
        if pd.api.types.is_datetime64_any_dtype(out[col].dtype):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
        elif not pd.api.types.is_numeric_dtype(out[col].dtype):
            out[col] = neutralize(out[col].fillna(""))
    return out


_DICTIONARY_LIMIT = 1 << 16


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table; labels stay dictionary-encoded unless they have so
    many distinct values (deal ids) that the dictionary, converted again for every batch
    and written for every row group, costs more than it saves: those become the text of
    the rows at hand, taken in Arrow."""
    big = {col for col in frame.columns if isinstance(frame[col].dtype, pd.CategoricalDtype)
           and len(frame[col].cat.categories) > _DICTIONARY_LIMIT}
    table = pa.Table.from_pandas(frame.drop(columns=list(big)), preserve_index=False)
    columns = [_label_text(frame[col].array) if col in big else table.column(col)
               for col in frame.columns]
    return pa.table(columns, names=[str(c) for c in frame.columns])


def _label_text(labels: pd.Categorical) -> pa.Array:
    codes = np.asarray(labels.codes, dtype=np.int64)
    return pa.array(labels.categories.array).take(pa.array(codes, mask=codes < 0))


def arrow_for_csv(frame: pd.DataFrame, numeric: set[str]) -> pa.Table:
    """An Arrow table ready for CSV: dates as days, formula-like text neutralized."""
    table = to_arrow(frame)
    columns = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_timestamp(col.type):
            columns.append(pc.cast(col, pa.date32()))
        elif name not in numeric and col.num_chunks:
            chunks = [neutralize_arrow(chunk) for chunk in col.chunks]
            columns.append(pa.chunked_array(chunks, type=chunks[0].type))
        else:
            columns.append(col)
    return pa.table(columns, names=[safe_header(n) for n in table.column_names])


def write_csv(frame: pd.DataFrame, path: Path, numeric: set[str]) -> None:
    """Write a frame as CSV, minimally quoted as payroll and diff tools expect; missing
    values become empty cells. (Detail files of millions of rows go through Arrow's
    writer in batches: :func:`compplan.outputs.run_files.run_writers`.)"""
    _safe_frame(frame, numeric).to_csv(path, index=False, lineterminator="\n")


def csv_writer(frame: pd.DataFrame, numeric: set[str]) -> Writer:
    def write(path: Path) -> None:
        write_csv(frame, path, numeric)
    return write


_STAGE = ".compplan-"


def _sweep_stale_stages(out: Path) -> None:
    """Remove the staging folders of runs that were killed (their process is gone), so
    a crash leaves no litter beyond the next run. Folders of live runs are left alone."""
    for stage in out.glob(_STAGE + "*"):
        pid = stage.name[len(_STAGE):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(stage, ignore_errors=True)
        except OSError:
            continue


def write_atomically(out: Path, writers: dict[str, Writer],
                     manifest: dict[str, object] | None = None) -> list[Path]:
    """Write every file to a staging folder, then move them all into ``out``.

    No file in ``out`` is ever partly written: each is complete in the staging folder
    before a rename (atomic on one file system) puts it in place. With a ``manifest``
    (``compplan run``), ``run.json`` is removed before the first file moves and written
    after the last, so a run killed between two moves leaves no ``run.json``: its
    absence says the folder holds a mix of two runs' complete files.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        _sweep_stale_stages(out)
        stage = Path(tempfile.mkdtemp(prefix=f"{_STAGE}{os.getpid()}-", dir=out))
    except OSError as exc:
        raise OutputError([Issue(str(out), f"cannot create output folder: {exc.strerror}")]
                          ) from None
    try:
        for name, write in writers.items():
            fault_point(f"write:{name}")
            write(stage / name)
        names = list(writers)
        if manifest is not None:
            files = {name: (stage / name).stat().st_size for name in names}
            (stage / MANIFEST).write_text(json.dumps({**manifest, "files": files}, indent=2)
                                          + "\n", encoding="utf-8")
            names.append(MANIFEST)
        return _move_all(stage, out, names, manifest is not None)
    except OSError as exc:
        raise OutputError([Issue(str(out), f"cannot write results: {exc.strerror or exc}")]
                          ) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _previous_files(out: Path) -> set[str]:
    """The files the folder's previous ``run.json`` listed (plain names only)."""
    try:
        files = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return set()
    return {str(n) for n in files if isinstance(n, str) and Path(n).name == n
            and n not in ("", ".", "..")} if isinstance(files, dict) else set()


def _move_all(stage: Path, out: Path, names: list[str], manifest: bool) -> list[Path]:
    """Rename the staged files into ``out``; the previous ``run.json`` is set aside
    first and put back if not one file could be moved. The previous run's files that
    this run does not write (its ``results.xlsx`` when this one has ``--no-excel``,
    Parquet detail files when this one writes CSV) are removed before the new
    ``run.json`` goes in, so a folder never mixes two runs; no other file is touched."""
    aside = stage / f"previous-{MANIFEST}"
    stale = _previous_files(out) - set(names) if manifest else set()
    if manifest and (out / MANIFEST).exists():
        (out / MANIFEST).replace(aside)
    written: list[Path] = []
    try:
        for name in names:
            if name == MANIFEST:
                for old in sorted(stale):
                    fault_point(f"remove:{old}")
                    (out / old).unlink(missing_ok=True)
            fault_point(f"move:{name}")
            (stage / name).replace(out / name)
            written.append(out / name)
    except OSError:
        if not written and aside.exists():
            aside.replace(out / MANIFEST)
        raise
    return written
