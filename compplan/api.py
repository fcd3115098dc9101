"""The Python API for notebooks and scripts: the same functions the CLI calls.

>>> import compplan
>>> sorted(compplan.load_plans("plans"))  # doctest: +SKIP
['ae-2026', 'kam-2026', 'mgr-2026', 'partner-2026', 'sdr-2026']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compplan.engine import Result
from compplan.engine import evaluate as _evaluate
from compplan.ingest import Table, load_table, table_from_frame
from compplan.inputs import Inputs, load_inputs
from compplan.loader import load_plans
from compplan.mapping import load_mapping
from compplan.schema import Plan

TableLike = pd.DataFrame | Path | str | Table


def _table(value: TableLike | None, name: str) -> Table | None:
    if value is None or isinstance(value, Table):
        return value
    if isinstance(value, pd.DataFrame):
        return table_from_frame(value, name)
    return load_table(value, name)


def evaluate(
    plans: dict[str, Plan] | Path | str,
    roster: TableLike,
    deals: TableLike,
    year: int,
    quotas: TableLike | None = None,
    accounts: TableLike | None = None,
    assignments: TableLike | None = None,
    tables: dict[str, TableLike] | None = None,
) -> Result:
    """Evaluate plans on frames or files; return payouts, credits, exceptions, explain()."""
    loaded = plans if isinstance(plans, dict) else load_plans(plans)
    roster_t, deals_t = _table(roster, "roster"), _table(deals, "deals")
    assert roster_t is not None and deals_t is not None
    inputs = Inputs(
        roster=roster_t,
        deals=deals_t,
        quotas=_table(quotas, "quotas"),
        accounts=_table(accounts, "accounts"),
        assignments=_table(assignments, "assignments"),
        extra={k: t for k, v in (tables or {}).items() if (t := _table(v, k)) is not None},
    )
    return _evaluate(loaded, inputs, year)


__all__ = ["Result", "evaluate", "load_inputs", "load_mapping", "load_plans"]
