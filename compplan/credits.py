"""Credits: one row per value credited to a payee's measure.

For each plan measure the source rows are filtered, valued, dated and fanned out to
their beneficiary (a column of the row, the managers above a payee, or the owner in
a lookup table such as accounts); clawbacks add a reversing credit on the cancel
date. Each credit is then tested on its own date against the beneficiary's seats:
credits for a payee not in the roster, dated outside the plan year or outside the
payee's active interval become exceptions; credits for a payee on another plan simply
match no rule. Everything is column-wise: no loop over rows or payees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compplan.errors import InputError, Issue
from compplan.exceptions import exception_frame
from compplan.filters import UnknownColumnError, evaluate, filter_columns
from compplan.ingest import ROW_COLUMN
from compplan.inputs import Inputs
from compplan.periods import Calendar
from compplan.schema import CreditToColumn, CreditToLookup, CreditToManager, Measure, Plan
from compplan.seats import payee_intervals

CORE = ["payee_id", "plan", "measure", "seat", "credit_date", "month", "credit_value",
        "credit_share", "credit_kind", "via", "source_file", "source_row"]


@dataclass(frozen=True)
class Candidates:
    """Valued, dated credits before the seat test, with the exceptions found so far."""

    frame: pd.DataFrame
    exceptions: list[pd.DataFrame]


def _needed_columns(measure: Measure) -> list[tuple[str, str]]:
    cols = [(c, "filter") for c in sorted(filter_columns(measure.filter))]
    if measure.value != "count":
        cols.append((measure.value, "value"))
    cols.append((measure.date, "date"))
    if measure.split:
        cols.append((measure.split, "split"))
    if measure.once_per:
        cols.append((measure.once_per, "once_per"))
    if measure.clawback:
        cols.append((measure.clawback.cancel_column, "clawback.cancel_column"))
    to = measure.credit_to
    if isinstance(to, CreditToColumn):
        cols.append((to.column, "credit_to.column"))
    elif isinstance(to, CreditToManager):
        cols.append((to.manager_of, "credit_to.manager_of"))
    else:
        cols.append((to.key, "credit_to.key"))
    return cols


def check_measure_inputs(plan: Plan, inputs: Inputs) -> list[Issue]:
    """Every table and column a plan's measures read must be in the inputs."""
    issues = []
    for name, m in plan.measures.items():
        where = f"plan {plan.plan}, measures.{name}"
        table = inputs.table(m.table)
        if table is None:
            issues.append(Issue(where, f"reads table {m.table!r}, which was not given "
                                       f"(pass --{m.table})"))
            continue
        lookup = None
        if isinstance(m.credit_to, CreditToLookup):
            lookup = inputs.table(m.credit_to.via)
            if lookup is None:
                issues.append(Issue(where, f"credits through table {m.credit_to.via!r}, which "
                                           f"was not given (pass --{m.credit_to.via})"))
            else:
                for col in (m.credit_to.key, m.credit_to.column):
                    if col not in lookup.frame.columns:
                        issues.append(Issue(lookup.file, f"no column {col!r} (needed by {where})"))
        lookup_cols = set(lookup.frame.columns) if lookup is not None else set()
        for col, field in _needed_columns(m):
            if col not in table.frame.columns and not (field == "filter" and col in lookup_cols):
                issues.append(Issue(table.file, f"no column {col!r} (needed by {where}.{field})"))
    return issues


def _select_rows(m: Measure, inputs: Inputs) -> pd.DataFrame:
    table = inputs.table(m.table)
    assert table is not None
    rows = table.frame
    if isinstance(m.credit_to, CreditToLookup):
        lookup = inputs.table(m.credit_to.via)
        assert lookup is not None
        look = lookup.frame.drop(columns=[ROW_COLUMN])
        look = look.drop(columns=[c for c in look.columns
                                  if c in rows.columns and c != m.credit_to.key])
        look = look[look[m.credit_to.column] != ""]
        rows = rows.merge(look, on=m.credit_to.key, how="inner", sort=False)
    try:
        rows = rows[evaluate(m.filter, rows)]
    except UnknownColumnError as exc:  # guarded by check_measure_inputs
        raise InputError(f"no column {exc.column!r} in table {m.table}") from None
    if m.once_per:
        rows = rows.drop_duplicates(m.once_per, keep="first")
    rows = rows.assign(source_file=table.file)
    return rows.reset_index(drop=True)


def _beneficiary(m: Measure, rows: pd.DataFrame) -> pd.Series:
    to = m.credit_to
    if isinstance(to, CreditToColumn):
        return rows[to.column].astype(str)
    if isinstance(to, CreditToManager):
        return rows[to.manager_of].astype(str)
    return rows[to.column].astype(str)


