"""The credits as people read them: one row per credit with its deal's own columns.

This is ``credits.csv`` and ``Result.credits``: who was credited, for which measure,
when, how much, through whom, from which file and row, followed by the source row's
columns (a name that clashes with ours gets a ``deal_`` prefix).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from compplan.credits import credit_columns
from compplan.ingest import ROW_COLUMN
from compplan.labels import categorical
from compplan.schema import CreditToLookup

if TYPE_CHECKING:
    from compplan.engine import Result


def _source_attributes(result: Result, place_at: np.ndarray) -> dict[str, Any]:
    """The source-row columns of every credit (deal columns, account class...), each
    credit's value at its row ``place_at`` of the table.

    Each (plan, measure) fetches its credits' columns from its own tables; the pieces
    are put in place by position, column by column. Text pieces of one table share
    its categories, so they are placed as codes: no frame is stacked and no text copied.
    """
    c = result.credit_rows
    pieces: dict[str, list[tuple[np.ndarray, Any]]] = {}
    groups: dict[tuple[str, str], np.ndarray] = c.groupby(
        ["plan", "measure"], sort=False, observed=True).indices  # type: ignore[assignment]
    for (plan_id, measure), idx in groups.items():
        m = result.plans[str(plan_id)].measures[str(measure)]
        table = result.inputs.table(m.table)
        assert table is not None
        columns = [col for col in table.frame.columns if col != ROW_COLUMN]
        lookup = (result.inputs.table(m.credit_to.via)
                  if isinstance(m.credit_to, CreditToLookup) else None)
        if lookup is not None:
            columns += [col for col in lookup.frame.columns
                        if col not in columns and col != ROW_COLUMN]
        sub = c.iloc[idx]
        attrs = credit_columns(result.inputs, m, sub["source_idx"].to_numpy(dtype=np.int64),
                               sub["lookup_idx"].to_numpy(dtype=np.int64), columns)
        for col in attrs.columns:
            pieces.setdefault(col, []).append((place_at[idx], attrs[col].array))
    return {col: _place(parts, len(c)) for col, parts in pieces.items()}


def _place(parts: list[tuple[np.ndarray, Any]], n: int) -> Any:
    """One column of ``n`` rows from pieces at given positions; rows of no piece empty."""
    first = parts[0][1]
    if isinstance(first, pd.Categorical) and all(
            isinstance(v, pd.Categorical) and v.categories is first.categories for _, v in parts):
        codes = np.full(n, -1, dtype=first.codes.dtype)
        for idx, values in parts:
            codes[idx] = values.codes
        return pd.Categorical.from_codes(codes, dtype=first.dtype)  # type: ignore[call-overload]
    arrays = [(idx, np.asarray(values)) for idx, values in parts]
    kinds = {a.dtype for _, a in arrays}
    dtype = kinds.pop() if len(kinds) == 1 and arrays[0][1].dtype.kind in "fMm" else (
        np.dtype(object))
    out = np.full(n, None if dtype.kind == "O" else np.nan, dtype=dtype)
    for idx, values in arrays:
        out[idx] = values
    return out


def credits_table(result: Result) -> pd.DataFrame:
    """The readable credits table (see the module docstring), by payee and date."""
    c = result.credit_rows
    labels = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    dates = c["credit_date"].to_numpy(dtype="datetime64[s]")
    order = _reading_order(c, dates)
    place_at = np.empty(len(c), dtype=np.int64)
    place_at[order] = np.arange(len(c))
    columns: dict[str, Any] = {
        "payee_id": c["payee_id"].array,
        "plan": c["plan"].array,
        "measure": c["measure"].array,
        "date": dates,
        "period": categorical(c["month"].to_numpy(dtype=np.int64), labels),
        "amount": c["credit_value"].to_numpy(dtype=np.float64),
        "split": c["credit_share"].to_numpy(dtype=np.float64),
        "kind": c["credit_kind"].array,
        "via": c["via"].array,
        "deal_id": c["deal_id"].array,
        "source_file": c["source_file"].array,
        "source_row": c["source_row"].to_numpy(),
    }
    columns = {col: values[order] for col, values in columns.items()}
    for col, values in _source_attributes(result, place_at).items():
        if col != "deal_id":
            columns[f"deal_{col}" if col in columns else col] = values
    return pd.DataFrame(columns, copy=False)


def _reading_order(c: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """Credits by payee, date, plan and measure (labels in their categories' order).

    One stable sort of a key packed into 64 bits when the ranks fit, else a lexsort.
    """
    keys = [_rank(c["payee_id"]), dates.astype(np.int64) // 86400, _rank(c["plan"]),
            _rank(c["measure"])]
    if len(dates) == 0:
        return np.arange(0)
    spans = [int(k.max() - k.min()) + 1 for k in keys]
    bits = [max(1, (span - 1).bit_length()) for span in spans]
    if sum(bits) > 62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(dates), dtype=np.int64)
    for key, width in zip(keys, bits, strict=True):
        packed = (packed << width) | (key - key.min())
    return np.argsort(packed, kind="stable")


def _rank(labels: pd.Series) -> np.ndarray:
    """Sort keys of a label column, in its categories' order (as ``sort_values`` has it)."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return np.asarray(labels.cat.codes, dtype=np.int64)
    return np.asarray(pd.Categorical(labels.array, ordered=True).codes, dtype=np.int64)
