"""Read input tables (CSV, XLSX, Parquet) into typed frames, with located errors.

Text cells (CSV, Excel) are parsed column by column, so a bad value is reported as
``deals.csv: row 14, close_date: '31/01/2026' is not a date (YYYY-MM-DD)`` and all bad
cells of all files are reported together. A typed column (Parquet, a notebook's frame)
whose type is already the one wanted is taken as it is, checked but not re-parsed:
turning millions of numbers into text and back was most of a large run's load time.
Any other typed column goes through its text, so it is checked exactly as a CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compplan.core.file_guard import regular_file
from compplan.core.memo import Memo
from compplan.errors import InputError, Issue, raise_if
from compplan.inputs.mapping import Mapping
from compplan.inputs.tables import ColumnType, TableSpec, spec_for
from compplan.inputs.workbook import WorkbookError, read_workbook

ROW_COLUMN = "_row"
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers them
_MAX_LISTED = 20


@dataclass(frozen=True)
class Table:
    """A parsed input table and where it came from.

    A table is never changed in place (scenarios make new ones), so what is derived
    from its columns can be kept with it.
    """

    name: str
    file: str
    frame: pd.DataFrame
    warnings: tuple[Issue, ...] = ()  # said once, the run goes on (control characters)
    _factors: Memo[pd.Categorical] = field(default_factory=Memo, init=False, repr=False,
                                           compare=False)

    def factor(self, column: str) -> pd.Categorical:
        """A text column as codes into its distinct values, computed once per table.

        Credits take, compare and deduplicate millions of CRM labels (stages, owners,
        deal ids); on codes each of those is integer work instead of text work.
        """
        def compute() -> pd.Categorical:
            codes, uniques = pd.factorize(self.frame[column], sort=False)
            return pd.Categorical.from_codes(  # type: ignore[call-overload,no-any-return]
                codes, dtype=distinct_dtype(pd.Index(uniques)), validate=False)

        return self._factors.get(column, compute)


def distinct_dtype(categories: pd.Index) -> pd.CategoricalDtype:
    """The categorical dtype of values known to be distinct (``pd.factorize``'s uniques).

    The public constructor hashes every category again to prove them distinct: a fifth
    of a second for the deal ids of a 2.7 M-line export, on every run. pandas' own fast
    path for categories it made itself skips that; without it (another pandas), the
    public constructor.
    """
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fast is None:
        return pd.CategoricalDtype(categories)
    dtype = fast(categories, False)
    return dtype if isinstance(dtype, pd.CategoricalDtype) else pd.CategoricalDtype(categories)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, pd.Timestamp | dt.datetime):
        return "" if pd.isna(value) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _column_text(col: pd.Series) -> pd.Series:
    """A typed column as the text a CSV would hold, vectorized where the type allows."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        days: pd.Series = col.dt.strftime("%Y-%m-%d").fillna("").astype(str)
        return days
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.astype(str)
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = np.isfinite(values)
        integral = finite & (np.abs(values) < 1e15) & (np.floor(values) == values)
        text = pd.Series(values, index=col.index).astype(str)
        whole = pd.Series(np.where(integral, values, 0).astype(np.int64),
                          index=col.index).astype(str)
        text = text.where(~integral, whole)
        return text.where(~np.isnan(values), "")
    if pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col.dtype):
        return col.fillna("").astype(str)
    return pd.Series([_cell_text(v) for v in col.tolist()], index=col.index, dtype=str)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, so typed sources are checked exactly like CSV files."""
    return pd.DataFrame({str(c): _column_text(frame[c]) for c in frame.columns},
                        index=frame.index).reset_index(drop=True)


_FOOTER_LINES = 20  # the most lines a report footer is looked for in
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED = re.compile(r"EOF inside string starting at row (\d+)")


def _footer_count(last: deque[list[str]], footer: tuple[str, ...]) -> int:
    """How many of the file's last records are a report's footer: blank, or a first
    cell that starts with one of the mapping's footer texts (``Grand Totals``...)."""
    n = 0
    for record in reversed(last):
        first = record[0].strip() if record else ""
        blank = not any(cell.strip() for cell in record)
        if not (blank or (footer and first.startswith(footer))):
            break
        n += 1
    return n