def _row_exceptions(rows: pd.DataFrame, mask: np.ndarray, reason: str, plan: str,
                    measure: str) -> pd.DataFrame:
    sub = rows[mask]
    return exception_frame(
        len(sub), file=sub["source_file"], row=sub[ROW_COLUMN],
        deal_id=sub.get("deal_id", ""), plan=plan, measure=measure,
        reason=reason)


def candidates(plan: Plan, name: str, inputs: Inputs) -> Candidates:
    """Valued and dated credits of one measure, clawbacks included."""
    m = plan.measures[name]
    rows = _select_rows(m, inputs)
    excs: list[pd.DataFrame] = []
    date = rows[m.date].to_numpy(dtype="datetime64[D]")
    share = rows[m.split].fillna(1.0).to_numpy(dtype=float) if m.split else np.ones(len(rows))
    base = np.ones(len(rows)) if m.value == "count" else rows[m.value].to_numpy(dtype=float)
    value = base if m.value == "count" else base * share
    no_date, no_value = np.isnat(date), np.isnan(value)
    named = (_beneficiary(m, rows) != "").to_numpy()
    excs.append(_row_exceptions(rows, no_date & named, f"no {m.date}: cannot date the credit",
                                plan.plan, name))
    excs.append(_row_exceptions(rows, no_value & ~no_date & named,
                                f"no {m.value}: nothing to credit", plan.plan, name))
    payee = _beneficiary(m, rows).to_numpy(dtype=str)
    ok = ~no_date & ~no_value & (payee != "")  # no one named: the row matches no rule
    frame = rows.assign(payee_id=payee, credit_date=date,
                        credit_value=value, credit_share=share, credit_kind="credit", via="")
    frame = frame[ok]
    if m.clawback is not None:
        cancel = frame[m.clawback.cancel_column].to_numpy(dtype="datetime64[D]")
        delta = (cancel - frame["credit_date"].to_numpy(dtype="datetime64[D]")).astype(np.int64)
        has = ~np.isnat(cancel)
        before = has & (delta < 0)
        excs.append(_row_exceptions(frame, before, f"{m.clawback.cancel_column} is before "
                                    f"{m.date}: data error, no clawback", plan.plan, name))
        claw = frame[has & (delta >= 0) & (delta <= m.clawback.within_days)]
        claw = claw.assign(credit_date=claw[m.clawback.cancel_column].to_numpy(
            dtype="datetime64[D]"), credit_value=-claw["credit_value"], credit_kind="clawback")
        frame = pd.concat([frame, claw], ignore_index=True)
    frame = frame.assign(plan=plan.plan, measure=name, source_row=frame[ROW_COLUMN])
    return Candidates(frame.reset_index(drop=True), excs)


def _test_reasons(payees: np.ndarray, dates: np.ndarray, known: pd.DataFrame,
                  calendar: Calendar) -> np.ndarray:
    """Why a credit cannot count for a payee on its date ('' when it can)."""
    iv = known.set_index("payee_id")
    in_roster = pd.Index(iv.index).get_indexer(payees)
    start = np.where(in_roster >= 0, iv["active_start"].to_numpy()[in_roster], np.datetime64("NaT"))
    end = np.where(in_roster >= 0, iv["active_end"].to_numpy()[in_roster], np.datetime64("NaT"))
    in_year = (dates >= calendar.start) & (dates <= calendar.end)
    active = (dates >= start) & (dates <= end)
    return np.select(
        [in_roster < 0, ~in_year, ~active],
        ["payee not in roster", f"dated outside plan year {calendar.year}",
         "payee not active on that date"],
        default="",
    )


