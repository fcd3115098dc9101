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

from compplan.core.periods import OPEN_END, OPEN_START, Calendar
from compplan.engine.people import day_array
from compplan.inputs.bundle import Inputs

ROSTER_COLUMNS = ("payee_id", "name", "role", "manager_id", "base_salary", "target_incentive",
                  "quota")


def on_roster_plan(inputs: Inputs) -> np.ndarray:
    """Roster rows seated by their own ``plan`` column: all of them without an
    assignments file, else those the file does not name."""
    roster = inputs.roster.frame
    if inputs.assignments is None:
        return np.ones(len(roster), dtype=bool)
    return ~roster["payee_id"].isin(inputs.assignments.frame["payee_id"]).to_numpy()


def _assignment_rows(inputs: Inputs) -> pd.DataFrame:
    roster = inputs.roster.frame
    if inputs.assignments is None:
        return pd.DataFrame({
            "payee_id": roster["payee_id"].to_numpy(),
            "plan": roster["plan"].to_numpy(),
            "assigned_start": np.full(len(roster), OPEN_START),
            "assigned_end": np.full(len(roster), OPEN_END),
        })
    frame = inputs.assignments.frame
    unassigned = roster[on_roster_plan(inputs)]
    out = pd.DataFrame({
        "payee_id": frame["payee_id"].to_numpy(),
        "plan": frame["plan"].to_numpy(),
        "assigned_start": day_array(frame["start_date"], OPEN_START),
        "assigned_end": day_array(frame["end_date"], OPEN_END),
    })
    own = pd.DataFrame({  # payees the file does not name keep their roster plan
        "payee_id": unassigned["payee_id"].to_numpy(), "plan": unassigned["plan"].to_numpy(),
        "assigned_start": np.full(len(unassigned), OPEN_START),
        "assigned_end": np.full(len(unassigned), OPEN_END)})
    return pd.concat([out, own], ignore_index=True)


def build_seats(inputs: Inputs, calendar: Calendar) -> pd.DataFrame:
    """One row per seat with its interval clipped to the plan year.

    Pure shaping: the inputs are checked before (:mod:`compplan.engine.checks`); a seat
    on a plan id no plan has is kept here and refused there.
    """
    assigned = _assignment_rows(inputs)
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
    return seats
