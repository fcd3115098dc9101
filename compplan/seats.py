"""Seats: who is on which plan, and when.

A seat is one payee on one plan for one interval: the payee's active interval
(roster ``start_date``..``end_date``) intersected with the plan assignment (the
assignments file, or the roster's ``plan`` column for the whole active interval).
A payee who changes plan mid-year has two seats and is paid by each for its own
dates; an overlay plan is simply a second, overlapping seat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.errors import InputError, Issue, raise_if
from compplan.inputs import Inputs
from compplan.people import People, day_array, manager_cycles
from compplan.periods import OPEN_END, OPEN_START, Calendar
from compplan.schema import Plan

ROSTER_COLUMNS = ("payee_id", "name", "role", "manager_id", "base_salary", "target_incentive",
                  "quota")


def _check_roster(inputs: Inputs, plans: dict[str, Plan]) -> list[Issue]:
    roster, file = inputs.roster.frame, inputs.roster.file
    issues = []
    start = day_array(roster["start_date"], OPEN_START)
    end = day_array(roster["end_date"], OPEN_END)
    for i in np.flatnonzero(end < start):
        issues.append(Issue(file, "end_date is before start_date", None,
                            f"row {roster['_row'].iloc[i]}, end_date"))
    issues.extend(_check_hierarchy(inputs))
    on_own = roster[_on_roster_plan(inputs)]  # the rows whose plan column is used
    for i in np.flatnonzero(~on_own["plan"].isin(list(plans)).to_numpy()):
        known = ", ".join(sorted(plans))
        issues.append(Issue(file, f"unknown plan id {on_own['plan'].iloc[i]!r} (plans: {known})",
                            None, f"row {on_own['_row'].iloc[i]}, plan"))
    return issues


def _on_roster_plan(inputs: Inputs) -> np.ndarray:
    """Roster rows seated by their own ``plan`` column: all of them without an
    assignments file, else those the file does not name."""
    roster = inputs.roster.frame
    if inputs.assignments is None:
        return np.ones(len(roster), dtype=bool)
    return ~roster["payee_id"].isin(inputs.assignments.frame["payee_id"]).to_numpy()


def _check_hierarchy(inputs: Inputs) -> list[Issue]:
    """A loop of managers would roll a payee's credits up to the payee: refused."""
    roster = inputs.roster.frame
    people = People.from_inputs(inputs)
    ids, issues = people.ids, []
    for loop in manager_cycles(people.manager):
        chain = " -> ".join([*(ids[i] for i in loop), ids[loop[0]]])
        first = min(loop)
        issues.append(Issue(inputs.roster.file, f"manager chain {chain} is a cycle: expected a "
                            "hierarchy that ends at someone with no manager", None,
                            f"row {roster['_row'].iloc[first]}, manager_id"))
    return issues


def _assignment_rows(inputs: Inputs,
                     plans: dict[str, Plan]) -> tuple[pd.DataFrame, list[Issue]]:
    roster = inputs.roster.frame
    if inputs.assignments is None:
        return pd.DataFrame({
            "payee_id": roster["payee_id"].to_numpy(),
            "plan": roster["plan"].to_numpy(),
            "assigned_start": np.full(len(roster), OPEN_START),
            "assigned_end": np.full(len(roster), OPEN_END),
        }), []
    table = inputs.assignments
    frame, issues = table.frame, []
    unassigned = roster[_on_roster_plan(inputs)]
    for i in np.flatnonzero(~frame["payee_id"].isin(roster["payee_id"]).to_numpy()):
        issues.append(Issue(table.file,
                            f"payee {frame['payee_id'].iloc[i]!r} is not in the roster",
                            None, f"row {frame['_row'].iloc[i]}, payee_id"))
    for i in np.flatnonzero(~frame["plan"].isin(list(plans)).to_numpy()):
        issues.append(Issue(table.file, f"unknown plan id {frame['plan'].iloc[i]!r}", None,
                            f"row {frame['_row'].iloc[i]}, plan"))
    out = pd.DataFrame({
        "payee_id": frame["payee_id"].to_numpy(),
        "plan": frame["plan"].to_numpy(),
        "assigned_start": day_array(frame["start_date"], OPEN_START),
        "assigned_end": day_array(frame["end_date"], OPEN_END),
        "_row": frame["_row"].to_numpy(),
    })
    issues.extend(_check_overlaps(out, table.file))
    own = pd.DataFrame({  # payees the file does not name keep their roster plan
        "payee_id": unassigned["payee_id"].to_numpy(), "plan": unassigned["plan"].to_numpy(),
        "assigned_start": np.full(len(unassigned), OPEN_START),
        "assigned_end": np.full(len(unassigned), OPEN_END)})
    return pd.concat([out.drop(columns=["_row"]), own], ignore_index=True), issues


