"""What a plan reads from the input tables, and the check that it is all there.

Nothing a plan reads is optional by accident: a roster without ``base_salary`` would
pay no salary, deals without ``cancel_date`` would claw nothing back, and both would
run with exit 0. So every table and column a used plan names (or reads by default:
``cancel_date``, ``target_incentive``, the active dates) must be in the inputs, or the
run stops before anything is computed, naming the file, the column, every plan field
that needs it and the closest header the file has. A plan makes a column optional
only by saying so (``clawback: {optional: true}``); columns no plan reads stay optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from compplan.errors import Issue
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import closest_hint
from compplan.schema import (
    Bonus,
    Commission,
    CreditToColumn,
    CreditToLookup,
    CreditToManager,
    LevelTable,
    Measure,
    PayoutCurve,
    Plan,
    RateTable,
    Salary,
    Spiff,
    Target,
)
from compplan.schema.expressions import names, parse
from compplan.schema.filters import filter_columns

Kind = str | None  # "number", "date", or None: any type


@dataclass(frozen=True)
class ColumnUse:
    """One column a plan field reads: from ``table``, or else from ``also`` (a lookup
    table, for filters and rate keys that may name its columns)."""

    table: str
    column: str
    need: str
    kind: Kind = None
    also: str | None = None


_HOLDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "number": (is_numeric_dtype, "numbers"), "date": (is_datetime64_any_dtype,
                                                      "dates (YYYY-MM-DD)")}


def _measure_uses(plan: Plan, name: str, m: Measure) -> Iterator[ColumnUse]:
    where = f"plan {plan.plan}, measures.{name}"
    if m.derived:  # reads other measures, not columns
        return
    assert m.date is not None and m.credit_to is not None
    lookup = m.credit_to.via if isinstance(m.credit_to, CreditToLookup) else None
    for col in sorted(filter_columns(m.filter)):
        yield ColumnUse(m.table, col, f"{where}.filter", None, lookup)
    if m.value is not None and m.value != "count":
        yield ColumnUse(m.table, m.value, f"{where}.value", "number")
    for col in names(parse(m.row)) if m.row is not None else ():
        yield ColumnUse(m.table, col, f"{where}.row", "number")
    yield ColumnUse(m.table, m.date, f"{where}.date", "date")
    if m.split:
        yield ColumnUse(m.table, m.split, f"{where}.split", "number")
    if m.once_per:
        yield ColumnUse(m.table, m.once_per, f"{where}.once_per")
    claw = m.clawback
    if claw is not None and not claw.optional:
        yield ColumnUse(m.table, claw.cancel_column, f"{where}.clawback.cancel_column", "date")
    if claw is not None and claw.prorate == "unserved_term":
        yield ColumnUse(m.table, claw.term_column, f"{where}.clawback.term_column", "number")
    to = m.credit_to
    if isinstance(to, CreditToColumn):
        yield ColumnUse(m.table, to.column, f"{where}.credit_to.column")
    elif isinstance(to, CreditToManager):
        yield ColumnUse(m.table, to.manager_of, f"{where}.credit_to.manager_of")
        yield ColumnUse("roster", "manager_id", f"{where}.credit_to (the roll-up)")
    elif isinstance(to, CreditToLookup):
        yield ColumnUse(m.table, to.key, f"{where}.credit_to.key")
        yield ColumnUse(to.via, to.key, f"{where}.credit_to.key")
        yield ColumnUse(to.via, to.column, f"{where}.credit_to.column")


def _target_use(where: str, target: Target | None) -> Iterator[ColumnUse]:
    if target is not None and target.amount is None and target.column:
        yield ColumnUse("roster", target.column, where, "number")


def _component_uses(plan: Plan) -> Iterator[ColumnUse]:
    for comp in plan.components:
        where = f"plan {plan.plan}, components.{comp.id}"
        if isinstance(comp, Salary):
            yield ColumnUse("roster", comp.column, f"{where}.column", "number")
        if isinstance(comp, Commission | PayoutCurve | Bonus | LevelTable):
            yield from _target_use(f"{where}.target.column", comp.target)
        cap = getattr(comp, "cap", None)
        if cap is not None and cap.target_multiple is not None:  # x the target, or the default
            yield from _target_use(f"{where}.cap.target_multiple",
                                   getattr(comp, "target", None) or Target())
        measure = plan.measures.get(getattr(comp, "measure", ""))
        if measure is None:
            continue
        lookup = measure.credit_to.via if isinstance(measure.credit_to, CreditToLookup) else None
        if isinstance(comp, RateTable):
            yield ColumnUse(measure.table, comp.key, f"{where}.key", None, lookup)
        if isinstance(comp, Spiff):
            for col in sorted(filter_columns(comp.filter)):
                yield ColumnUse(measure.table, col, f"{where}.filter", None, lookup)
        hold = getattr(comp, "hold", None)
        if hold is not None and hold.until_paid:
            yield ColumnUse(measure.table, hold.until_paid, f"{where}.hold.until_paid", "date")


def column_uses(plan: Plan) -> list[ColumnUse]:
    """Every column the plan reads, with the field that reads it."""
    uses: list[ColumnUse] = []  # the roster's active dates are required of every roster
    for name, m in plan.measures.items():
        uses.extend(_measure_uses(plan, name, m))
    for measure, spec in plan.quotas.items():
        where = f"plan {plan.plan}, quotas.{measure}"
        if spec.source == "roster":
            uses.append(ColumnUse("roster", spec.column, f"{where}.column", "number"))
        elif spec.source == "file":
            uses.append(ColumnUse("quotas", "quota", f"{where} (source: file)", "number"))
    uses.extend(_component_uses(plan))
    uses.extend(ColumnUse("roster", cap.target_column, f"plan {plan.plan}, caps[{k}]."
                          "target_column", "number")
                for k, cap in enumerate(plan.caps) if cap.target_multiple is not None)
    return uses


def used_plans(plans: dict[str, Plan], inputs: Inputs) -> list[Plan]:
    """The plans some payee is on: by the roster's plan column or the assignments."""
    named = set(inputs.roster.frame["plan"])
    if inputs.assignments is not None:
        named |= set(inputs.assignments.frame["plan"])
    return [plans[p] for p in sorted(named) if p in plans]