def _roll_up(m: CreditToManager, frame: pd.DataFrame, inputs: Inputs,
             calendar: Calendar) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Move credits from the payee who earned them to their manager(s)."""
    known = payee_intervals(inputs)
    dates = frame["credit_date"].to_numpy(dtype="datetime64[D]")
    reason = _test_reasons(frame["payee_id"].to_numpy(dtype=str), dates, known, calendar)
    bad = reason != ""
    sub = frame[bad]
    excs = [exception_frame(len(sub), file=sub["source_file"], row=sub["source_row"],
                            deal_id=sub.get("deal_id", ""), payee_id=sub["payee_id"],
                            plan=sub["plan"], measure=sub["measure"], date=sub["credit_date"],
                            value=sub["credit_value"], reason=reason[bad])]
    counted = frame[~bad]
    managers = inputs.roster.frame.set_index("payee_id")["manager_id"]
    levels = []
    current = counted.assign(via="team:" + counted["payee_id"])
    for _ in range(m.levels):
        boss = managers.reindex(current["payee_id"].to_numpy()).fillna("").to_numpy(dtype=str)
        current = current.assign(payee_id=boss)[boss != ""]
        levels.append(current)
    return pd.concat(levels, ignore_index=True), excs


def place_on_seats(frame: pd.DataFrame, plan_id: str, seats: pd.DataFrame, inputs: Inputs,
                   calendar: Calendar, manager: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give each credit the seat it falls in; return the placed credits and exceptions."""
    plan_seats = seats[seats["plan"] == plan_id]
    frame = frame.reset_index(drop=True)
    dates = frame["credit_date"].to_numpy(dtype="datetime64[D]")
    joined = pd.DataFrame({"cid": np.arange(len(frame)), "payee_id": frame["payee_id"].to_numpy(),
                           "d": dates}).merge(
        plan_seats[["payee_id", "start", "end"]].assign(seat=plan_seats.index.to_numpy()),
        on="payee_id")
    d = joined["d"].to_numpy(dtype="datetime64[D]")
    inside = (d >= joined["start"].to_numpy()) & (d <= joined["end"].to_numpy())
    hit = joined[inside].drop_duplicates("cid")
    seat = np.full(len(frame), -1, dtype=np.int64)
    seat[hit["cid"].to_numpy()] = hit["seat"].to_numpy()
    placed = frame.assign(seat=seat, month=calendar.month_of(dates))[seat >= 0]
    missed = frame[seat < 0]
    on_plan = missed["payee_id"].isin(plan_seats["payee_id"]).to_numpy()
    reason = _test_reasons(missed["payee_id"].to_numpy(dtype=str),
                           missed["credit_date"].to_numpy(dtype="datetime64[D]"),
                           payee_intervals(inputs), calendar)
    reason = np.where(reason == "", f"payee not on plan {plan_id} on that date", reason)
    if manager:
        reason = np.where(reason == "payee not active on that date",
                          "manager not active on that date", reason)
    report = on_plan | (reason == "payee not in roster")
    sub = missed[report]
    excs = exception_frame(len(sub), file=sub["source_file"], row=sub["source_row"],
                           deal_id=sub.get("deal_id", ""),
                           payee_id=sub["payee_id"], plan=plan_id, measure=sub["measure"],
                           date=sub["credit_date"], value=sub["credit_value"],
                           reason=reason[report])
    return placed, excs


def build_credits(plans: dict[str, Plan], inputs: Inputs, seats: pd.DataFrame,
                  calendar: Calendar) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Credits of every measure of every plan that has seats."""
    parts: list[pd.DataFrame] = []
    excs: list[pd.DataFrame] = []
    active_plans = set(seats["plan"])
    for plan_id, plan in plans.items():
        if plan_id not in active_plans:
            continue
        for name, m in plan.measures.items():
            cand = candidates(plan, name, inputs)
            excs.extend(cand.exceptions)
            frame = cand.frame
            if isinstance(m.credit_to, CreditToManager):
                frame, more = _roll_up(m.credit_to, frame, inputs, calendar)
                excs.extend(more)
            placed, missed = place_on_seats(frame, plan_id, seats, inputs, calendar,
                                            isinstance(m.credit_to, CreditToManager))
            parts.append(placed)
            excs.append(missed)
    if not parts:
        return pd.DataFrame(columns=CORE), excs
    credits = pd.concat(parts, ignore_index=True)
    order = CORE + [c for c in credits.columns if c not in CORE and c != ROW_COLUMN]
    return credits[order], excs


def split_exceptions(inputs: Inputs, tolerance: float = 1e-6) -> pd.DataFrame:
    """Deals whose split shares do not add up to 1: credited as given, but reported."""
    deals = inputs.deals.frame
    if "split_pct" not in deals.columns or "deal_id" not in deals.columns:
        return exception_frame(0)
    share = deals["split_pct"].fillna(1.0)
    total = share.groupby(deals["deal_id"]).transform("sum").to_numpy()
    first = ~deals["deal_id"].duplicated().to_numpy()
    bad = first & (np.abs(total - 1.0) > tolerance)
    sub = deals[bad]
    reasons = [f"split_pct of deal sums to {t:.6g}, not 1 (credited as given)"
               for t in total[bad]]
    return exception_frame(len(sub), file=inputs.deals.file, row=sub[ROW_COLUMN],
                           deal_id=sub["deal_id"], reason=reasons)
