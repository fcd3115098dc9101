"""Credits: one row per value credited to a payee's measure.

For each plan measure the source rows are filtered, valued, dated and fanned out to
their beneficiary (a column of the row, the managers above a payee, or the owner in
a lookup table such as accounts); clawbacks add a reversing credit on the cancel
date. Each credit is then tested on its own date against the beneficiary's seats:
credits for a payee not in the roster, dated outside the plan year or outside the
payee's active interval become exceptions; credits for a payee on another plan simply
match no rule.

A credit row carries numbers only (payee code, date, value, share) and the position
of its source row (``source_idx``, and ``lookup_idx`` in a lookup table); any other
attribute is fetched from the source table when needed (:func:`credit_columns`).
Everything is column-wise: no loop over rows or payees.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.periods import Calendar
from compplan.engine.credit_parts import (
    CreditPart,
    CreditParts,
    Gathered,
    repeated,
    stack_rows,
    take_rows,
)
from compplan.engine.exception_rows import ExceptionPart, exception_frame, made
from compplan.engine.filters import UnknownColumnError, evaluate
from compplan.engine.people import People
from compplan.engine.sources import Codes, Sources, credit_columns
from compplan.errors import InputError
from compplan.inputs.bundle import Inputs
from compplan.inputs.fx import convert_rates
from compplan.inputs.ingest import ROW_COLUMN, Table
from compplan.schema import (
    CreditToColumn,
    CreditToLookup,
    CreditToManager,
    Measure,
    Plan,
    expressions,
)
from compplan.schema.filters import filter_columns


def _select(m: Measure, sources: Sources) -> tuple[Codes, Codes, Codes, Codes]:
    """Source rows a measure credits: (row, lookup row, payee code, payee factor),
    shared by measures that pick the same rows for the same payees (an SDR's pipeline
    and meetings)."""
    key = _select_key(m)
    picked = sources.selected.get(key, lambda: _selected(m, sources))
    sources.done_with(sources.selected, key)
    return picked


def _select_key(m: Measure) -> str:
    return json.dumps([m.model_dump(mode="json", include={"table", "filter", "once_per"}),
                       _payer(m)], sort_keys=True, default=str)


def _payer(m: Measure) -> object:
    """Where a measure finds each row's payee: a column of the row, or a lookup."""
    to = m.credit_to
    if isinstance(to, CreditToManager):
        return ["column", to.manager_of]
    if isinstance(to, CreditToColumn):
        return ["column", to.column]
    return ["lookup", to.model_dump(mode="json") if to is not None else None]


def _selected(m: Measure, sources: Sources) -> tuple[Codes, Codes, Codes, Codes]:
    assert m.credit_to is not None  # a measure with rows (derived ones have no credits)
    table = sources.table(m.table)
    frame = table.frame
    lookup = sources.lookup_rows(m)
    wanted = sorted(filter_columns(m.filter))
    view = (credit_columns(sources.inputs, m, np.arange(len(frame)), lookup, wanted) if wanted
            else frame.iloc[:, :0])
    try:
        mask = evaluate(m.filter, view)
    except UnknownColumnError as exc:  # guarded by plan_inputs.check_plan_inputs
        raise InputError(f"no column {exc.column!r} in table {m.table}") from None
    if isinstance(m.credit_to, CreditToLookup):
        mask &= lookup >= 0
        codes, factor, _ = sources.payees(m.credit_to.via, m.credit_to.column)
        if len(codes) == 0:  # an empty lookup table
            codes, factor = np.full(1, -2, dtype=np.int64), np.zeros(1, dtype=np.int64)
        row_codes = codes[np.clip(lookup, 0, None)]
        row_factor = factor[np.clip(lookup, 0, None)]
    else:
        column = m.credit_to.column if isinstance(m.credit_to, CreditToColumn) else (
            m.credit_to.manager_of)  # type: ignore[union-attr]
        row_codes, row_factor, _ = sources.payees(m.table, column)
    mask &= row_codes != -2  # no one named: the row matches no rule
    src = np.flatnonzero(mask)
    if m.once_per:
        src = src[first_of_each(table.factor(m.once_per).codes[src])]
    return src, take_rows(lookup, src), row_codes[src], row_factor[src]


