"""The roster as arrays: payee codes, active intervals and managers, for fast lookups.

Credits refer to payees by their position in the roster (a code), so testing a credit
against its payee's interval, or walking up to a manager, is array indexing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.periods import OPEN_END, OPEN_START, Calendar
from compplan.inputs.bundle import Inputs

Codes = npt.NDArray[np.int64]
Days = npt.NDArray[np.datetime64]


def day_array(series: pd.Series, fill: np.datetime64) -> Days:
    """A date column as days, with empty cells replaced by ``fill``."""
    values = series.to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(values), fill, values)


def manager_cycles(manager: Codes) -> list[list[int]]:
    """Each loop in the manager hierarchy, as the positions on it (none: ``[]``).

    Walking up doubles the steps each round (a manager's manager's ... manager), so a
    roster of any size is checked in about log2(n) array steps; a payee still below
    someone after n steps is on a loop or under one. Only those are followed one by one.
    """
    n = len(manager)
    walk = manager.copy()
    steps = 1
    while steps < n and bool((walk >= 0).any()):
        walk = np.where(walk >= 0, walk[np.clip(walk, 0, None)], -1)
        steps *= 2
    cycles: list[list[int]] = []
    seen: set[int] = set()
    for start in np.flatnonzero(walk >= 0).tolist():  # positions on or under a loop
        at = int(walk[start])  # n or more steps up: on the loop itself
        if at in seen:
            continue
        loop = [at]
        nxt = int(manager[at])
        while nxt != at:
            loop.append(nxt)
            nxt = int(manager[nxt])
        seen.update(loop)
        cycles.append(loop)
    return cycles


@dataclass(frozen=True)
class People:
    """Roster ids with their active intervals and direct managers."""

    ids: pd.Index
    start: Days
    end: Days
    manager: Codes

    @classmethod
    def from_inputs(cls, inputs: Inputs) -> People:
        roster = inputs.roster.frame
        ids = pd.Index(roster["payee_id"].to_numpy(dtype=str))
        managers = roster["manager_id"].to_numpy(dtype=str) if "manager_id" in roster else (
            np.full(len(roster), "", dtype=str))
        return cls(ids, day_array(roster["start_date"], OPEN_START),
                   day_array(roster["end_date"], OPEN_END),
                   np.asarray(ids.get_indexer(managers), dtype=np.int64))

    def codes(self, payee_ids: npt.ArrayLike) -> Codes:
        """Roster position of each id; -1 for an id not in the roster."""
        wanted = pd.Index(np.asarray(payee_ids, dtype=str))
        return np.asarray(self.ids.get_indexer(wanted), dtype=np.int64)

    def names(self, codes: Codes) -> npt.NDArray[np.str_]:
        return np.asarray(self.ids.to_numpy(dtype=str)[codes], dtype=str)

    def reason_codes(self, codes: Codes, dates: Days, calendar: Calendar) -> Codes:
        """Why a credit cannot count for a payee on its date, as a code (0: it can).

        Codes index :meth:`reason_labels`; text is made only for the credits left out.
        """
        known = codes >= 0
        safe = np.where(known, codes, 0)
        dates = dates.astype("datetime64[D]")
        out = np.zeros(len(codes), dtype=np.int64)
        out[(dates < self.start[safe]) | (dates > self.end[safe])] = 3
        out[(dates < calendar.start) | (dates > calendar.end)] = 2
        out[~known] = 1
        return out

    @staticmethod
    def reason_labels(calendar: Calendar) -> npt.NDArray[np.str_]:
        return np.array(["", "payee not in roster", f"dated outside plan year {calendar.year}",
                          "payee not active on that date"])

    def reasons(self, codes: Codes, dates: Days, calendar: Calendar) -> npt.NDArray[np.str_]:
        """Why a credit cannot count for a payee on its date ('' when it can)."""
        return self.reason_labels(calendar)[self.reason_codes(codes, dates, calendar)]
