"""Evaluate declarative filters over a whole table at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.schema import AllOf, AnyOf, Compare, NotOf
from compplan.schema.filters import Filter

Mask = npt.NDArray[np.bool_]


class UnknownColumnError(KeyError):
    """A filter names a column the table does not have."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


def _operand(column: pd.Series, value: Any) -> Any:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return pd.Timestamp(str(value))
    if pd.api.types.is_numeric_dtype(column.dtype):
        return float(value)
    return str(value)


def _compare(frame: pd.DataFrame, cmp: Compare) -> Mask:
    if cmp.column not in frame.columns:
        raise UnknownColumnError(cmp.column)
    col = frame[cmp.column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        # Test each distinct value once (and a missing one, code -1, last), then look
        # the answers up by code: millions of rows share a handful of stages.
        values = col.cat.categories
        distinct = pd.Series(values.append(pd.Index([None], dtype=values.dtype)))
        return _test(distinct, cmp)[col.cat.codes.to_numpy()]
    return _test(col, cmp)


def _test(col: pd.Series, cmp: Compare) -> Mask:
    mask = np.ones(len(col), dtype=bool)
    present = col.notna().to_numpy().copy()
    if not (pd.api.types.is_numeric_dtype(col.dtype) or
            pd.api.types.is_datetime64_any_dtype(col.dtype)):
        present &= (col.astype(str) != "").to_numpy()  # text: an empty cell is no value
    for op, value in cmp.tests():
        if op == "empty":
            test = ~present if value else present
        elif op in ("in_", "not_in"):
            hit = col.isin([_operand(col, v) for v in value]).to_numpy()
            test = hit if op == "in_" else ~hit
        elif op in ("eq", "ne"):
            hit = (col == _operand(col, value)).fillna(False).to_numpy(dtype=bool)
            test = hit if op == "eq" else ~hit
        else:
            operand = _operand(col, value)
            result = {"gt": col > operand, "gte": col >= operand,
                      "lt": col < operand, "lte": col <= operand}[op]
            test = result.fillna(False).to_numpy(dtype=bool) & present
        mask &= test
    return mask


def evaluate(flt: Filter | None, frame: pd.DataFrame) -> Mask:
    """Boolean mask of the rows a filter keeps (all rows for no filter)."""
    if flt is None:
        return np.ones(len(frame), dtype=bool)
    if isinstance(flt, AllOf):
        out = np.ones(len(frame), dtype=bool)
        for sub in flt.all:
            out &= evaluate(sub, frame)
        return out
    if isinstance(flt, AnyOf):
        out = np.zeros(len(frame), dtype=bool)
        for sub in flt.any:
            out |= evaluate(sub, frame)
        return out
    if isinstance(flt, NotOf):
        return ~evaluate(flt.not_, frame)
    return _compare(frame, flt)