def first_of_each(codes: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Where each value appears for the first time (integer codes: no text hashed)."""
    return np.asarray(~pd.Series(codes).duplicated().to_numpy(), dtype=bool)


def _payee_names(m: Measure, sources: Sources, codes: Codes, factor: Codes) -> npt.NDArray[np.str_]:
    """Names of the payees credits were meant for (unknown ones included)."""
    if isinstance(m.credit_to, CreditToLookup):
        names = sources.payees(m.credit_to.via, m.credit_to.column)[2]
    else:
        column = m.credit_to.column if isinstance(m.credit_to, CreditToColumn) else (
            m.credit_to.manager_of)  # type: ignore[union-attr]
        names = sources.payees(m.table, column)[2]
    known = codes >= 0
    out = names[np.clip(factor, 0, None)]
    out[known] = sources.people.names(codes[known])
    return out


def _row_exceptions(table: Table, src: Codes, reason: str | npt.ArrayLike, plan: str,
                    measure: str, **extra: object) -> ExceptionPart:
    if len(src) == 0:
        return exception_frame(0)

    def make() -> pd.DataFrame:
        frame = table.frame
        deal = table.factor("deal_id").take(src) if "deal_id" in frame else ""
        return exception_frame(len(src), file=table.file, row=frame[ROW_COLUMN].to_numpy()[src],
                               deal_id=deal, plan=plan, measure=measure, reason=reason, **extra)

    return make


Batch = dict[str, np.ndarray]
"""Credits on their way through the stages: named columns of equal length.

Plain arrays, not frames: a frame would copy its columns into blocks at every step,
and millions of credits pass through several steps per measure.
"""


Pick = npt.NDArray[np.bool_] | Codes


def _picker(which: Pick) -> Pick | None:
    """How to take the rows a mask or positions pick from many columns: None when a
    mask keeps every row (nothing to copy), positions for a sparse mask (found once,
    not scanned per column), else as given."""
    if which.dtype != np.bool_:
        return which
    kept = int(np.count_nonzero(which))
    if kept == len(which):
        return None
    return np.flatnonzero(which) if kept * 8 < len(which) else which


def _rows(batch: Batch, which: Pick) -> Batch:
    """The rows of a batch a mask or positions pick."""
    pick = _picker(which)
    if pick is None:
        return dict(batch)  # arrays are never changed in place: shared, not copied
    return {name: take_rows(values, pick) for name, values in batch.items()}


def _stack(batches: list[Batch]) -> Batch:
    return {name: stack_rows([b[name] for b in batches]) for name in batches[0]}


LeftOut = list[tuple[Codes, str]]
"""Source rows left out of a measure, with the reason: labelled with the plan and
measure by :func:`candidates`, so that measures sharing their numbers do not share
their exception rows."""


def _share_key(plan: Plan, m: Measure, sources: Sources) -> str:
    """What a measure's valued credits depend on: measures of several plans that read
    the same rows the same way (the AE's bookings, the partner's revenue, the manager's
    team bookings before the roll-up) compute them once."""
    payer = _payer(m)
    reads = m.model_dump(mode="json", include={"table", "filter", "once_per", "date", "split",
                                               "row", "value", "clawback"})
    fx: list[object] = [plan.currency, plan.fx.model_dump(mode="json")]
    if "currency" in sources.table(m.table).frame:
        fx.append(plan.plan)  # a missing rate's error names the plan
    return json.dumps([reads, payer, fx], sort_keys=True, default=str)


def candidates(plan: Plan, name: str, sources: Sources
               ) -> tuple[Batch, list[ExceptionPart]]:
    """Valued and dated credits of one measure, clawbacks included (numbers only)."""
    m = plan.measures[name]
    table = sources.table(m.table)
    key = _share_key(plan, m, sources)
    out, left_out = sources.valued.get(key, lambda: _valued(plan, m, sources))
    sources.done_with(sources.valued, key)
    return dict(out), [_row_exceptions(table, rows, reason, plan.plan, name)
                       for rows, reason in left_out]


def _valued(plan: Plan, m: Measure, sources: Sources) -> tuple[Batch, LeftOut]:
    table = sources.table(m.table)
    frame = table.frame
    src, lookup, codes, factor = _select(m, sources)
    assert m.date is not None
    date = sources.days(m.table, m.date)[src]
    if m.split:
        share = frame[m.split].to_numpy(dtype=np.float64)[src]
        share = np.where(np.isnan(share), 1.0, share)
    else:
        share = repeated(1.0, len(src))
    zero_division = np.zeros(len(src), dtype=bool)
    if m.row is not None:
        got = expressions.evaluate(expressions.parse(m.row), lambda col: frame[col].to_numpy(
            dtype=np.float64)[src])
        value = np.broadcast_to(got.values, src.shape) * share
        zero_division = np.broadcast_to(got.zero_division, src.shape)
    elif m.value == "count":
        value = np.ones(len(src))
    else:
        value = frame[str(m.value)].to_numpy(dtype=np.float64)[src] * share
    no_date, no_value = np.isnat(date), np.isnan(value)
    rate = _fx_rates(plan, m, sources, src, date, no_date)
    if rate is not None:
        value = value * rate
    what = m.value if m.row is None else f"value for {m.row}"
    left_out: LeftOut = [
        (src[no_date], f"no {m.date}: cannot date the credit"),
        (src[zero_division & ~no_date], f"{m.row}: division by zero, nothing to credit"),
        (src[no_value & ~no_date & ~zero_division], f"no {what}: nothing to credit")]
    out = _rows({"code": codes, "factor": factor, "credit_date": date, "credit_value": value,
                 "credit_share": share, "clawback": repeated(False, len(src)),
                 "via": repeated(np.int64(-1), len(src)), "source_idx": src,
                 "lookup_idx": lookup,
                 "fx_rate": repeated(1.0, len(src)) if rate is None else rate},
                ~no_date & ~no_value)
    if m.clawback is not None and m.clawback.cancel_column in frame:  # else optional: true
        out, more = _clawbacks(m, out, table)
        left_out.extend(more)
    return out, left_out


def _fx_rates(plan: Plan, m: Measure, sources: Sources, src: Codes, dates: np.ndarray,
              no_date: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64] | None:
    """Each row's rate into the plan's currency; None when every row is in it already
    (no currency column, an empty cell, or the plan's own currency)."""
    table = sources.table(m.table)
    if "currency" not in table.frame:
        return None
    cat = table.factor("currency")
    if (cat.codes < 0).any():  # a missing cell not read as "": read the text itself
        codes = table.frame["currency"].astype(str).to_numpy()[src]
    else:  # the few distinct codes, looked up by position
        codes = np.asarray(cat.categories.to_numpy(dtype=str), dtype=object)[cat.codes[src]]
    codes = np.where(codes == "", plan.currency, codes)
    if (codes == plan.currency).all():
        return None
    return convert_rates(sources.fx, plan.fx, plan.currency, codes, plan.currency,
                         np.where(no_date, np.datetime64("1970-01-01"), dates).astype(
                             "datetime64[D]"), f"credits of plan {plan.plan} from {table.file}")


def _clawbacks(m: Measure, out: Batch, table: Table) -> tuple[Batch, LeftOut]:
    """The credits, with a reversing credit on the cancel date for each one cancelled
    within the window, scaled by the clawback's share and unserved term."""
    claw_rule = m.clawback
    assert claw_rule is not None
    frame = table.frame
    rows = out["source_idx"]
    cancel = frame[claw_rule.cancel_column].to_numpy(dtype="datetime64[D]")[rows]
    delta = (cancel - out["credit_date"]).astype(np.int64)
    has = ~np.isnat(cancel)
    before = has & (delta < 0)
    excs: LeftOut = [(rows[before], f"{claw_rule.cancel_column} is before {m.date}: data "
                                    "error, no clawback")]
    back = has & (delta >= 0) & (delta <= claw_rule.within_days)
    claw = _rows(out, back)
    if claw_rule.prorate == "unserved_term":
        term = frame[claw_rule.term_column].to_numpy(dtype=np.float64)[claw["source_idx"]]
        excs.append((claw["source_idx"][~(term > 0)], f"no {claw_rule.term_column}: cannot "
                     "prorate the clawback by the unserved term, clawed back in full"))
    part = clawback_part(m, frame, claw["source_idx"], cancel[back])
    claw.update(credit_date=cancel[back], clawback=np.ones(int(back.sum()), dtype=bool),
                credit_value=-claw["credit_value"] * part)
    return _stack([out, claw]), excs


def clawback_part(m: Measure, frame: pd.DataFrame, rows: Codes,
                  cancel: npt.NDArray[np.datetime64]) -> npt.NDArray[np.float64]:
    """The part of each credit a clawback takes back: its ``share`` x the unserved
    part of the term (a row with no term is taken back in full, and reported)."""
    rule = m.clawback
    assert rule is not None
    part = np.full(len(rows), rule.share)
    if rule.prorate == "unserved_term":
        start = frame[m.date].to_numpy(dtype="datetime64[D]")[rows]
        term = frame[rule.term_column].to_numpy(dtype=np.float64)[rows]
        part = part * unserved_share(start, cancel.astype("datetime64[D]"), term)
    return part


def unserved_share(start: npt.NDArray[np.datetime64], cancel: npt.NDArray[np.datetime64],
                   term: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The unserved part of a contract term: ``max(term - served, 0) / term``.

    Served months are whole calendar months from the start to the cancel date: from
    15 January, 15 April completes 3 and 14 April 2. A cancel date on the last day of
    its month completes the month when the start day does not exist in it (31 January
    to 28 February is 1 month).

    >>> d = lambda *s: np.array(s, dtype="datetime64[D]")
    >>> unserved_share(d("2026-01-15", "2026-01-15", "2026-01-31"),
    ...                d("2026-04-15", "2026-04-14", "2026-02-28"), np.array([12.0, 12, 12]))
    array([0.75      , 0.83333333, 0.91666667])
    """
    months = (cancel.astype("datetime64[M]") - start.astype("datetime64[M]")).astype(np.int64)
    start_day = (start - start.astype("datetime64[M]")).astype(np.int64)
    cancel_day = (cancel - cancel.astype("datetime64[M]")).astype(np.int64)
    month_end = (cancel + 1).astype("datetime64[M]") != cancel.astype("datetime64[M]")
    served = months - ((cancel_day < start_day) & ~month_end)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.maximum(term - served, 0) / term
    return np.asarray(np.where(term > 0, share, 1.0), dtype=np.float64)


def _credit_exceptions(table: Table, credits: Batch, names: npt.ArrayLike, plan: str,
                       measure: str, reason: npt.ArrayLike) -> pd.DataFrame:
    return made(_row_exceptions(table, credits["source_idx"], reason, plan, measure,
                                payee_id=np.asarray(names), date=credits["credit_date"],
                                value=credits["credit_value"]))


@dataclass(frozen=True)
class Fanned:
    """A measure's credits after the roll-up, before placing: each one's row of the
    valued batch (``at``; None: row for row) and its beneficiary and roll-up payee.

    Only these and the dates are needed to place credits on seats; every other column
    is gathered once, for the credits placed (:func:`_placed`), instead of being copied
    at each roll-up level."""

    valued: Batch
    at: Codes | None
    code: Codes
    via: Codes

    def column(self, name: str) -> np.ndarray:
        values = self.valued[name]
        return values if self.at is None else values[self.at]


def roll_up(m: Measure, credits: Batch, sources: Sources, calendar: Calendar,
            plan: str, measure: str) -> tuple[Fanned, ExceptionPart]:
    """Move credits from the payee who earned them to their manager(s).

    A credit rolls up only if it counts for that payee (in the roster, in the year,
    inside the payee's active interval), whatever the payee's own plan.
    """
    assert isinstance(m.credit_to, CreditToManager)
    people = sources.people
    codes = credits["code"]
    reason = people.reason_codes(codes, credits["credit_date"], calendar)
    bad = reason != 0
    left_out = _rows(credits, bad)

    def excs() -> pd.DataFrame:
        names = _payee_names(m, sources, left_out["code"], left_out["factor"])
        return _credit_exceptions(sources.table(m.table), left_out, names, plan, measure,
                                  people.reason_labels(calendar)[reason[bad]])

    at, code = np.flatnonzero(~bad), codes[~bad]
    ats, bosses = [], []
    for _ in range(m.credit_to.levels):
        boss = people.manager[code]
        has = boss >= 0
        at, code = at[has], boss[has]
        ats.append(at)
        bosses.append(code)
    at = np.concatenate(ats)
    return Fanned(credits, at, np.concatenate(bosses), codes[at]), excs


def place_on_seats(codes: Codes, dates: npt.NDArray[np.datetime64], plan_id: str,
                   seats: pd.DataFrame, people: People) -> tuple[Codes, npt.NDArray[np.bool_]]:
    """The seat of this plan each credit (payee code, date) falls in (-1: none), and
    which misses to report.

    Seats of one payee on one plan do not overlap: with one seat per payee (the usual
    case) the seat is looked up by payee code, else a binary search on (payee, start)
    finds the only seat that can hold a credit. A miss is reported when
    the payee is unknown or has a seat of this plan at another time; a payee on
    another plan simply matches no rule of this one.
    """
    mine = seats[(seats["plan"] == plan_id).to_numpy()]
    seat_code = people.codes(mine["payee_id"].to_numpy())
    seat_start = mine["start"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    seat_end = mine["end"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    if len(mine) == 0:
        return np.full(len(codes), -1, dtype=np.int64), codes < 0
    days = dates.astype("datetime64[D]", copy=False).view(np.int64)
    known = seat_code >= 0
    labels = mine.index.to_numpy()
    # a miss is reported for a payee with a seat of this plan, or unknown (code -1, the
    # sentinel at the end); a payee on another plan matches no rule of this one
    report_if_missed = np.zeros(people.ids.size + 1, dtype=bool)
    report_if_missed[seat_code] = True
    report_if_missed[-1] = True
    if len(np.unique(seat_code[known])) == int(known.sum()):
        # One seat per payee on this plan (the usual case): look it up by payee code.
        # Codes are -1 (unknown) or roster positions; position -1 of each table is a
        # sentinel (no seat, an interval no day is in, reported), so no credit needs a
        # test of its own before the lookups.
        first = np.full(people.ids.size + 1, -1, dtype=np.int64)
        first[seat_code[known]] = np.flatnonzero(known)
        at = first[codes]
        lo = np.append(seat_start, np.iinfo(np.int64).max)[at]
        hi = np.append(seat_end, np.iinfo(np.int64).min)[at]
        hit = (days >= lo) & (days <= hi)
        seat = np.where(hit, np.append(labels, -1)[at], -1)
        return np.asarray(seat, dtype=np.int64), ~hit & report_if_missed[codes]
    # a payee with seats at several times: the one that starts last before the day
    order = np.lexsort((seat_start, seat_code))
    span = np.int64(1 << 32)
    keys = seat_code[order] * span + seat_start[order]
    pos = np.searchsorted(keys, codes * span + days, side="right") - 1
    safe = order[np.clip(pos, 0, None)]
    hit = (pos >= 0) & (codes >= 0) & (seat_code[safe] == codes) & (days <= seat_end[safe])
    seat = np.where(hit, labels[safe], -1)
    return np.asarray(seat, dtype=np.int64), ~hit & report_if_missed[codes]


def _misses(m: Measure, fanned: Fanned, dates: npt.NDArray[np.datetime64],
            report: npt.NDArray[np.bool_], sources: Sources, calendar: Calendar,
            plan_id: str, name: str) -> ExceptionPart:
    rows = np.flatnonzero(report)
    if len(rows) == 0:
        return exception_frame(0)
    at = rows if fanned.at is None else fanned.at[rows]
    missed: Batch = {"code": fanned.code[rows], "credit_date": dates[rows],
                     **{col: fanned.valued[col][at] for col in
                        ("factor", "source_idx", "credit_value")}}

    def make() -> pd.DataFrame:
        codes = missed["code"]
        reason = sources.people.reasons(codes, missed["credit_date"], calendar)
        reason = np.where(reason == "", f"payee not on plan {plan_id} on that date", reason)
        if isinstance(m.credit_to, CreditToManager):
            reason = np.where(reason == "payee not active on that date",
                              "manager not active on that date", reason)
            names = sources.people.names(np.clip(codes, 0, None))
        else:
            names = _payee_names(m, sources, codes, missed["factor"])
        return _credit_exceptions(sources.table(m.table), missed, names, plan_id, name, reason)

    return make


def measure_credits(plan: Plan, name: str, seats: pd.DataFrame, sources: Sources,
                    calendar: Calendar) -> tuple[CreditPart, list[ExceptionPart]]:
    """The placed credits of one plan measure (numbers) and what it left out.

    Each measure is one unit of work: the in-process engine runs them on threads, the
    Dask engine as tasks; :class:`CreditParts` keeps the parts.
    """
    m = plan.measures[name]
    credits, excs = candidates(plan, name, sources)
    if isinstance(m.credit_to, CreditToManager):
        fanned, missed = roll_up(m, credits, sources, calendar, plan.plan, name)
        excs.append(missed)
    else:
        fanned = Fanned(credits, None, credits["code"], credits["via"])
    dates = fanned.column("credit_date")
    seat, report = place_on_seats(fanned.code, dates, plan.plan, seats, sources.people)
    excs.append(_misses(m, fanned, dates, report, sources, calendar, plan.plan, name))
    return _placed(fanned, dates, seat, plan.plan, name, m, calendar), excs


def measures_of(plans: dict[str, Plan], seats: pd.DataFrame) -> list[tuple[Plan, str]]:
    """Every measure of every plan that has seats, in the order credits are stacked."""
    return [(plans[plan_id], name) for plan_id in sorted(set(seats["plan"]))
            for name, m in plans[plan_id].measures.items() if not m.derived]


def build_credits(plans: dict[str, Plan], inputs: Inputs, seats: pd.DataFrame,
                  calendar: Calendar) -> tuple[CreditParts, list[ExceptionPart]]:
    """Credits of every measure of every plan that has seats.

    Measures are independent, and most of their work is array work that releases the
    GIL, so they run on two threads per core (while one holds the GIL for pandas'
    bookkeeping, another's arrays are computed: 5.0 M credits, best of five, 3.3 s with
    one thread per core, 2.8 s with two); results are taken in plan and measure order.
    """
    sources = Sources(inputs, People.from_inputs(inputs))
    work = measures_of(plans, seats)
    keys = [_share_key(plan, plan.measures[name], sources) for plan, name in work]
    sources.users.update(keys)  # each measure asks once for its valued credits,
    firsts = {key: plan.measures[name] for key, (plan, name) in zip(keys, work, strict=True)}
    sources.users.update(_select_key(m) for m in firsts.values())  # each of those for rows
    with ThreadPoolExecutor(max_workers=min(len(work), 2 * (os.cpu_count() or 1)) or 1) as pool:
        done = list(pool.map(lambda pm: measure_credits(pm[0], pm[1], seats, sources,
                                                        calendar), work))
    excs = [exc for _, more in done for exc in more]
    return CreditParts([part for part, _ in done], inputs, sources.people.ids), excs


def _placed(fanned: Fanned, dates: npt.NDArray[np.datetime64], seat: Codes, plan_id: str,
            measure: str, m: Measure, calendar: Calendar) -> CreditPart:
    """The credits placed on a seat, as numbers (labelled when read: credit_parts);
    the columns of the valued batch the pay does not read are gathered when read."""
    pick = _picker(seat >= 0)

    def take(values: np.ndarray) -> np.ndarray:
        return values if pick is None else take_rows(values, pick)

    at = fanned.at
    rows: Pick | None = pick if at is None else (at if pick is None else at[pick])
    placed_dates = take(dates).astype("datetime64[D]", copy=False)
    return CreditPart(plan_id, measure, m.table, Gathered(
        {"code": take(fanned.code), "seat": take(seat), "credit_date": placed_dates,
         "month": calendar.month_of(placed_dates), "via": take(fanned.via)},
        fanned.valued, rows))
