"""The bundle of input tables one evaluation reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from compplan.errors import InputError, Issue
from compplan.inputs import fx as _fx  # noqa: F401 - registers the fx table's spec
from compplan.inputs.ingest import Table, load_table
from compplan.inputs.mapping import Mapping


@dataclass(frozen=True)
class Inputs:
    """Roster and deals, and the optional tables some plans need."""

    roster: Table
    deals: Table
    quotas: Table | None = None
    accounts: Table | None = None
    assignments: Table | None = None
    extra: dict[str, Table] = field(default_factory=dict)
    fx: Table | None = None
    """Exchange rates (``--fx``), read by :mod:`compplan.inputs.fx`."""
    draw_opening: dict[tuple[str, str], int] = field(default_factory=dict)
    """Draw balances owed from earlier years, in cents, by (payee, draw component id):
    what the payroll ledger carries into the year (:func:`compplan.ledger.draws.opening`)."""

    def table(self, name: str) -> Table | None:
        """A table by the name plans use for it (``deals``, ``accounts``, ...)."""
        known = {"roster": self.roster, "deals": self.deals, "quotas": self.quotas,
                 "accounts": self.accounts, "assignments": self.assignments, "fx": self.fx}
        return known.get(name, self.extra.get(name))

    def given(self) -> list[Table]:
        """Every data table given, in reading order (the FX rates are not data rows)."""
        return [t for t in (self.roster, self.deals, self.quotas, self.accounts,
                            self.assignments, *self.extra.values()) if t is not None]

    def warnings(self) -> list[Issue]:
        """What reading the tables warned about (a column mapped twice, a header hint...)."""
        return [w for table in self.given() for w in table.warnings]


def load_inputs(
    roster: Path | str,
    deals: Path | str,
    quotas: Path | str | None = None,
    accounts: Path | str | None = None,
    assignments: Path | str | None = None,
    extra: dict[str, Path | str] | None = None,
    mapping: Mapping | None = None,
    fx: Path | str | None = None,
) -> Inputs:
    """Load every given table, reporting the problems of all files together."""
    issues: list[Issue] = mapping.unknown_tables(extra or {}) if mapping is not None else []
    loaded: dict[str, Table | None] = {}
    named: dict[str, Path | str | None] = {"roster": roster, "deals": deals, "quotas": quotas,
                                          "accounts": accounts, "assignments": assignments,
                                          "fx": fx, **(extra or {})}
    for name, path in named.items():
        if path is None:
            loaded[name] = None
            continue
        try:
            loaded[name] = load_table(path, name, mapping)
        except InputError as exc:
            issues.extend(exc.issues)
    if issues:
        raise InputError(issues)
    base = ("roster", "deals", "quotas", "accounts", "assignments", "fx")
    roster_t, deals_t = loaded["roster"], loaded["deals"]
    assert roster_t is not None and deals_t is not None
    if not len(roster_t.frame):
        raise InputError([Issue(roster_t.file, "the roster has no rows: expected one row per "
                                "payee under the header", 2)])
    return Inputs(
        roster=roster_t,
        deals=deals_t,
        quotas=loaded["quotas"],
        accounts=loaded["accounts"],
        assignments=loaded["assignments"],
        extra={k: t for k, t in loaded.items() if k not in base and t is not None},
        fx=loaded["fx"],
    )
