"""Conservation: every input row is credited, reported as an exception, or matched no rule.

A run can prove it lost nothing by accounting for each deal row and its amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.engine import Result
from compplan.inputs import Inputs

STATUSES = ("credited", "exception", "no rule")


def row_status(result: Result, inputs: Inputs) -> pd.DataFrame:
    """One row per deals row: its status and amount (credited wins over exception)."""
    deals = inputs.deals
    rows = deals.frame["_row"].to_numpy()
    c = result.credit_rows
    credited = np.isin(rows, c.loc[(c["source_file"] == deals.file).to_numpy(),
                                   "source_row"].to_numpy(dtype=np.int64))
    exc = result.exceptions
    excepted = np.isin(rows, exc.loc[exc["file"] == deals.file, "row"].dropna().to_numpy(
        dtype=np.int64))
    status = np.select([credited, excepted], ["credited", "exception"], default="no rule")
    return pd.DataFrame({"row": rows, "status": status,
                         "amount": deals.frame["amount"].to_numpy(dtype=np.float64)})


def balance(result: Result, inputs: Inputs) -> dict[str, float]:
    """Input amount total and its split by status; the parts add up to the total."""
    status = row_status(result, inputs)
    sums = status.groupby("status")["amount"].sum()
    out = {s: float(sums.get(s, 0.0)) for s in STATUSES}
    out["input"] = float(status["amount"].sum())
    out["rows"] = float(len(status))
    return out
