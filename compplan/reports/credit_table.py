"""The credits as people read them: one row per credit with its deal's own columns.

This is ``credits.csv`` and ``Result.credits``: who was credited, for which measure,
when, how much, through whom, from which file and row, followed by the source row's
columns (a name that clashes with ours gets a ``deal_`` prefix), by payee and date.

Millions of credits are written in batches of rows in that order
(:func:`credit_batches`), so a run never holds the whole readable table, its Arrow
copy and the engine's credits at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from compplan.core.labels import categorical
from compplan.engine.sources import credit_columns
from compplan.inputs.ingest import ROW_COLUMN
from compplan.schema import CreditToLookup, Measure

if TYPE_CHECKING:
    from compplan.engine.result import Evaluation

BATCH_ROWS = 1_000_000


def _groups(result: Evaluation) -> tuple[np.ndarray, list[tuple[Measure, list[str]]]]:
    """Each credit's (plan, measure) group, and per group the measure and the columns
    it shows (its table's, and its lookup table's)."""
    c = result.credit_rows
    plan, measure = pd.Categorical(c["plan"].array), pd.Categorical(c["measure"].array)
    width = max(len(measure.categories), 1)
    key = plan.codes.astype(np.int64) * width + measure.codes
    found, group = np.unique(key, return_inverse=True)
    sources = []
    for k in found:
        m = result.plans[str(plan.categories[k // width])].measures[
            str(measure.categories[k % width])]
        table = result.inputs.table(m.table)
        assert table is not None
        columns = [col for col in table.frame.columns if col != ROW_COLUMN]
        lookup = (result.inputs.table(m.credit_to.via)
                  if isinstance(m.credit_to, CreditToLookup) else None)
        if lookup is not None:
            columns += [col for col in lookup.frame.columns
                        if col not in columns and col != ROW_COLUMN]
        sources.append((m, columns))
    return np.asarray(group, dtype=np.int64).reshape(-1), sources


def _source_attributes(result: Evaluation, rows: np.ndarray, group: np.ndarray,
                       sources: list[tuple[Measure, list[str]]]) -> dict[str, Any]:
    """The source-row columns (deal columns, account class...) of the credits at
    ``rows``, in that order.

    Each (plan, measure) fetches its credits' columns from its own tables; the pieces
    are put in place by position, column by column. Text pieces of one table share
    its categories, so they are placed as codes: no frame is stacked and no text copied.
    """
    c = result.credit_rows
    source_idx = c["source_idx"].to_numpy(dtype=np.int64)
    lookup_idx = c["lookup_idx"].to_numpy(dtype=np.int64)
    pieces: dict[str, list[tuple[np.ndarray, Any]]] = {}
    mine = group[rows]
    for g, (m, columns) in enumerate(sources):
        at = np.flatnonzero(mine == g)
        picked = rows[at]
        attrs = credit_columns(result.inputs, m, source_idx[picked], lookup_idx[picked],
                               columns)
        for col in attrs.columns:  # every group, even absent: same columns in each batch
            pieces.setdefault(col, []).append((at, attrs[col].array))
    return {col: _place(parts, len(rows)) for col, parts in pieces.items()}


def _place(parts: list[tuple[np.ndarray, Any]], n: int) -> Any:
    """One column of ``n`` rows from pieces at given positions; rows of no piece empty.

    Pieces of one table's text share its categories and are placed as codes; a column
    whose pieces differ in kind (text here, numbers there) is plain objects.
    """
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


def credit_batches(result: Evaluation, rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The readable credits table (see the module docstring), ``rows`` (default
    :data:`BATCH_ROWS`) at a time."""
    rows = rows or BATCH_ROWS
    c = result.credit_rows
    labels = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    dates = c["credit_date"].to_numpy(dtype="datetime64[s]")
    order = _reading_order(c, dates)
    front: dict[str, Any] = {
        "payee_id": c["payee_id"].array,
        "plan": c["plan"].array,
        "measure": c["measure"].array,
        "date": dates,
        "period": categorical(c["month"].to_numpy(dtype=np.int64), labels),
        "amount": c["credit_value"].to_numpy(dtype=np.float64),
        **_rate_column(result),
        "split": c["credit_share"].to_numpy(dtype=np.float64),
        "kind": c["credit_kind"].array,
        "via": c["via"].array,
        "deal_id": c["deal_id"].array,
        "source_file": c["source_file"].array,
        "source_row": c["source_row"].to_numpy(),
    }
    group, sources = _groups(result)
    for start in range(0, max(len(c), 1), max(rows, 1)):
        take = order[start:start + rows]
        columns = {col: values[take] for col, values in front.items()}
        for col, values in _source_attributes(result, take, group, sources).items():
            if col != "deal_id":
                columns[f"deal_{col}" if col in columns else col] = values
        yield pd.DataFrame(columns, copy=False)


def _rate_column(result: Evaluation) -> dict[str, Any]:
    """``fx_rate`` (the deal's currency into the plan's) when a credited table carries
    currencies: the credit's amount is the deal's (``deal_amount``, in ``currency``)
    times its split and this rate."""
    tables = {m.table for plan in result.plans.values() for m in plan.measures.values()
              if not m.derived}
    carried = any("currency" in t.frame for name in tables
                  if (t := result.inputs.table(name)) is not None)
    if not carried or "fx_rate" not in result.credit_rows:
        return {}
    return {"fx_rate": result.credit_rows["fx_rate"].to_numpy(dtype=np.float64)}


def credits_table(result: Evaluation) -> pd.DataFrame:
    """The whole readable credits table, in one frame."""
    return next(credit_batches(result, rows=max(len(result.credit_rows), 1)))


def _reading_order(c: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """Credits by payee, date, plan and measure (labels in their categories' order).

    One stable sort of a key packed into 64 bits when the ranks fit, else a lexsort.
    """
    if len(dates) == 0:
        return np.arange(0)
    keys = [_rank(c["payee_id"]), dates.astype(np.int64) // 86400, _rank(c["plan"]),
            _rank(c["measure"])]
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