def _ragged_rows(path: Path, width: int, footer: tuple[str, ...] = ()
                 ) -> tuple[list[Issue], int]:
    """Every record whose number of cells is not the header's ``width``, and how many
    records at the end are a declared report footer (left out, not refused).

    pandas pads a short record with empty cells, so a row cut off by a CRM export
    would be read as a deal with no stage or date and silently match no rule. The
    csv module counts each record's cells exactly (quoted line breaks included) in a
    third of the time pandas takes to read the file; a blank line has no cells and
    is left out later.
    """
    last: deque[list[str]] = deque(maxlen=_FOOTER_LINES)

    def seen(record: list[str]) -> int:
        last.append(record)
        return len(record)

    with path.open(encoding="utf-8-sig", newline="") as fh:
        records = csv.reader(fh)
        next(records, None)
        counts = np.fromiter(map(seen, records), dtype=np.int64)
    tail = _footer_count(last, footer) if footer else 0
    bad = np.flatnonzero((counts[:len(counts) - tail] != 0)
                         & (counts[:len(counts) - tail] != width))
    if not len(bad):
        return [], tail
    lines = _record_lines(path, set(bad[:_MAX_LISTED].tolist()))
    issues = [Issue(str(path), f"the row has {counts[i]} cells, the header has {width}: "
                    "expected one cell per column (a row cut short, or a comma not in quotes?)",
                    lines[i]) for i in bad[:_MAX_LISTED]]
    if len(bad) > _MAX_LISTED:
        issues.append(Issue(str(path), f"... and {len(bad) - _MAX_LISTED} more rows with the "
                                       "wrong number of cells"))
    return issues, tail


def _record_lines(path: Path, wanted: set[int]) -> dict[int, int]:
    """The line each wanted record (0 = first under the header) starts on: a quoted cell
    may hold line breaks, so records and lines differ. Only read on the error path."""
    found: dict[int, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        records = csv.reader(fh)
        next(records, None)
        start = records.line_num + 1
        for i, _ in enumerate(records):
            if i in wanted:
                found[i] = start
                if len(found) == len(wanted):
                    break
            start = records.line_num + 1
    return found


def _read_csv(path: Path, footer: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV as text cells, its header exactly as written: pandas would rename a second
    ``amount`` to ``amount.1`` and the duplicate would go unnoticed. A report footer the
    mapping declares is left out; any other short row is refused."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise pd.errors.EmptyDataError
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      skip_blank_lines=False)  # reports unclosed quotes and long rows
    issues, tail = _ragged_rows(path, len(header), footer)
    raise_if(issues, InputError)
    if tail:
        raw = raw.iloc[:len(raw) - tail]
    if len(header) == len(raw.columns):
        raw.columns = pd.Index(header)
    return raw


def _read_raw(path: Path, footer: tuple[str, ...] = ()) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):  # cells of mixed types: text, checked as a CSV's
        return as_text(read_workbook(path))
    if suffix == ".parquet":
        return pd.read_parquet(path).reset_index(drop=True)
    return _read_csv(path, footer)


def _number_rows(raw: pd.DataFrame, text: bool) -> pd.DataFrame:
    """Number the rows as a spreadsheet shows them, then leave out the blank ones (an
    empty line in a CSV, a formatted but empty row in a workbook): they hold no data,
    and the rows after them keep the numbers a user sees."""
    raw = raw.assign(**{ROW_COLUMN: np.arange(len(raw), dtype=np.int64) + FIRST_DATA_ROW})
    if not text or not len(raw):
        return raw
    blank = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1] - 1):
        blank &= (raw.iloc[:, i] == "").to_numpy()
        if not blank.any():
            return raw
    return raw[~blank].reset_index(drop=True)


