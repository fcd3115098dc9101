"""The canonical input tables: their columns and types.

Column names follow the run contract (``docs/reference-plans.md``). A table may carry
more columns than listed (a CRM export always does); plans can filter on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "date", "number"]

MONEY = 1e12
"""The largest amount a cell may hold (a trillion): no deal, salary or quota is larger,
and money stays exact to the cent in float64 far beyond any sum of such amounts. A
larger value (1e308 in a CRM export) is an input error, not a payout."""


CURRENCY = r"[A-Z]{3}"


@dataclass(frozen=True)
class TableSpec:
    """Required and optional columns of one input table, with their types."""

    name: str
    required: dict[str, ColumnType]
    optional: dict[str, ColumnType] = field(default_factory=dict)
    key: tuple[str, ...] = ()  # with key_extra columns when the file has them
    key_extra: tuple[str, ...] = ()
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    patterns: dict[str, tuple[str, str]] = field(default_factory=dict)  # regex, in words
    duplicate_hint: str = ""
    filled: tuple[str, ...] = ()  # columns (of any type) whose cells must not be empty
    blank_when_missing: bool = False
    """Whether a missing optional column reads as blank cells. Only for tables no plan
    reads (the quota planner's, whose optional columns have documented defaults): a
    column a plan reads is never blank by accident (:mod:`compplan.engine.plan_inputs`)."""

    def types(self) -> dict[str, ColumnType]:
        return {**self.required, **self.optional}


ROSTER = TableSpec(
    "roster",
    required={"payee_id": "str", "plan": "str", "start_date": "date", "end_date": "date"},
    optional={  # start and end decide every payee's pay: empty cells are open-ended
        "name": "str",
        "role": "str",
        "manager_id": "str",
        "base_salary": "number",
        "target_incentive": "number",
        "quota": "number",
        "currency": "str",
    },
    key=("payee_id",),
    bounds={"base_salary": (0, MONEY), "target_incentive": (0, MONEY), "quota": (0, MONEY)},
    duplicate_hint="; a payee on a second plan goes in --assignments",
    patterns={"currency": (CURRENCY, "an ISO 4217 code (EUR), or empty for the plan's")},
)

DEALS = TableSpec(
    "deals",
    required={"deal_id": "str", "owner_id": "str", "amount": "number"},
    optional={
        "split_pct": "number",
        "margin": "number",
        "stage": "str",
        "created_date": "date",
        "close_date": "date",
        "cancel_date": "date",
        "term_months": "number",
        "account_id": "str",
        "sdr_id": "str",
        "currency": "str",
    },
    bounds={"split_pct": (0, 1), "term_months": (0, None), "amount": (-MONEY, MONEY),
            "margin": (-MONEY, MONEY)},
    patterns={"currency": (CURRENCY, "an ISO 4217 code (EUR), or empty for the plan's")},
)

QUOTAS = TableSpec(
    "quotas",
    required={"payee_id": "str", "measure": "str", "period": "str", "quota": "number"},
    optional={"territory_id": "str", "currency": "str"},
    key=("payee_id", "measure", "period"),
    key_extra=("territory_id",),
    bounds={"quota": (0, MONEY)},
    patterns={"period": (r"\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?",
                         "a month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY)")},
)

ACCOUNTS = TableSpec(
    "accounts",
    required={"account_id": "str"},
    optional={"kam_id": "str", "class": "str"},  # an account with no kam_id has no owner
    key=("account_id",),
)

ASSIGNMENTS = TableSpec(
    "assignments",
    required={"payee_id": "str", "plan": "str", "start_date": "date", "end_date": "date"},
)  # dates decide pay: an empty cell is open-ended, a missing column is an error

SPECS: dict[str, TableSpec] = {
    spec.name: spec for spec in (ROSTER, DEALS, QUOTAS, ACCOUNTS, ASSIGNMENTS)
}


def register(spec: TableSpec) -> None:
    """Make a table spec known to :func:`spec_for` (planning tables register theirs)."""
    SPECS[spec.name] = spec


def spec_for(name: str) -> TableSpec:
    """The spec of a named table; other tables (activities, KPIs) are free-form."""
    return SPECS.get(name, TableSpec(name, required={}))
