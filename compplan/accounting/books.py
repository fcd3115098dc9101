"""From a run and a policy to the books: allocate, amortize, journal, roll forward."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compplan.accounting.allocate import allocate
from compplan.accounting.amortize import ASSET_COLUMNS, build_schedule
from compplan.accounting.files import Books
from compplan.accounting.journal import journal, rollforward
from compplan.core.file_guard import regular_file
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue
from compplan.schema.accounting import AccountingPolicy

OPENING_BYTES = 2_000_000_000


def books_of(result: Evaluation, policy: AccountingPolicy,
             opening: pd.DataFrame | None = None) -> Books:
    """Everything ``compplan amortize`` writes, for a run (and last year's assets)."""
    allocated = allocate(result, policy)
    schedule = build_schedule(result, policy, allocated, opening)
    roll = rollforward(schedule, policy, result.year)
    return Books(policy, result.year, allocated, schedule,
                 journal(schedule, policy, result.year, roll), roll)


def read_opening(path: Path) -> pd.DataFrame:
    """Last year's assets.csv, whose assets with a carrying amount left continue."""
    regular_file(path, OPENING_BYTES)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError([Issue(str(path), f"cannot read as CSV: {exc}")]) from None
    missing = [c for c in ASSET_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([Issue(str(path), f"no column {', '.join(map(repr, missing))}: "
                                           "--opening takes the assets.csv of a prior "
                                           "compplan amortize")])
    bad = pd.to_numeric(frame["carrying_end"], errors="coerce").isna()
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 2
        raise InputError([Issue(str(path), f"carrying_end {frame['carrying_end'].iloc[row - 2]!r}"
                                           ": expected an amount", row, "carrying_end")])
    return frame
