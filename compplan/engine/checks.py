"""The check stage: every check of the inputs against the plans, in one ordered list.

As beancount's ``VALIDATIONS``: each check is a small named function of what it
checks, returning its issues, never raising; :func:`run_checks` runs them all in one
place, so a run that stops says everything wrong with its inputs at once. Checks of a
cell (a date that is not a date) belong to reading a table (:mod:`compplan.inputs.ingest`);
checks of a plan alone to loading it (:mod:`compplan.plan.checks`).

To add a check: write ``def check_x(subject: Subject) -> list[Issue]`` here (or in the
module of its rule) and put it in :data:`CHECKS` where its messages should come.
Each check must stand on its own: it may not assume the checks before it passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from compplan.core.labels import among
from compplan.core.periods import OPEN_END, OPEN_START, Calendar
from compplan.engine.credits import first_of_each
from compplan.engine.exception_rows import exception_frame
from compplan.engine.pay_currency import check_pay_currencies
from compplan.engine.people import People, day_array, manager_cycles
from compplan.engine.plan_inputs import check_plan_inputs, used_plans
from compplan.engine.seat_quotas import unused_quota_rows
from compplan.engine.seats import build_seats, on_roster_plan
from compplan.errors import Issue
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import ROW_COLUMN
from compplan.schema import Plan


@dataclass(frozen=True)
class Subject:
    """What the checks look at: the plans, the inputs and the plan year; the seats are
    built once, for the checks that need them, and handed on to the engine."""

    plans: dict[str, Plan]
    inputs: Inputs
    calendar: Calendar

    @cached_property
    def used(self) -> list[Plan]:
        """The plans some payee is on."""
        return used_plans(self.plans, self.inputs)

    built_seats: pd.DataFrame | None = None

    @cached_property
    def seats(self) -> pd.DataFrame:
        """The seats of the year (given, or built from the inputs)."""
        return self.built_seats if self.built_seats is not None else build_seats(
            self.inputs, self.calendar)


Check = Callable[[Subject], list[Issue]]


def check_tables_and_columns(subject: Subject) -> list[Issue]:
    """Every table and column a used plan reads is given, of the type it reads."""
    return check_plan_inputs(subject.used, subject.inputs)


def check_pay_currency(subject: Subject) -> list[Issue]:
    """Each payee's pay currency is known when a run holds more than one."""
    return check_pay_currencies({p.plan: p for p in subject.used}, subject.inputs)


def check_roster_dates(subject: Subject) -> list[Issue]:
    """No one leaves before joining."""
    roster, file = subject.inputs.roster.frame, subject.inputs.roster.file
    start = day_array(roster["start_date"], OPEN_START)
    end = day_array(roster["end_date"], OPEN_END)
    return [Issue(file, "end_date is before start_date", None,
                  f"row {roster['_row'].iloc[i]}, end_date") for i in np.flatnonzero(end < start)]


def check_manager_hierarchy(subject: Subject) -> list[Issue]:
    """A loop of managers would roll a payee's credits up to the payee: refused."""
    inputs = subject.inputs
    roster = inputs.roster.frame
    people = People.from_inputs(inputs)
    issues = []
    for loop in manager_cycles(people.manager):
        chain = " -> ".join([*(people.ids[i] for i in loop), people.ids[loop[0]]])
        issues.append(Issue(inputs.roster.file, f"manager chain {chain} is a cycle: expected a "
                            "hierarchy that ends at someone with no manager", None,
                            f"row {roster['_row'].iloc[min(loop)]}, manager_id"))
    return issues


def check_roster_plans(subject: Subject) -> list[Issue]:
    """The roster's plan column names plans that exist (where the assignments do not)."""
    roster = subject.inputs.roster
    on_own = roster.frame[on_roster_plan(subject.inputs)]
    known = ", ".join(sorted(subject.plans))
    return [Issue(roster.file, f"unknown plan id {on_own['plan'].iloc[i]!r} (plans: {known})",
                  None, f"row {on_own['_row'].iloc[i]}, plan")
            for i in np.flatnonzero(~on_own["plan"].isin(list(subject.plans)).to_numpy())]


def check_assignments(subject: Subject) -> list[Issue]:
    """Each assignment names a roster payee and a plan that exists."""
    table, roster = subject.inputs.assignments, subject.inputs.roster.frame
    if table is None:
        return []
    frame = table.frame
    issues = [Issue(table.file, f"payee {frame['payee_id'].iloc[i]!r} is not in the roster",
                    None, f"row {frame['_row'].iloc[i]}, payee_id")
              for i in np.flatnonzero(~among(frame["payee_id"], roster["payee_id"]))]
    issues += [Issue(table.file, f"unknown plan id {frame['plan'].iloc[i]!r}", None,
                     f"row {frame['_row'].iloc[i]}, plan")
               for i in np.flatnonzero(~frame["plan"].isin(list(subject.plans)).to_numpy())]
    return issues


def check_assignment_overlaps(subject: Subject) -> list[Issue]:
    """One payee's assignments to one plan do not overlap (a credit needs one seat)."""
    table = subject.inputs.assignments
    if table is None:
        return []
    assigned = pd.DataFrame({
        "payee_id": table.frame["payee_id"].to_numpy(), "plan": table.frame["plan"].to_numpy(),
        "start": day_array(table.frame["start_date"], OPEN_START),
        "end": day_array(table.frame["end_date"], OPEN_END), "row": table.frame["_row"]})
    ordered = assigned.sort_values(["payee_id", "plan", "start"], kind="stable")
    same = ((ordered["payee_id"] == ordered["payee_id"].shift()) &
            (ordered["plan"] == ordered["plan"].shift())).to_numpy()
    overlap = same & (ordered["start"].to_numpy() <= ordered["end"].shift().to_numpy())
    bad = ordered[overlap]
    return [Issue(table.file, f"payee {payee!r} is assigned to {plan} twice over the same dates",
                  None, f"row {row}, start_date")
            for payee, plan, row in zip(bad["payee_id"], bad["plan"], bad["row"], strict=True)]


