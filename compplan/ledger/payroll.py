"""Payroll for a period: the month's earned lines, adjustments for closed months, and
negative pay carried as a balance and recovered from later pay.

For a pay period P the engine's recomputed year is compared with the ledger:

- ``earned``: what the run says each payee earned in P, by component;
- ``adjustment``: for every earlier month, what is earned now minus what was paid for
  it (a late deal, a cancellation, a corrected quota), memo ``adjusts 2026-01 commission``;
- ``carry``: a payee whose lines add up below zero is paid nothing; the deficit is
  carried as a balance owed;
- ``recovery``: a balance owed is recovered from later positive pay.

Months are paid in order: from the ledger's first month on, every earlier month must
be closed before a month is paid, and a month before the first, or before one already
paid, is refused. A closed month is never changed. The run id is a digest of the
inputs, so the same inputs give the same file, and running a period again replaces its
open run instead of posting twice. Everything here reads and writes through one
connection holding the ledger's lock (:func:`compplan.ledger.store.locked`), so what a
payroll computes against is what it records against.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compplan.core.currencies import decimals
from compplan.core.faults import fault_point, fault_sql
from compplan.core.money import format_minor
from compplan.core.periods import Calendar
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue
from compplan.ledger.draws import closing
from compplan.ledger.holds import holds, releases
from compplan.ledger.store import lines, locked, periods, runs

LINE_COLUMNS = ["line_id", "run_id", "pay_period", "earned_period", "payee_id", "payee_name",
                "component", "kind", "earning_code", "cents", "memo", "release_period", "ref",
                "currency"]
DEFAULT_CODES = {"salary": "SAL", "commission": "COMM", "rate_table": "COMM",
                 "level_table": "BONUS",
                 "payout_curve": "COMM", "bonus": "BONUS", "spiff": "SPIFF", "draw": "DRAW",
                 "advance": "DRAW"}


@dataclass(frozen=True)
class PayrollRun:
    """The lines one payroll run records and pays."""

    run_id: str
    period: str
    lines: pd.DataFrame
    owed: pd.DataFrame | None = None
    """After recording: what each payee owes (:func:`balances`, balances.csv)."""


def _codes(result: Evaluation) -> dict[tuple[str, str], str]:
    return {(plan.plan, c.id): c.earning_code or DEFAULT_CODES[c.kind]
            for plan in result.plans.values() for c in plan.components}


def _earned(result: Evaluation) -> pd.DataFrame:
    codes = _codes(result)
    sums = result.lines.groupby(["payee_id", "period", "component", "plan"],
                                sort=True)["cents"].sum()
    frame = sums.reset_index()
    frame["earning_code"] = [codes[(p, c)] for p, c in zip(frame["plan"], frame["component"],
                                                              strict=True)]
    return frame


def _ledger_frame(conn: sa.Connection) -> tuple[pd.DataFrame, dict[str, str]]:
    """What closed months paid, and the state of every recorded month."""
    paid = pd.DataFrame(conn.execute(
        sa.select(lines).join(periods, periods.c.run_id == lines.c.run_id).where(
            periods.c.state == "closed")).mappings().all(), columns=LINE_COLUMNS)
    states = {row.period: row.state for row in conn.execute(sa.select(periods))}
    return paid, states


def _months(first: str, last: str) -> list[str]:
    """The months from ``first`` to ``last``, both included (across years).

    >>> _months("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    span = np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)
    return [str(m) for m in span]


def check_order(period: str, states: dict[str, str]) -> None:
    """Months are paid in order: refuse a closed month, a month before the ledger's
    first or before one already paid, and a month whose earlier months are not all
    closed (naming the first that is not)."""
    if states.get(period) == "closed":
        raise InputError([Issue("--period", f"{period} is closed: its payroll cannot change; "
                                "corrections are paid in the next open period")])
    if not states:
        return
    first, last = min(states), max(states)
    if period < first:
        raise InputError([Issue("--period", f"{period} comes before {first}, the ledger's "
                                "first month: months are paid in order")])
    if period < last:
        raise InputError([Issue("--period", f"{last} is already paid: months are paid in "
                                f"order, so {period} can no longer be; corrections are paid "
                                "in the next open month")])
    waiting = [m for m in _months(first, period)[:-1] if states.get(m) != "closed"]
    if waiting:
        what = "close" if states.get(waiting[0]) == "open" else "pay and close"
        raise InputError([Issue("--period", f"{what} {waiting[0]} before paying {period}: "
                                "months are paid in order")])


def run_id_for(period: str, digest: str) -> str:
    return hashlib.sha256(f"{period}|{digest}".encode()).hexdigest()[:16]


def check_period(period: str, year: int) -> None:
    """A pay period is a month of the plan year (checked before a ledger is opened, so a
    typo creates no ledger file)."""
    if period not in Calendar(year).month_labels():
        raise InputError([Issue("--period", f"{period!r} is not a month of {year}")])


def compute(result: Evaluation, conn: sa.Connection, period: str, digest: str) -> PayrollRun:
    """The lines of period ``period``'s payroll, given what the ledger's closed months
    paid (read through ``conn``, under the ledger's lock)."""
    check_period(period, result.year)
    paid, states = _ledger_frame(conn)
    check_order(period, states)
    earned = _earned(result)
    key = ["payee_id", "period", "component"]
    due = earned[earned["period"] <= period]
    this_year = paid["earned_period"].astype(str).str.startswith(f"{result.year}-")
    before = paid[paid["kind"].isin(["earned", "adjustment"]) & this_year].rename(
        columns={"earned_period": "period"}).groupby(key, as_index=False)["cents"].sum()
    both = due.merge(before, on=key, how="outer", suffixes=("", "_paid")).fillna(
        {"cents": 0, "cents_paid": 0})
    both["delta"] = (both["cents"] - both["cents_paid"]).astype(np.int64)
    both["kind"] = np.where(both["period"] == period, "earned", "adjustment")
    if both["plan"].isna().any():  # paid before, earned by nothing now: same code as paid
        codes = paid.drop_duplicates(["payee_id", "component"]).set_index(
            ["payee_id", "component"])["earning_code"]
        missing = both["earning_code"].isna()
        both.loc[missing, "earning_code"] = codes.reindex(
            pd.MultiIndex.from_frame(both.loc[missing, ["payee_id", "component"]])).to_numpy()
    moves = both[both["delta"] != 0].copy()
    moves["memo"] = np.where(moves["kind"] == "adjustment",
                             "adjusts " + moves["period"] + " " + moves["component"],
                             moves["component"] + " " + moves["period"])
    moves = moves.assign(cents=moves["delta"], earned_period=moves["period"])
    moves = pd.concat([moves, holds(result, moves, period),
                       releases(result, paid, period)], ignore_index=True)
    moves = pd.concat([moves, _balances(moves, paid, period)], ignore_index=True)
    return _finish(result, moves, period, run_id_for(period, digest), currencies(result, paid))


def currencies(result: Evaluation, paid: pd.DataFrame) -> pd.Series:
    """Each payee's pay currency: the run's lines say it (a payee is paid in one
    currency); a payee with only earlier lines keeps theirs (older ledgers: the plans')."""
    now = result.lines.drop_duplicates("payee_id").set_index("payee_id")["currency"]
    before = paid.dropna(subset=["currency"]).drop_duplicates("payee_id", keep="last")
    out = pd.concat([before.set_index("payee_id")["currency"], now])
    out = out[~out.index.duplicated(keep="last")]
    filled: pd.Series = out.astype(object).where(out.notna(), result.default_currency)
    return filled


def _balances(moves: pd.DataFrame, paid: pd.DataFrame, period: str) -> pd.DataFrame:
    """Carry a negative total forward; recover what is owed from a positive one."""
    gross = moves.groupby("payee_id")["cents"].sum()
    owed = paid[paid["kind"].isin(["carry", "recovery"])].groupby("payee_id")["cents"].sum()
    payees = gross.index.union(owed.index)
    gross = gross.reindex(payees, fill_value=0)
    owed = owed.reindex(payees, fill_value=0)
    carry = np.where(gross < 0, -gross, 0)
    recover = np.where(gross > 0, -np.minimum(gross, owed.clip(lower=0)), 0)
    rows = []
    for kind, amounts, memo in (("carry", carry, "negative pay carried as a balance owed"),
                                ("recovery", recover, "recovers the balance owed")):
        hit = amounts != 0
        rows.append(pd.DataFrame({
            "payee_id": payees[hit], "component": kind, "kind": kind, "earning_code": "ADJ",
            "cents": amounts[hit].astype(np.int64), "memo": memo, "earned_period": period}))
    return pd.concat(rows, ignore_index=True)


def _finish(result: Evaluation, moves: pd.DataFrame, period: str, run_id: str,
            currency: pd.Series) -> PayrollRun:
    roster = result.inputs.roster.frame
    names = pd.Series(roster["name"].to_numpy() if "name" in roster else "",
                      index=roster["payee_id"].to_numpy())
    order = {"earned": 0, "hold": 1, "release": 2, "adjustment": 3, "recovery": 4, "carry": 5}
    moves = moves.assign(rank=moves["kind"].map(order)).sort_values(
        ["payee_id", "rank", "earned_period", "component"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame({
        "line_id": [f"{run_id}-{i + 1:05d}" for i in range(len(moves))],
        "run_id": run_id, "pay_period": period,
        "earned_period": moves["earned_period"].to_numpy(),
        "payee_id": moves["payee_id"].to_numpy(),
        "payee_name": names.reindex(moves["payee_id"]).fillna("").to_numpy(),
        "component": moves["component"].to_numpy(), "kind": moves["kind"].to_numpy(),
        "earning_code": np.where(moves["kind"] == "adjustment", "ADJ",
                                 moves["earning_code"].to_numpy()),
        "cents": moves["cents"].to_numpy(dtype=np.int64), "memo": moves["memo"].to_numpy(),
        "release_period": moves.get("release_period", pd.Series(None, index=moves.index))
        .to_numpy(dtype=object),
        "ref": moves.get("ref", pd.Series(None, index=moves.index)).to_numpy(dtype=object),
        "currency": currency.reindex(moves["payee_id"]).fillna(
            result.default_currency).to_numpy(dtype=object)})
    return PayrollRun(run_id, period, out)


def record(conn: sa.Connection, run: PayrollRun, inputs: dict[str, str],
           plans: dict[str, str]) -> None:
    """Replace the period's open run with this one, in the caller's locked transaction
    (the one that computed it: the state it checked cannot have moved)."""
    state = conn.execute(sa.select(periods.c.state, periods.c.run_id).where(
        periods.c.period == run.period)).first()
    if state is not None and state.state == "closed":
        raise InputError([Issue("--period", f"{run.period} was closed meanwhile")])
    if state is not None and state.run_id:
        conn.execute(lines.delete().where(lines.c.run_id == state.run_id))
        conn.execute(periods.delete().where(periods.c.period == run.period))
        conn.execute(runs.delete().where(runs.c.run_id == state.run_id))
    fault_point("record:replaced")
    conn.execute(runs.insert().values(
        run_id=run.run_id, period=run.period, created_at=datetime.now(UTC).isoformat(),
        inputs=json.dumps(inputs, sort_keys=True), plans=json.dumps(plans, sort_keys=True)))
    if len(run.lines):
        rows = [{str(k): (None if isinstance(v, float) and np.isnan(v) else v)
                 for k, v in row.items()} for row in run.lines.to_dict("records")]
        conn.execute(lines.insert(), rows)
    fault_sql(conn, "record")
    fault_point("record")
    conn.execute(periods.insert().values(period=run.period, state="open", run_id=run.run_id))


def close(engine: Engine, period: str) -> str:
    """Lock a period's recorded run, under the ledger's lock: only one closer can win,
    and no payroll of the period can interleave with it."""
    with locked(engine) as conn:
        fault_point("close")
        state = conn.execute(sa.select(periods.c.state, periods.c.run_id).where(
            periods.c.period == period)).first()
        if state is None:
            raise InputError([Issue("--period", f"no payroll run is recorded for {period}: "
                                    "run compplan payroll first")])
        if state.state == "closed":
            raise InputError([Issue("--period", f"{period} is already closed")])
        conn.execute(periods.update().where(periods.c.period == period).values(
            state="closed", closed_at=datetime.now(UTC).isoformat()))
        fault_point("close:updated")
    fault_point("close:committed")
    return str(state.run_id)


def balances(conn: sa.Connection, run: PayrollRun, result: Evaluation) -> pd.DataFrame:
    """What each payee owes after this run (closed months and this one): the balance of
    negative pay, the draw balance and the draw balance forgiven this month; and whether
    the payee is still active at the end of the month: a leaver's balance is reported."""
    paid, _ = _ledger_frame(conn)
    both = pd.concat([paid, run.lines], ignore_index=True)
    moves = both[both["kind"].isin(["carry", "recovery"])]
    owed = moves.groupby("payee_id")["cents"].sum()
    drawing = closing(result, run.period)
    drawing = drawing.assign(draw_currency=drawing["plan"].map(
        {k: p.currency for k, p in result.plans.items()}))
    drawn = drawing.groupby("payee_id").agg(balance_cents=("balance_cents", "sum"),
                                            forgiven_cents=("forgiven_cents", "sum"),
                                            draw_currency=("draw_currency", "first"))
    payees = owed[owed != 0].index.union(drawn.index)
    owed = owed.reindex(payees, fill_value=0)
    drawn = drawn.reindex(payees).fillna({"balance_cents": 0, "forgiven_cents": 0})
    end = (np.datetime64(run.period, "M") + 1).astype("datetime64[D]") - 1
    seats = result.seats
    active = seats[(seats["start"] <= end) & (seats["end"] >= end)]["payee_id"]
    code = currencies(result, both).reindex(payees).to_numpy(dtype=object)
    places = [decimals(str(c)) for c in code]
    drawn_in = drawn["draw_currency"].where(drawn["draw_currency"].notna(), None)
    draw_code = np.where(pd.isna(drawn_in.to_numpy()), code, drawn_in.to_numpy())
    draw_places = [decimals(str(c)) for c in draw_code]
    return pd.DataFrame({
        "payee_id": payees.to_numpy(),
        "balance_owed": format_minor(owed.to_numpy(dtype=np.int64), places),
        "currency": code,
        "draw_balance": format_minor(drawn["balance_cents"].to_numpy(dtype=np.int64),
                                     draw_places),
        "draw_forgiven": format_minor(drawn["forgiven_cents"].to_numpy(dtype=np.int64),
                                      draw_places),
        "draw_currency": draw_code,
        "active": np.isin(payees.to_numpy(), active.to_numpy())})


def history(engine: Engine, payee_id: str) -> pd.DataFrame:
    """A payee's ledger by pay period: earned, adjusted, carried, recovered, paid, owed."""
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(
            sa.select(lines.c.pay_period, lines.c.kind, lines.c.cents, periods.c.state)
            .join(periods, periods.c.run_id == lines.c.run_id)
            .where(lines.c.payee_id == payee_id)).mappings().all(),
            columns=["pay_period", "kind", "cents", "state"])
    if rows.empty:
        return pd.DataFrame(columns=["period", "state", "earned", "adjusted", "held", "released",
                                     "carried", "recovered", "paid", "balance_owed"])
    wide = rows.pivot_table(index=["pay_period", "state"], columns="kind", values="cents",
                            aggfunc="sum", fill_value=0).reset_index()
    for kind in ("earned", "adjustment", "hold", "release", "carry", "recovery"):
        if kind not in wide:
            wide[kind] = 0
    out = pd.DataFrame({"period": wide["pay_period"], "state": wide["state"],
                        "earned": wide["earned"] / 100, "adjusted": wide["adjustment"] / 100,
                        "held": wide["hold"] / 100, "released": wide["release"] / 100,
                        "carried": wide["carry"] / 100, "recovered": wide["recovery"] / 100})
    out["paid"] = out[["earned", "adjusted", "held", "released", "carried",
                       "recovered"]].sum(axis=1)
    out["balance_owed"] = (out["carried"] + out["recovered"]).cumsum()
    return out
