"""Exceptions: input rows and credits left out of the pay, each with its reason.

Every stage adds frames of exceptions; :func:`collect` stacks and de-duplicates them
(a row reported by two measures for the same reason is one exception).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

ExceptionPart = pd.DataFrame | Callable[[], pd.DataFrame]
"""A frame of exceptions, or how to make it: stages over millions of credits defer the
text (reasons, payee names) until someone reads the exceptions."""

EXCEPTION_COLUMNS = ["file", "row", "deal_id", "payee_id", "plan", "measure", "period", "date",
                     "value", "reason"]


def exception_frame(n: int, **columns: Any) -> pd.DataFrame:
    """A frame of ``n`` exceptions; scalars are broadcast, missing columns left empty."""
    if n == 0:
        return pd.DataFrame({col: pd.Series(dtype=float if col in ("row", "value") else object)
                             for col in EXCEPTION_COLUMNS})
    out: dict[str, Any] = {}
    for col in EXCEPTION_COLUMNS:
        value = columns.get(col, "" if col not in ("row", "value") else np.nan)
        if isinstance(value, pd.Series):
            value = value.array
        listed = isinstance(value, np.ndarray | list | pd.api.extensions.ExtensionArray)
        out[col] = value if listed else [value] * n
    return pd.DataFrame(out)


def labels_as_text(labels: pd.Categorical) -> np.ndarray:
    """Labels as plain text ('' where missing), taking only the categories used."""
    codes = np.asarray(labels.codes)
    text = labels.categories.take(np.clip(codes, 0, None)).to_numpy(dtype=object)
    return np.where(codes >= 0, text, "")


def made(part: ExceptionPart) -> pd.DataFrame:
    """The frame of an exception part, made now if it was deferred."""
    return part if isinstance(part, pd.DataFrame) else part()


def collect(parts: Sequence[ExceptionPart]) -> pd.DataFrame:
    """Stack exception frames, drop repeats of the same fact, sort for reading."""
    frames = [f for f in map(made, parts) if len(f)]
    if not frames:
        return exception_frame(0)
    out = pd.concat(_as_text_where_shared(frames), ignore_index=True)
    for col in out.columns:  # codes kept from the stages become text here
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = labels_as_text(out[col].array)
    days = pd.to_datetime(out["date"].replace("", None), errors="coerce")
    out["date"] = days.dt.strftime("%Y-%m-%d").fillna("")
    out["row"] = pd.to_numeric(out["row"], errors="coerce").astype("Int64")
    out = out.drop_duplicates(["file", "row", "payee_id", "date", "period", "reason"])
    return out.sort_values(["file", "row", "payee_id", "period"], kind="stable",
                           na_position="last").reset_index(drop=True)


def _as_text_where_shared(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames, with a label column every one of them holds as codes into the very
    same categories (a table's deal ids) turned to text first: ``pd.concat`` would hash
    those categories (millions of ids) to prove them equal, and the text is what
    :func:`collect` makes of them anyway."""
    shared = [col for col in frames[0].columns
              if isinstance(frames[0][col].dtype, pd.CategoricalDtype)
              and all(col in f and isinstance(f[col].dtype, pd.CategoricalDtype)
                      and f[col].cat.categories is frames[0][col].cat.categories
                      for f in frames)]
    if not shared:
        return frames
    return [f.assign(**{col: labels_as_text(f[col].array) for col in shared}) for f in frames]