def _check_overlaps(assigned: pd.DataFrame, file: str) -> list[Issue]:
    """One payee's assignments to one plan must not overlap (a credit needs one seat)."""
    ordered = assigned.sort_values(["payee_id", "plan", "assigned_start"], kind="stable")
    same = ((ordered["payee_id"] == ordered["payee_id"].shift()) &
            (ordered["plan"] == ordered["plan"].shift())).to_numpy()
    previous_end = ordered["assigned_end"].shift().to_numpy()
    overlap = same & (ordered["assigned_start"].to_numpy() <= previous_end)
    bad = ordered[overlap]
    return [Issue(file, f"payee {payee!r} is assigned to {plan} twice over the same dates",
                  None, f"row {row}, start_date")
            for payee, plan, row in zip(bad["payee_id"], bad["plan"], bad["_row"], strict=True)]


def _check_required_quotas(seats: pd.DataFrame, plans: dict[str, Plan], file: str) -> list[Issue]:
    issues = []
    for plan_id, plan in plans.items():
        for measure, spec in plan.quotas.items():
            if spec.source != "roster" or not spec.required:
                continue
            on_plan = seats[(seats["plan"] == plan_id) & seats["in_year"]]
            quota = on_plan[spec.column] if spec.column in on_plan else pd.Series(dtype=float)
            bad = on_plan[~(quota.astype("float64") > 0)]
            for _, row in bad.iterrows():  # only the offending rows: an error path
                issues.append(Issue(
                    file,
                    f"payee {row['payee_id']!r} is on plan {plan_id} whose measure {measure!r} "
                    f"needs a quota > 0 in column {spec.column!r}",
                    None, f"row {row['_row']}, {spec.column}"))
    return issues


def build_seats(inputs: Inputs, plans: dict[str, Plan], calendar: Calendar) -> pd.DataFrame:
    """One row per seat with its interval clipped to the plan year."""
    issues = _check_roster(inputs, plans)
    assigned, more = _assignment_rows(inputs, plans)
    issues.extend(more)
    raise_if(issues, InputError)
    roster = inputs.roster.frame
    keep = [c for c in roster.columns if c not in ("plan", "start_date", "end_date")]
    people = roster[keep].assign(active_start=day_array(roster["start_date"], OPEN_START),
                                 active_end=day_array(roster["end_date"], OPEN_END))
    seats = assigned.merge(people, on="payee_id", how="inner", validate="many_to_one")
    seats["start"] = np.maximum(seats["active_start"].to_numpy(),
                                seats["assigned_start"].to_numpy())
    seats["end"] = np.minimum(seats["active_end"].to_numpy(), seats["assigned_end"].to_numpy())
    seats["start"] = np.maximum(seats["start"].to_numpy(), calendar.start)
    seats["end"] = np.minimum(seats["end"].to_numpy(), calendar.end)
    seats["in_year"] = (seats["start"] <= seats["end"]).to_numpy()
    seats = seats.sort_values(["plan", "payee_id", "start"], kind="stable").reset_index(drop=True)
    raise_if(_check_required_quotas(seats, plans, inputs.roster.file), InputError)
    return seats