def check_plan_inputs(plans: list[Plan], inputs: Inputs) -> list[Issue]:
    """Every table and column the plans read is in the inputs, of the type they read.

    A missing column is one issue per file and column, naming every plan field that
    needs it, so that fixing the export once fixes every plan.
    """
    issues: list[Issue] = []
    missing: dict[tuple[str, str], list[str]] = {}
    for use in (u for plan in plans for u in column_uses(plan)):
        table = inputs.table(use.table)
        if table is None:
            issue = Issue(use.need, f"reads table {use.table!r}, which was not given "
                                    f"(pass --{use.table})")
            if issue not in issues:
                issues.append(issue)
            continue
        other = inputs.table(use.also) if use.also else None
        if use.column not in table.frame.columns:
            if other is None or use.column not in other.frame.columns:
                missing.setdefault((table.file, use.column), []).append(use.need)
            continue
        if use.kind is not None and not _HOLDS[use.kind][0](table.frame[use.column].dtype):
            issues.append(Issue(table.file, f"column {use.column!r} does not hold "
                                            f"{_HOLDS[use.kind][1]} (needed by {use.need})"))
    for (file, column), needs in missing.items():
        have = next(t for t in inputs.given() if t.file == file).frame.columns
        hint = closest_hint([column], [c for c in have if not str(c).startswith("_")])
        needed = "; ".join(dict.fromkeys(needs))
        issues.append(Issue(file, f"no column {column!r} (needed by {needed}){hint}", 1))
    return issues