def read_text_table(path: Path, name: str, mapping: Mapping | None = None) -> pd.DataFrame:
    """Read a file (text cells, or Parquet's typed columns), renamed by the mapping."""
    file = str(path)
    regular_file(path)  # a pipe would hang the run, a device never end
    try:
        raw = _read_raw(path, mapping.footer(name) if mapping is not None else ())
    except FileNotFoundError:
        raise InputError([Issue(file, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Issue(file, "is a folder: expected a table file")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Issue(file, f"not UTF-8 text (byte {exc.start})")]) from None
    except pd.errors.EmptyDataError:
        raise InputError([Issue(file, "file is empty: expected a header row")]) from None
    except WorkbookError as exc:
        raise InputError(exc.issues(file)) from None
    except pd.errors.ParserError as exc:
        ragged = _RAGGED.search(str(exc))
        if ragged:
            want, line, saw = ragged.groups()
            raise InputError([Issue(file, f"the row has {saw} cells, the header has {want}",
                                    int(line))]) from None
        unclosed = _UNCLOSED.search(str(exc))
        if unclosed:  # pandas counts lines from 0
            raise InputError([Issue(file, "a quoted cell opened on this line is never closed",
                                    int(unclosed.group(1)) + 1)]) from None
        raise InputError([Issue(file, f"cannot read {name} table: {exc}")]) from None
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise InputError([Issue(file, f"cannot read {name} table: {exc}")]) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = _number_rows(raw, path.suffix.lower() != ".parquet")
    if mapping is not None:
        raw = mapping.apply(name, raw)
    return raw


def _parse_dates(text: pd.Series, fmt: str) -> tuple[pd.Series, np.ndarray]:
    stripped = text.str.strip()
    parsed = pd.to_datetime(stripped, format=fmt, errors="coerce")
    bad = (stripped != "").to_numpy() & parsed.isna().to_numpy()
    return parsed.astype("datetime64[s]"), bad


def _typed(col: pd.Series, kind: str | None) -> tuple[pd.Series, np.ndarray] | None:
    """A typed column whose type is the one wanted, with its bad cells; else None.

    Numbers must be finite (an infinity is bad, a null is empty); dates must be
    timezone-free. Text columns of a text table are not typed here: they are parsed.
    """
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return None
    if pd.api.types.is_numeric_dtype(dtype) and kind in ("number", None):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        return pd.Series(values, index=col.index), np.isinf(values)
    if (pd.api.types.is_datetime64_dtype(dtype) and kind in ("date", None)
            and getattr(col.dt, "tz", None) is None):
        return col.astype("datetime64[s]"), np.zeros(len(col), dtype=bool)
    return None


def _parse_numbers(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    stripped = text.str.strip()
    parsed = pd.to_numeric(stripped.where(stripped != "", None), errors="coerce").astype("float64")
    values = parsed.to_numpy()
    bad = (stripped != "").to_numpy() & ~np.isfinite(values)
    return parsed, bad


_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_ISO_MONTH = r"\d{4}-(0[1-9]|1[0-2])"


def infer_type(text: pd.Series) -> str:
    """Type of a column the table spec does not name (a CRM's extra fields, KPI tables).

    A column is a date when every filled cell is ``YYYY-MM-DD``, a month (dated on its
    last day) when every one is ``YYYY-MM``, a number when every one parses as one,
    and text otherwise.

    >>> infer_type(pd.Series(["2026-01-31", ""])), infer_type(pd.Series(["1.5", "-2"]))
    ('date', 'number')
    >>> infer_type(pd.Series(["2026-03"])), infer_type(pd.Series(["A", "1"]))
    ('month', 'str')
    """
    filled = pd.Series(text.str.strip().unique(), dtype=str)  # a CRM column repeats a lot
    filled = filled[filled != ""]
    if filled.empty:
        return "str"
    if filled.str.fullmatch(_ISO_DAY).all():
        return "date"
    if filled.str.fullmatch(_ISO_MONTH).all():
        return "month"
    numbers = pd.to_numeric(filled, errors="coerce")
    if numbers.notna().all() and np.isfinite(numbers.to_numpy(dtype=float)).all():
        return "number"
    return "str"


def _month_ends(text: pd.Series) -> pd.Series:
    months = pd.to_datetime(text.str.strip(), format="%Y-%m", errors="coerce")
    return (months + pd.offsets.MonthEnd(0)).astype("datetime64[s]")


_EXPECTED = {"date": "a date (YYYY-MM-DD)", "number": "a finite number"}


def _cell_issues(file: str, column: str, rows: np.ndarray, bad: np.ndarray,
                 say: Callable[[int], str], more: str = "bad values") -> list[Issue]:
    """An issue per bad cell of a column (the first few), and how many more there are:
    a column of a million bad dates is one fix, not a million lines of output."""
    idx = np.flatnonzero(bad)
    issues = [Issue(file, say(int(i)), None, f"row {rows[i]}, {column}")
              for i in idx[:_MAX_LISTED]]
    if len(idx) > _MAX_LISTED:
        issues.append(Issue(file, f"... and {len(idx) - _MAX_LISTED} more {more}", None,
                            column))
    return issues


def _report_bad(file: str, column: str, kind: ColumnType, text: pd.Series, bad: np.ndarray,
                rows: np.ndarray, fmt: str) -> list[Issue]:
    expected = _EXPECTED[kind] if kind != "date" or fmt == "%Y-%m-%d" else f"a date ({fmt})"
    return _cell_issues(file, column, rows, bad, lambda i: f"{text.iloc[i]!r} is not {expected}")


def _check_bounds(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Issue]:
    issues = []
    rows = frame[ROW_COLUMN].to_numpy()
    for col, (low, high) in spec.bounds.items():
        if col not in frame:
            continue
        values = frame[col].to_numpy(dtype=np.float64)
        bad = np.zeros(len(values), dtype=bool)
        if low is not None:
            bad |= values < low
        if high is not None:
            bad |= values > high
        said = (f"is outside {low:g}..{high:g}" if low is not None and high is not None
                else f"is below the minimum {low:g}" if low is not None
                else f"is above the maximum {high:g}")

        def out_of_bounds(i: int, v: np.ndarray = values, w: str = said) -> str:
            return f"{v[i]:g} {w}"

        issues.extend(_cell_issues(file, col, rows, bad, out_of_bounds))
    return issues


def _check_required(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Issue]:
    issues = []
    rows = frame[ROW_COLUMN].to_numpy()
    for col, kind in spec.required.items():
        if kind == "str" or col in spec.filled:
            empty = (frame[col] == "").to_numpy() if kind == "str" else frame[col].isna().to_numpy()
            issues.extend(_cell_issues(file, col, rows, empty,
                                       lambda i: "is empty; a value is required",
                                       "empty cells"))
    return issues


ID_LENGTH = 200
"""The longest id (payee, deal, account, plan...): what the ledger stores on every
backend. PostgreSQL refuses a longer one mid-payroll and SQLite keeps it, so both
refuse it here, for every command."""
NAME_LENGTH = 400


def _is_id(column: str) -> bool:
    return column.endswith("_id") or column in ("plan", "measure", "period")


def _check_text(frame: pd.DataFrame, file: str) -> list[Issue]:
    """Text a database or a spreadsheet would refuse: a NUL anywhere, an id over 200
    characters, a name over 400 (whole-column string kernels: no row loop)."""
    issues: list[Issue] = []
    rows = frame[ROW_COLUMN].to_numpy()
    control: list[str] = []
    for col in frame.columns:
        values = frame[col]
        if col == ROW_COLUMN or not pd.api.types.is_string_dtype(values.dtype):
            continue
        longest = ID_LENGTH if _is_id(str(col)) else NAME_LENGTH if col == "name" else None
        odd = values.str.contains(_CONTROL, regex=True).to_numpy(dtype=bool, na_value=False)
        bad = (values.str.contains("\x00", regex=False).to_numpy(dtype=bool, na_value=False)
               if odd.any() else odd)
        if (odd & ~bad).any():
            control.append(f"row {rows[np.flatnonzero(odd & ~bad)[0]]}, {col}")
        if longest is not None:
            bad = bad | (values.str.len() > longest).to_numpy(dtype=bool, na_value=False)
        if not bad.any():
            continue

        def why(i: int, v: pd.Series = values, most: int | None = longest) -> str:
            cell = str(v.iloc[i])
            if "\x00" in cell:
                return "holds a NUL character: expected text without control characters"
            return f"is {len(cell)} characters long: expected at most {most}"

        issues.extend(_cell_issues(file, str(col), rows, bad, why))
    if control:  # said once per file: kept in CSV outputs, replaced in workbooks
        issues.append(Issue(file, "text holds control characters (first at "
                            f"{control[0]}): kept as they are in CSV outputs, shown as "
                            "\ufffd in workbooks", None, "", "warning"))
    return issues


_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"  # what XML 1.0 cannot hold


def _check_patterns(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Issue]:
    issues = []
    rows = frame[ROW_COLUMN].to_numpy()
    for col, (pattern, words) in spec.patterns.items():
        if col not in frame:
            continue
        text = frame[col].astype(str)
        bad = ~text.str.fullmatch(pattern).to_numpy(dtype=bool) & (text != "").to_numpy()

        def unlike(i: int, t: pd.Series = text, w: str = words) -> str:
            return f"{t.iloc[i]!r} is not {w}"

        issues.extend(_cell_issues(file, col, rows, bad, unlike))
    return issues


def _column_letter(position: int) -> str:
    """A column's letter as a spreadsheet shows it.

    >>> _column_letter(1), _column_letter(28)
    ('A', 'AB')
    """
    letters = ""
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _drop_unnamed(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Leave out columns with no header and no data (a trailing comma, a formatted
    column); name the ones that hold data, which would otherwise be lost."""
    names = [str(c) for c in raw.columns]
    nameless = [i for i, c in enumerate(names) if c == "" or c.startswith("Unnamed: ")]
    if not nameless:
        return raw, []
    with_data = []
    for i in nameless:
        col = raw.iloc[:, i]
        if bool((col.astype(str).str.strip() != "").to_numpy()[col.notna().to_numpy()].any()):
            with_data.append(_column_letter(i + 1))
    keep = [i for i in range(len(names)) if i not in set(nameless)]
    return raw.iloc[:, keep], with_data


def closest_hint(missing: list[str], have: Iterable[object]) -> str:
    """``; did you mean 'target_incentive'?`` for a misspelt header, else nothing.

    >>> closest_hint(["target_incentive"], ["payee_id", "target_incentve"])
    "; did you mean 'target_incentve' for 'target_incentive'?"
    """
    names = [str(h) for h in have]
    guesses = [(m, difflib.get_close_matches(m, names, n=1, cutoff=0.75)) for m in missing]
    said = [f"{g[0]!r} for {m!r}" for m, g in guesses if g and g[0] != m]
    return f"; did you mean {', '.join(said)}?" if said else ""


def _header_issues(raw: pd.DataFrame, spec: TableSpec,
                   file: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Unnamed, repeated and missing columns: a header no cell can be read against."""
    raw, unnamed = _drop_unnamed(raw)
    issues = [Issue(file, "this column has data but no name in the header row (a blank "
                    "or merged header cell?)", 1, f"column {n}") for n in unnamed]
    for col in raw.columns[raw.columns.duplicated()].tolist():
        issues.append(Issue(file, "column appears more than once in the header", None, col))
    missing = [c for c in spec.required if c not in raw.columns]
    if missing:
        have = ", ".join(raw.columns) or "none"
        issues.append(Issue(file, f"missing required column(s) {', '.join(missing)} "
                                  f"(found: {have}){closest_hint(missing, raw.columns)}", 1))
    return raw, issues


def _typed_columns(raw: pd.DataFrame, spec: TableSpec, file: str, rows: np.ndarray,
                   date_format: str) -> tuple[dict[str, Any], list[Issue]]:
    """Each column as its type says (or as its text looks), with every bad cell."""
    out: dict[str, Any] = {}
    issues: list[Issue] = []
    types = spec.types()
    for col in raw.columns:
        typed = _typed(raw[col], types.get(col))
        if typed is not None:
            out[col], bad = typed
            if bad.any():  # reported as the text a CSV would hold: 'inf', not np.float64(inf)
                issues.extend(_report_bad(file, col, "number", _column_text(raw[col]), bad,
                                          rows, date_format))
            continue
        text = _column_text(raw[col])
        kind = types[col] if col in types else infer_type(text)
        if kind in ("month", "str"):
            out[col] = _month_ends(text) if kind == "month" else text.str.strip()
            continue
        parsed, bad = (_parse_dates(text, date_format) if kind == "date"
                       else _parse_numbers(text))
        issues.extend(_report_bad(file, col, "date" if kind == "date" else "number", text, bad,
                                  rows, date_format))
        out[col] = parsed
    for col, kind in spec.optional.items() if spec.blank_when_missing else ():
        if col not in out:
            out[col] = (pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]") if kind == "date"
                        else pd.Series(np.nan, index=raw.index) if kind == "number"
                        else pd.Series("", index=raw.index, dtype=str))
    return out, issues


def _duplicate_keys(frame: pd.DataFrame, spec: TableSpec, columns: pd.Index, rows: np.ndarray,
                    file: str) -> list[Issue]:
    """Rows whose key (payee, deal, ...) an earlier row already has."""
    key = [*spec.key, *(c for c in spec.key_extra if c in columns)]
    if not key:
        return []
    dup = frame.duplicated(key, keep="first").to_numpy()
    return [Issue(file, f"duplicate {', '.join(f'{k}={frame[k].iloc[i]!r}' for k in key)} "
                  f"(each must appear once{spec.duplicate_hint})", None,
                  f"row {rows[i]}, {', '.join(key)}")
            for i in np.flatnonzero(dup)[:_MAX_LISTED]]


def parse_table(raw: pd.DataFrame, spec: TableSpec, file: str,
                date_format: str = "%Y-%m-%d") -> tuple[pd.DataFrame, list[Issue]]:
    """Type the columns of a text table; return the frame and every problem found."""
    if ROW_COLUMN in raw.columns:  # numbered by the reader, blank rows left out
        rows = raw[ROW_COLUMN].to_numpy(dtype=np.int64)
        raw = raw.drop(columns=[ROW_COLUMN])
    else:
        rows = np.arange(len(raw), dtype=np.int64) + FIRST_DATA_ROW
    raw, issues = _header_issues(raw, spec, file)
    if issues:
        return raw, issues
    out, issues = _typed_columns(raw, spec, file, rows, date_format)
    frame = pd.DataFrame(out, index=raw.index)
    frame[ROW_COLUMN] = rows
    issues.extend(_check_required(frame, spec, file))
    issues.extend(_check_bounds(frame, spec, file))
    issues.extend(_check_patterns(frame, spec, file))
    issues.extend(_check_text(frame, file))
    if not any(i.severity == "error" for i in issues):
        issues.extend(_duplicate_keys(frame, spec, raw.columns, rows, file))
    return frame, issues


def load_table(path: Path | str, name: str, mapping: Mapping | None = None) -> Table:
    """Read and type one input table; raise every problem in it at once."""
    where = Path(path)
    raw = read_text_table(where, name, mapping)
    fmt = mapping.date_format(name) if mapping is not None else "%Y-%m-%d"
    frame, issues = parse_table(raw, spec_for(name), str(where), fmt)
    if mapping is not None:  # name the export headers the mapping looks for
        missing = [c for c in spec_for(name).required if c not in raw.columns]
        hint = mapping.wanted_headers(name, missing)
        issues = [Issue(i.file, i.message + hint, i.line, i.field, i.severity)
                  if hint and i.message.startswith("missing required column") else i
                  for i in issues]
    raise_if(issues, InputError)
    return Table(name, str(where), frame, tuple(i for i in issues if i.severity != "error"))


def table_from_frame(frame: pd.DataFrame, name: str, label: str | None = None) -> Table:
    """Type an in-memory frame (from a notebook) exactly as a Parquet file would be."""
    raw = frame.reset_index(drop=True)
    raw.columns = [str(c) for c in raw.columns]
    parsed, issues = parse_table(raw, spec_for(name), label or f"<{name} frame>")
    raise_if(issues, InputError)
    return Table(name, label or f"<{name} frame>", parsed,
                 tuple(i for i in issues if i.severity != "error"))
