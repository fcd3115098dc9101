"""The credits as people read them: one row per credit with its deal's own columns.

This is ``credits.csv`` and ``Result.credits``: who was credited, for which measure,
when, how much, through whom, from which file and row, followed by the source row's
columns (a name that clashes with ours gets a ``deal_`` prefix).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from compplan.credits import credit_columns
from compplan.ingest import ROW_COLUMN
from compplan.labels import categorical
from compplan.schema import CreditToLookup

if TYPE_CHECKING:
    from compplan.engine import Result


def _source_attributes(result: Result) -> pd.DataFrame:
    """The source-row columns of every credit (deal columns, account class...)."""
    c = result.credit_rows
    parts = []
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
        parts.append(attrs.set_axis(idx))
    if not parts:
        return pd.DataFrame(index=c.index)
    return pd.concat(parts).sort_index()


def credits_table(result: Result) -> pd.DataFrame:
    """The readable credits table (see the module docstring)."""
    c = result.credit_rows
    labels = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    front = pd.DataFrame({
        "payee_id": c["payee_id"].array,
        "plan": c["plan"].array,
        "measure": c["measure"].array,
        "date": c["credit_date"].to_numpy(dtype="datetime64[s]"),
        "period": categorical(c["month"].to_numpy(dtype=np.int64), labels),
        "amount": c["credit_value"].to_numpy(dtype=np.float64),
        "split": c["credit_share"].to_numpy(dtype=np.float64),
        "kind": c["credit_kind"].array,
        "via": c["via"].array,
        "deal_id": c["deal_id"].array,
        "source_file": c["source_file"].array,
        "source_row": c["source_row"].to_numpy(),
    })
    rest = _source_attributes(result).reset_index(drop=True)
    rest = rest.drop(columns=[col for col in rest.columns if col == "deal_id"])
    rest = rest.rename(columns={col: f"deal_{col}" for col in rest.columns if col in front})
    out = pd.concat([front, rest], axis=1)
    return out.sort_values(["payee_id", "date", "plan", "measure"], kind="stable")
