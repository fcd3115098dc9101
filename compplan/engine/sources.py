"""The input tables as the credit stage reads them: arrays computed once per run.

:class:`Sources` factorizes payee columns against the roster, maps rows to their
lookup table (accounts) and deal ids, once per table, shared by every measure and
thread. :func:`credit_columns` fetches any other attribute of a credit from its source
or lookup row when a filter, a report or explain needs it: credit rows themselves carry
numbers only.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.memo import Memo
from compplan.engine.credit_parts import repeated
from compplan.engine.filters import UnknownColumnError
from compplan.engine.people import People
from compplan.inputs.bundle import Inputs
from compplan.inputs.fx import FxTable
from compplan.inputs.ingest import Table
from compplan.schema import CreditToLookup, Measure

Codes = npt.NDArray[np.int64]


class Sources:
    """Per-table arrays computed once per run and shared by every measure.

    Text columns stay in the tables; credits refer to them by position, and payee
    columns are factorized once and mapped to roster codes.
    """

    def __init__(self, inputs: Inputs, people: People) -> None:
        self.inputs = inputs
        self.people = people
        self._payees: Memo[tuple[Codes, Codes, npt.NDArray[np.str_]]] = Memo()
        self._lookups: Memo[Codes] = Memo()
        self._days: Memo[npt.NDArray[np.datetime64]] = Memo()
        self.valued: Memo[tuple[dict[str, np.ndarray], list[tuple[Codes, str]]]] = Memo()
        """Valued credits shared by measures that read the same rows the same way."""
        self.selected: Memo[tuple[Codes, Codes, Codes, Codes]] = Memo()
        """Rows and payees shared by measures that pick the same rows for the same payees."""
        self.users: Counter[str] = Counter()
        """How many measures will still ask for each shared value: at none it is
        forgotten, so a shared batch is held no longer than an unshared one was."""
        self._users_lock = threading.Lock()
        self.fx = FxTable.from_table(inputs.fx)

    def done_with(self, memo: Memo[Any], key: str) -> None:
        """One user of a shared value is done with it; the last one frees it."""
        with self._users_lock:
            self.users[key] -= 1
            last = self.users[key] <= 0
        if last:
            memo.forget(key)

    def table(self, name: str) -> Table:
        table = self.inputs.table(name)
        assert table is not None
        return table

    def payees(self, table: str, column: str) -> tuple[Codes, Codes, npt.NDArray[np.str_]]:
        """Per row: roster code of the payee named in ``column`` (-1 unknown, -2 empty),
        the row's factor code, and the distinct names."""
        def compute() -> tuple[Codes, Codes, npt.NDArray[np.str_]]:
            cat = self.table(table).factor(column)
            factor = cat.codes.astype(np.int64)
            names = np.asarray(cat.categories.to_numpy(dtype=str), dtype=str)
            roster = self.people.codes(names)
            roster = np.where(names == "", -2, roster)
            return np.asarray(roster[factor], dtype=np.int64), factor, names

        return self._payees.get((table, column), compute)

    def days(self, table: str, column: str) -> npt.NDArray[np.datetime64]:
        """A date column as days, converted once per run (measures of several plans
        date their credits by the same column)."""
        return self._days.get((table, column), lambda: self.table(table).frame[
            column].to_numpy(dtype="datetime64[D]"))

    def lookup_rows(self, m: Measure) -> Codes:
        """Row of the lookup table each source row maps to (-1: none)."""
        table = self.table(m.table)
        if not isinstance(m.credit_to, CreditToLookup):
            return repeated(np.int64(-1), len(table.frame))
        to = m.credit_to

        def compute() -> Codes:
            look = self.table(to.via).frame
            usable = (look[to.column] != "").to_numpy() & ~look[to.key].duplicated(
                keep="first").to_numpy()
            positions = np.flatnonzero(usable)
            if len(positions) == 0:  # nobody owns anything: every row maps to none
                return np.full(len(table.frame), -1, dtype=np.int64)
            keys = pd.Index(look[to.key].to_numpy()[positions])
            rows = table.factor(to.key)  # look each distinct key up once
            hit = np.append(keys.get_indexer(rows.categories), -1)[rows.codes]
            return np.asarray(np.where(hit >= 0, positions[np.clip(hit, 0, None)], -1),
                              dtype=np.int64)

        return self._lookups.get((m.table, to.via, to.key, to.column), compute)


def credit_columns(inputs: Inputs, m: Measure, source_idx: npt.NDArray[np.int64],
                   lookup_idx: npt.NDArray[np.int64], columns: list[str]) -> pd.DataFrame:
    """Attributes of credits, fetched from their source row or their lookup row."""
    table = inputs.table(m.table)
    assert table is not None
    lookup = (inputs.table(m.credit_to.via) if isinstance(m.credit_to, CreditToLookup)
              else None)
    out: dict[str, object] = {}
    for col in columns:
        if col in table.frame.columns:
            out[col] = _take(table, col, source_idx)
        elif lookup is not None and col in lookup.frame.columns:
            out[col] = _take(lookup, col, np.clip(lookup_idx, 0, None))
        else:
            raise UnknownColumnError(col)
    return pd.DataFrame(out)


def _take(table: Table, column: str, rows: npt.NDArray[np.int64]) -> object:
    """A column's values at rows; text as a categorical (codes taken, no text copied)."""
    values = table.frame[column]
    if pd.api.types.is_string_dtype(values.dtype):
        return table.factor(column).take(rows)
    return values.to_numpy()[rows]
