"""Conservation: every input row is credited, reported as an exception, or matched no rule.

A run proves it lost nothing by accounting for each row of every table its plans
credit from (deals, and any other table such as an activities export), with the
row's amount in cents. The three parts are found independently, from the credits and
from the exceptions, and must add up to the input exactly, rows and cents; a credit
or an exception that points at a row the input does not have is counted as a fault
too. The run prints the balance and keeps it in ``run.json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from compplan.core.currencies import decimals
from compplan.core.money import exact_sum, to_cents, to_minor
from compplan.engine.result import Evaluation
from compplan.inputs.ingest import ROW_COLUMN, Table


def grouped_cents(cents: int, decimals: int = 2) -> str:
    """Integer minor units as money with thousands separators, exactly (no float on
    the way); ``decimals`` places (yen none).

    >>> grouped_cents(123456789), grouped_cents(-5), grouped_cents(123456, 0)
    ('1,234,567.89', '-0.05', '123,456')
    """
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 10**decimals)
    return f"{sign}{whole:,}.{part:0{decimals}d}" if decimals else f"{sign}{whole:,}"


@dataclass(frozen=True)
class Balance:
    """One input table's rows and amount, split by what became of them."""

    table: str
    file: str
    rows: int
    cents: int
    credited_rows: int
    credited_cents: int
    excepted_rows: int
    excepted_cents: int
    unmatched_rows: int
    unmatched_cents: int
    unknown_rows: int  # credits or exceptions pointing at no row of the file
    currency: str = ""  # the rows of one currency, for a table with a currency column

    @property
    def ok(self) -> bool:
        """The parts add up to the input, to the row and the cent, and nothing is unknown."""
        return (self.rows == self.credited_rows + self.excepted_rows + self.unmatched_rows
                and self.cents == self.credited_cents + self.excepted_cents + self.unmatched_cents
                and self.unknown_rows == 0)

    def render(self) -> str:
        """One line for the run summary."""
        places = decimals(self.currency) if self.currency else 2
        money = dict(zip(("in", "cr", "ex", "un"), (grouped_cents(v, places) for v in (
            self.cents, self.credited_cents, self.excepted_cents, self.unmatched_cents)),
            strict=True))
        verdict = "balanced" if self.ok else (
            f"NOT BALANCED ({self.unknown_rows} unknown rows)" if self.unknown_rows
            else "NOT BALANCED")
        where = f"{self.file} [{self.currency}]" if self.currency else self.file
        return (f"{where}: {self.rows:,} rows, {money['in']} = credited "
                f"{self.credited_rows:,} ({money['cr']}) + exceptions {self.excepted_rows:,} "
                f"({money['ex']}) + no rule {self.unmatched_rows:,} ({money['un']}): {verdict}")

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def source_tables(result: Evaluation) -> list[Table]:
    """The tables the run's plans credit from, in a stable order."""
    used = sorted({m.table for plan_id in set(result.seats["plan"])
                   for m in result.plans[plan_id].measures.values() if not m.derived})
    tables = [result.inputs.table(name) for name in used]
    return [t for t in tables if t is not None]


def _references(result: Evaluation, table: Table) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``table`` the credits and the exceptions point at."""
    c = result.credit_rows
    credited = c.loc[(c["source_file"] == table.file).to_numpy(), "source_row"]
    exc = result.exceptions
    excepted = exc.loc[(exc["file"] == table.file).to_numpy(), "row"].dropna()
    return credited.to_numpy(dtype=np.int64), excepted.to_numpy(dtype=np.int64)


def _marks(rows: np.ndarray, refs: np.ndarray) -> tuple[np.ndarray, int]:
    """Which rows are referred to, and how many references point at no row.

    Row numbers are small integers (the spreadsheet's), so a lookup array finds each
    reference's row in one pass over millions of credits, without sorting them.
    """
    marked = np.zeros(len(rows), dtype=bool)
    if not len(refs):
        return marked, 0
    top = int(max(rows.max(initial=0), refs.max()))
    position = np.full(top + 1, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    found = position[np.clip(refs, 0, None)]
    found[refs < 0] = -1
    marked[found[found >= 0]] = True
    return marked, int(np.count_nonzero(found < 0))


def _statuses(result: Evaluation, table: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Credited and excepted masks over the rows, their cents, and unknown references."""
    rows = table.frame[ROW_COLUMN].to_numpy(dtype=np.int64)
    credited_at, excepted_at = _references(result, table)
    credited, unknown_c = _marks(rows, credited_at)
    excepted, unknown_e = _marks(rows, excepted_at)
    amount = (table.frame["amount"].to_numpy(dtype=np.float64) if "amount" in table.frame
              else np.zeros(len(rows)))
    return credited, excepted & ~credited, to_cents(amount), unknown_c + unknown_e


def row_status(result: Evaluation, table: Table) -> pd.DataFrame:
    """One row per input row: its status (credited wins over exception) and cents."""
    credited, excepted, cents, _ = _statuses(result, table)
    status = np.select([credited, excepted], ["credited", "exception"], default="no rule")
    return pd.DataFrame({"row": table.frame[ROW_COLUMN].to_numpy(), "status": status,
                         "cents": cents})


def balance_of(result: Evaluation, table: Table) -> list[Balance]:
    """The balance of one source table, from masks over its rows: one per currency
    when the table has a currency column (amounts of two currencies never add up;
    an empty cell is the plans' currency)."""
    credited, excepted, cents, unknown = _statuses(result, table)
    unmatched = ~credited & ~excepted
    if "currency" not in table.frame:
        return [_balance(table, np.ones(len(cents), dtype=bool), credited, excepted,
                         unmatched, cents, unknown, "")]
    codes = table.frame["currency"].astype(str).to_numpy()
    codes = np.where(codes == "", result.default_currency, codes)
    amount = table.frame["amount"].to_numpy(dtype=np.float64) if "amount" in table.frame \
        else np.zeros(len(codes))
    out = []
    for k, code in enumerate(sorted(set(codes.tolist()))):  # a handful of currencies
        mine = codes == code
        units = to_minor(np.where(mine, amount, 0.0), decimals(code))
        out.append(_balance(table, mine, credited, excepted, unmatched, units,
                            unknown if k == 0 else 0, code))
    return out


def _balance(table: Table, mine: np.ndarray, credited: np.ndarray, excepted: np.ndarray,
             unmatched: np.ndarray, units: np.ndarray, unknown: int, code: str) -> Balance:
    return Balance(
        table.name, table.file, int(mine.sum()), exact_sum(units[mine]),
        int((credited & mine).sum()), exact_sum(units[credited & mine]),
        int((excepted & mine).sum()), exact_sum(units[excepted & mine]),
        int((unmatched & mine).sum()), exact_sum(units[unmatched & mine]), unknown, code)


def balances(result: Evaluation) -> list[Balance]:
    """The balance of every table the run credits from (per currency)."""
    return [b for table in source_tables(result) for b in balance_of(result, table)]
