"""Territory inputs: potential, last year, capacity, hire date; manager overrides."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compplan.errors import InputError, Issue, raise_if
from compplan.inputs.ingest import Table
from compplan.inputs.tables import MONEY, TableSpec, register

TERRITORIES = TableSpec(
    "territories",
    required={"territory_id": "str", "payee_id": "str", "potential": "number",
              "last_year": "number"},
    optional={"capacity": "number", "start_date": "date", "region": "str", "segment": "str"},
    key=("territory_id",),
    bounds={"potential": (0, MONEY), "last_year": (0, MONEY), "capacity": (0, MONEY)},
    filled=("potential", "last_year"),  # a new territory's last year is 0, never blank
    blank_when_missing=True,  # documented defaults; no plan reads it
)

OVERRIDES = TableSpec(
    "overrides",
    required={"territory_id": "str", "quota": "number"},
    optional={"reason": "str"},
    key=("territory_id",),
    bounds={"quota": (0, MONEY)},
    filled=("quota",),
    blank_when_missing=True,  # documented defaults; no plan reads it
)


register(TERRITORIES)
register(OVERRIDES)


@dataclass(frozen=True)
class Territories:
    """Territory arrays in a fixed order, with the manager overrides aligned to them."""

    frame: pd.DataFrame
    fixed: np.ndarray  # fixed annual quota, NaN where free
    reasons: np.ndarray

    @property
    def size(self) -> int:
        return len(self.frame)


def prepare(table: Table, overrides: Table | None) -> Territories:
    """Check territories and align overrides; every problem at once."""
    frame = table.frame.reset_index(drop=True)
    issues = []
    if frame.empty:
        issues.append(Issue(table.file, "no territories"))
    if not issues and frame["potential"].sum() <= 0:
        issues.append(Issue(table.file, "potential sums to 0: nothing to share the target by",
                            None, "potential"))
    fixed = np.full(len(frame), np.nan)
    reasons = np.full(len(frame), "", dtype=object)
    if overrides is not None:
        o = overrides.frame
        pos = pd.Index(frame["territory_id"]).get_indexer(o["territory_id"])
        for i in np.flatnonzero(pos < 0):
            issues.append(Issue(overrides.file, f"territory {o['territory_id'].iloc[i]!r} is "
                                "not in the territories file", None,
                                f"row {o['_row'].iloc[i]}, territory_id"))
        ok = pos >= 0
        fixed[pos[ok]] = o["quota"].to_numpy(dtype=np.float64)[ok]
        if "reason" in o:
            reasons[pos[ok]] = o["reason"].to_numpy()[ok]
    raise_if(issues, InputError)
    return Territories(frame, fixed, reasons)