def check_required_quotas(subject: Subject) -> list[Issue]:
    """A payee seated in the year on a plan whose roster quota is required has one > 0."""
    seats, file = subject.seats, subject.inputs.roster.file
    issues = []
    for plan_id, plan in subject.plans.items():
        for measure, spec in plan.quotas.items():
            if spec.source != "roster" or not spec.required or spec.column not in seats:
                continue  # a missing column is check_tables_and_columns'
            on_plan = seats[(seats["plan"] == plan_id) & seats["in_year"]]
            bad = on_plan[~(on_plan[spec.column].astype("float64") > 0)]
            issues += [Issue(file, f"payee {payee!r} is on plan {plan_id} whose measure "
                           f"{measure!r} needs a quota > 0 in column {spec.column!r}", None,
                           f"row {row}, {spec.column}")
                       for payee, row in zip(bad["payee_id"], bad["_row"], strict=True)]
    return issues


def check_quota_currency(subject: Subject) -> list[Issue]:
    """A quotas file that states its currency states the plan's: a quota in euros
    measured against credits in dollars would be a wrong attainment."""
    table = subject.inputs.quotas
    if table is None or "currency" not in table.frame:
        return []
    frame, issues = table.frame, []
    for plan in subject.used:
        measures = [m for m, spec in plan.quotas.items() if spec.source == "file"]
        payees = subject.seats.loc[subject.seats["plan"] == plan.plan, "payee_id"]
        mine = frame[among(frame["measure"], measures) & among(frame["payee_id"], payees)]
        codes = mine["currency"].astype(str).to_numpy()
        bad = (codes != "") & (codes != plan.currency)
        if bad.any():
            row = int(mine["_row"].to_numpy()[bad][0])
            issues.append(Issue(table.file, f"quota in {codes[bad][0]}, but plan {plan.plan} "
                                f"measures in {plan.currency}: restate the quota in "
                                f"{plan.currency} (compplan quotas --currency)", None,
                                f"row {row}, currency"))
    return issues


CHECKS: tuple[Check, ...] = (
    check_tables_and_columns,
    check_pay_currency,
    check_roster_dates,
    check_manager_hierarchy,
    check_roster_plans,
    check_assignments,
    check_assignment_overlaps,
    check_required_quotas,
    check_quota_currency,
)
"""Every check of an evaluation's inputs, in the order their messages are printed."""


def run_checks(subject: Subject, checks: tuple[Check, ...] = CHECKS) -> list[Issue]:
    """Every issue of every check, in order (errors and warnings alike)."""
    return [issue for check in checks for issue in check(subject)]


Finding = Callable[[Subject], pd.DataFrame]


def find_split_shares(subject: Subject, tolerance: float = 1e-6) -> pd.DataFrame:
    """Deals whose split shares do not add up to 1: credited as given, but reported."""
    inputs = subject.inputs
    deals = inputs.deals.frame
    if "split_pct" not in deals.columns or "deal_id" not in deals.columns:
        return exception_frame(0)
    share = deals["split_pct"].fillna(1.0).to_numpy(dtype=np.float64)
    deal = inputs.deals.factor("deal_id").codes.astype(np.int64)
    total = np.bincount(deal, weights=share)[deal]
    off = np.flatnonzero(np.abs(total - 1.0) > tolerance)  # every row of such a deal
    bad = off[first_of_each(deal[off])]  # reported once, at its first row
    sub = deals[[ROW_COLUMN, "deal_id"]].iloc[bad]
    reasons = [f"split_pct of deal sums to {t:.6g}, not 1 (credited as given)"
               for t in total[bad]]
    return exception_frame(len(sub), file=inputs.deals.file, row=sub[ROW_COLUMN],
                           deal_id=sub["deal_id"], reason=reasons)


def find_unknown_managers(subject: Subject) -> pd.DataFrame:
    """A manager_id that is not in the roster: no roll-up to it, reported."""
    inputs = subject.inputs
    roster = inputs.roster.frame
    if "manager_id" not in roster:
        return exception_frame(0)
    bad = (roster["manager_id"] != "").to_numpy() & ~among(roster["manager_id"],
                                                           roster["payee_id"])
    sub = roster[bad]
    return exception_frame(len(sub), file=inputs.roster.file, row=sub["_row"],
                           payee_id=sub["payee_id"],
                           reason="manager_id " + sub["manager_id"].map(repr) +
                           " is not in the roster: no roll-up to it")


def find_unused_quotas(subject: Subject) -> pd.DataFrame:
    """Rows of the quotas file no plan reads (see :func:`unused_quota_rows`)."""
    return unused_quota_rows(subject.inputs, subject.plans, subject.seats, subject.calendar)


FINDINGS: tuple[Finding, ...] = (find_split_shares, find_unknown_managers, find_unused_quotas)
"""What is wrong with the inputs but does not stop a run: exception rows, in order
(each found when the run's exceptions are read: ``pipeline.input_exceptions``)."""

