"""Explain a payee's month: every line with the numbers and deals behind it.

It reads the arrays the components kept while evaluating (no second calculation),
and the credits that fed the measure in the window the component looked at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.currencies import decimals
from compplan.core.money import format_minor
from compplan.engine.components import ComponentResult, credit_cap, credit_signs
from compplan.engine.filters import evaluate
from compplan.engine.result import Evaluation, PlanResult
from compplan.engine.schedules import marginal_slices, reached_rate, tier_bounds, tier_index
from compplan.engine.sources import credit_columns
from compplan.engine.trace import ParamRead, Step, read
from compplan.errors import InputError, Issue
from compplan.schema import (
    Commission,
    Component,
    Draw,
    LevelTable,
    PayoutCurve,
    Plan,
    RateTable,
    Spiff,
)
from compplan.schema.expressions import names, parse
from compplan.schema.filters import filter_columns

_MAX_DEALS = 25


def _num(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:,.2f}"


def _pct(value: float) -> str:
    return "-" if np.isnan(value) else f"{value * 100:.2f} %"


def _window(period: str, month: int) -> tuple[int, int, int]:
    """First month, last month (inclusive) and the trace column for a month."""
    if period == "ytd":
        return 0, month, month
    if period == "quarter":
        q = month // 3
        return q * 3, q * 3 + 2, q
    if period == "year":
        return 0, 11, 0
    return month, month, month


def _schedule_lines(plan: Plan, index: int, comp: Commission, x: float,
                    tier: float, private: bool) -> list[str]:
    """The schedule's part in a line: the slices of a marginal schedule, or the tier a
    retroactive one reached, each rate with the plan line it is written on."""
    if np.isnan(x):
        return []
    tiers = comp.schedule.tiers
    pct = comp.basis == "attainment"
    if comp.schedule.pays_amounts:
        return _amount_lines(comp, x)

    def rate(k: int) -> ParamRead:
        return read(plan, ("components", index, "schedule", "tiers", k, "rate"),
                    short=private)

    if comp.schedule.mode == "marginal":
        slices = marginal_slices(comp.schedule, np.array([x]))[0]
        out = []
        for k, (each, part) in enumerate(zip(tiers, slices, strict=True)):
            if part > 0:
                size = f"{part * 100:.2f}%" if pct else f"{part:,.2f}"
                out.append(f"      tier from {each.from_:g}: {size} x {rate(k)}")
        return out
    reached = float(reached_rate(comp.schedule, np.array([x]))[0])
    out = [f"      {comp.schedule.mode} rate reached: {reached:g} on all of {x:,.4g}"]
    if not np.isnan(tier) and comp.schedule.mode == "retroactive":
        out.append(f"      tier {int(tier) + 1} from {tiers[int(tier)].from_:g}: {rate(int(tier))}")
    return out


def _amount_lines(comp: Commission, x: float) -> list[str]:
    """Amount tiers: the part of each tier covered and what it pays (marginal), or the
    tier reached and its amount (retroactive)."""
    tiers = comp.schedule.tiers
    pct = comp.basis == "attainment"

    def num(v: float) -> str:
        return f"{v * 100:.2f}%" if pct else f"{v:,.2f}"

    if comp.schedule.mode == "retroactive":
        k = int(tier_index(np.array([t.from_ for t in tiers]), np.array([x]))[0])
        if k < 0 or x <= 0:
            return [f"      below the first tier ({num(tiers[0].from_)}): no amount"]
        return [f"      tier reached from {num(tiers[k].from_)}: amount {tiers[k].amount:,.2f}"]
    slices = marginal_slices(comp.schedule, np.array([x]))[0]
    ends = tier_bounds(comp.schedule)[0][1:].tolist()
    out = []
    for tier, end, part in zip(tiers, ends, slices, strict=False):
        if part > 0:
            width = end - tier.from_
            out.append(f"      tier {num(tier.from_)} to {num(end)}: {num(part)} of "
                       f"{num(width)} x amount {tier.amount:,.2f} = "
                       f"{part / width * (tier.amount or 0):,.2f}")
    return out


def _credit_notes(result: Evaluation, pr: PlanResult, comp: Component, measure: str,
                  shown: pd.DataFrame) -> list[str]:
    """What each shown credit earns under a per-credit component (rate table, SPIFF)."""
    if not isinstance(comp, RateTable | Spiff):
        return [""] * len(shown)
    m = pr.frame.plan.measures[measure]
    src = shown["source_idx"].to_numpy(dtype=np.int64)
    look = shown["lookup_idx"].to_numpy(dtype=np.int64)
    value = shown["credit_value"].to_numpy(dtype=np.float64)
    if isinstance(comp, RateTable):
        keys = credit_columns(result.inputs, m, src, look, [comp.key])[comp.key].astype(str)
        notes = []
        for key, v in zip(keys.tolist(), value.tolist(), strict=True):
            rate = 0.0 if key in comp.exclude else comp.rates.get(key, comp.default)
            if rate is None:
                notes.append(f" -> {comp.key} {key}: no rate")
                continue
            capped = float(np.sign(v * rate) * credit_cap(np.array([abs(v * rate)]), comp.cap)[0])
            cut = (f" (capped at {comp.cap.amount:,.2f} a credit)"
                   if comp.cap is not None and comp.cap.amount is not None and capped != v * rate
                   else "")
            notes.append(f" -> {comp.key} {key} x {rate:g} = {capped:,.2f}{cut}")
        return notes
    cols = sorted(filter_columns(comp.filter))
    ok = (evaluate(comp.filter, credit_columns(result.inputs, m, src, look, cols))
          if comp.filter is not None else np.ones(len(shown), dtype=bool))
    sign = credit_signs(pr.frame, result.inputs, measure, shown)
    share = shown["credit_share"].to_numpy(dtype=np.float64) if comp.per_split else 1.0
    each = comp.amount * share * sign
    return [f" -> {e:,.2f}" if q else " -> does not qualify" for q, e in
            zip(ok.tolist(), np.broadcast_to(each, ok.shape).tolist(), strict=True)]


def _deal_lines(result: Evaluation, pr: PlanResult, comp: Component, local: int, measure: str,
                first: int, last: int, private: bool) -> list[str]:
    c = pr.frame.credits.frame
    mine = c[(c["local"] == local) & (c["measure"] == measure) & (c["month"] >= first)
             & (c["month"] <= last)].sort_values("credit_date", kind="stable")
    out = [f"    credits ({len(mine)}):"]
    shown = mine.head(_MAX_DEALS)
    notes = _credit_notes(result, pr, comp, measure, shown)
    for row, note in zip(shown.to_dict("records"), notes, strict=True):
        date = pd.Timestamp(str(row["credit_date"])).date()
        via = f", {row['via']}" if row["via"] and not private else ""
        rate = float(row.get("fx_rate", 1.0))
        fx = f", converted at {rate:.6g}" if rate != 1.0 else ""
        out.append(f"      {date} {row.get('deal_id', '')} {row['credit_kind']} "
                   f"{float(row['credit_value']):,.2f} (share {float(row['credit_share']):g}{via}"
                   f"{fx}){note}")
    if len(mine) > _MAX_DEALS:
        out.append(f"      ... and {len(mine) - _MAX_DEALS} more (see credits.csv)")
    return out


def _reversal_lines(res: ComponentResult, local: int, first: int, last: int) -> list[str]:
    """Clawbacks of earlier periods this line takes back (see compplan.engine.reversals)."""
    r = res.reversals
    if r is None:
        return []
    mine = r[(r["local"] == local) & (r["month"] >= first) & (r["month"] <= last)]
    return [f"    reverses {deal} of {period}: {amount:,.2f}" for deal, period, amount in
            zip(mine["deal_id"], mine["reverses"], mine["amount"], strict=True)]


def _draw_lines(comp: Draw, t: dict[Step, float]) -> list[str]:
    """How a draw settled its period: against what, topped up or recovered, and the
    balance owed after it."""
    against = ", ".join(comp.components) if comp.components else "all variable pay"
    out = [f"    draw {_num(t[Step.DRAW])} against earned {_num(t[Step.AGAINST])} ({against})"]
    if t[Step.TOP_UP]:
        booked = "; added to the balance owed" if comp.recoverable else "; never recovered"
        out.append(f"    top-up to the draw: {_num(t[Step.TOP_UP])}{booked}")
    if t[Step.RECOVERED]:
        most = (f", at most {comp.max_recovery:,.2f}" if comp.max_recovery else "")
        out.append(f"    recovered from earnings above the draw: {_num(t[Step.RECOVERED])}{most}")
    if t[Step.FORGIVEN]:
        out.append(f"    balance forgiven: {_num(t[Step.FORGIVEN])}")
    if comp.recoverable:
        out.append(f"    draw balance owed after this {comp.period}: {_num(t[Step.BALANCE])}")
    return out


def _derived_lines(pr: PlanResult, comp: Component, local: int, period: str, first: int,
                   last: int) -> list[str]:
    """For a measure derived per period: its expression and its parts' values over the
    component's window (parts that add up over months)."""
    m = pr.frame.plan.measures.get(str(getattr(comp, "measure", "")))
    if m is None or m.period is None:
        return []
    parts = []
    for part in names(parse(m.period)):
        pm = pr.frame.plan.measures[part]
        if pm.derived or pm.aggregate != "sum":
            continue
        total = float(pr.frame.values[part][local, first:last + 1].sum())
        parts.append(f"{part} {_num(total)}")
    window = "year to date" if period == "ytd" else f"the {period}"
    return [f"    {getattr(comp, 'measure', '')} = {m.period}: {', '.join(parts)} (over {window})"]


def _conversion_lines(result: Evaluation, pr: PlanResult, component: str, local: int,
                      label: str) -> list[str]:
    """For a line paid in another currency than its plan's: the pay currency amount and
    the rate (the second conversion point, see :mod:`compplan.engine.pay_currency`)."""
    lines = result.lines
    payee = pr.frame.seats["payee_id"].to_numpy()[local]
    hit = lines[(lines["payee_id"] == payee) & (lines["plan"] == pr.frame.plan.plan)
                & (lines["period"] == label) & (lines["component"] == component)]
    moved = hit[hit["currency"] != hit["plan_currency"]]
    if moved.empty:
        return []
    row = moved.iloc[0]
    code, plan_code = str(row["currency"]), str(row["plan_currency"])
    paid = format_minor([int(row["cents"])], decimals(code))[0]
    policy = pr.frame.plan.fx.rate.replace("_", " ")
    return [f"    paid in {code}: {paid} = {float(row['plan_amount']):,.{decimals(plan_code)}f} "
            f"{plan_code} x {float(row['fx_rate']):.6g} ({plan_code}->{code}, {policy} rate "
            f"for {label})"]


def _pay_notes(res: ComponentResult, local: int, month: int, label: str, t: dict[Step, float],
               places: int) -> list[str]:
    """What the total caps cut this month, and how a year-to-date line is a true-up."""
    out = []
    if res.capped is not None and res.capped[local, month]:
        cut = format_minor([int(res.capped[local, month])], places)[0]
        out.append(f"    total cap (caps): {cut} this month")
    if res.period == "ytd" and month > 0:
        prev = float(np.asarray(res.trace[Step.EARNED])[local, month - 1])
        out.append(f"    paid = round({_num(t[Step.EARNED])}) - round({_num(prev)}) earned "
                   f"through {label[:5]}{month:02d}")
    return out


def _step_lines(pr: PlanResult, res: ComponentResult, index: int, local: int,
                window: tuple[int, int, int], t: dict[Step, float],
                private: bool = False) -> list[str]:
    """The steps a line went through, in order: measure, attainment, schedule or
    curve, factor, target, gate, earned; each plan parameter with the line it is on."""
    comp, plan = res.component, pr.frame.plan
    first, last, col = window

    def where(*path: str) -> str:
        return read(plan, ("components", index, *path), short=private).where

    out = []
    for key in (Step.VALUE, Step.QUOTA):
        if key in t:
            out.append(f"    {key}: {_num(t[key])}")
    out.extend(_derived_lines(pr, comp, local, res.period, first, last))
    if Step.ATTAINMENT in t:
        out.append(f"    attainment: {_pct(t[Step.ATTAINMENT])}")
    if isinstance(comp, Commission):
        basis = t.get(Step.ATTAINMENT, t.get(Step.VALUE, np.nan))
        out.extend(_schedule_lines(plan, index, comp, basis, t.get(Step.TIER, np.nan),
                                   private))
    if isinstance(comp, PayoutCurve):
        pts = ", ".join(f"({p.attainment:g}, {p.payout:g})" for p in comp.points)
        out.append(f"    curve points {pts}, below first point {comp.below:g}; "
                   f"weight {comp.weight:g} (from {where('points')})")
    if isinstance(comp, LevelTable):
        scores = np.asarray(res.trace[Step.GOAL_SCORE])[local, col]
        levels = np.asarray(res.trace[Step.GOAL_LEVEL])[local, col]
        for k, goal in enumerate(comp.goals):
            out.append(f"    goal {k + 1}: {goal.measure} {goal.basis} {scores[k]:g} "
                       f"(rounded to {goal.decimals}) -> level payout "
                       f"{levels[k]:.2%} x weight {goal.weight:g}")
    if Step.FACTOR in t:
        out.append(f"    factor: {t[Step.FACTOR]:.6g}")
    if Step.TARGET in t:
        out.append(f"    target: {_num(t[Step.TARGET])}")
    gate = getattr(comp, "gate", None)
    if Step.GATE_MET in t and gate is not None:
        held = f"; held until it is: {_num(t[Step.HELD])}" if t[Step.HELD] else ""
        out.append(f"    gate ({gate.period} attainment >= {gate.at_least:g}): "
                   f"{'met' if t[Step.GATE_MET] else 'not met'}{held} (from {where('gate')})")
    if Step.EARNED in t:
        out.append(f"    earned: {_num(t[Step.EARNED])}")
    return out


def _component_lines(result: Evaluation, pr: PlanResult, res: ComponentResult, local: int,
                     month: int, label: str, private: bool = False) -> list[str]:
    comp = res.component
    cents = int(res.cents[local, month])
    plan_places = decimals(pr.frame.plan.currency)
    out = [f"  {comp.id} ({comp.kind}, {res.period}): {format_minor([cents], plan_places)[0]}"]
    out.extend(_conversion_lines(result, pr, comp.id, local, label))
    first, last, col = _window(res.period, month)
    t = {k: float(np.asarray(v)[local, col]) for k, v in res.trace.items()
         if np.ndim(v) == 2}
    plan = pr.frame.plan
    index = next(i for i, c in enumerate(plan.components) if c.id == comp.id)
    rule = read(plan, ("components", index), short=private)
    out.append(f"    rule: components[{index}] at {rule.where}")
    if res.period in ("quarter", "year") and month != last:
        out[0] += f"  (measured over the {res.period}, paid in its last month)"
    if comp.kind == "salary":
        out.append(f"    annual {_num(t[Step.ANNUAL])} / 12 x proration {t[Step.PRORATION]:.6g}")
        return out
    if isinstance(comp, Draw):
        return out + _draw_lines(comp, t) if month == last else out
    out.extend(_step_lines(pr, res, index, local, (first, last, col), t, private))
    out.extend(_reversal_lines(res, local, first, last))
    out.extend(_pay_notes(res, local, month, label, t, plan_places))
    if isinstance(comp, RateTable):
        rates = ", ".join(f"{k} {v:g}" for k, v in comp.rates.items())
        out.append(f"    rates by {comp.key}: {rates}; default {comp.default}")
    measure = getattr(comp, "measure", None)
    if measure is None and hasattr(comp, "condition"):
        measure = next(iter(comp.condition.weight_map()))
    if measure is not None:
        lo, hi = (month, month) if isinstance(comp, Spiff) else (first, last)
        out.extend(_deal_lines(result, pr, comp, local, measure, lo, hi, private))
    return out


def _month(result: Evaluation, period: str) -> int:
    labels = [f"{result.year}-{m:02d}" for m in range(1, 13)]
    if period not in labels:
        raise InputError([Issue("--period", f"{period!r} is not a month of {result.year} "
                                            "(expected YYYY-MM)")])
    return labels.index(period)


def explain_components(result: Evaluation, payee_id: str, period: str,
                       private: bool = False) -> list[tuple[str, str, list[str]]]:
    """(plan, component id, lines) for each component of each seat of a payee in a month.

    ``private`` leaves out who a roll-up credit came from, for a payee's own statement.
    """
    month = _month(result, period)
    seats = result.seats[result.seats["payee_id"] == payee_id]
    if seats.empty:
        raise InputError([Issue("--payee", f"payee {payee_id!r} is not in the roster")])
    out = []
    for plan_id in seats["plan"].unique():
        pr = result.by_plan[plan_id]
        for local in np.flatnonzero(pr.frame.seats["payee_id"].to_numpy() == payee_id):
            for res in pr.components:
                lines = _component_lines(result, pr, res, int(local), month, period, private)
                out.append((str(plan_id), res.component.id, lines))
    return out


def explain(result: Evaluation, payee_id: str, period: str) -> str:
    """Text explaining each component of a payee for one month ``YYYY-MM``."""
    parts = explain_components(result, payee_id, period)
    out = [f"{payee_id} {period}"]
    seats = result.seats[result.seats["payee_id"] == payee_id]
    shown: set[str] = set()
    for plan_id, _, lines in parts:
        if plan_id not in shown:
            shown.add(plan_id)
            mine = seats[seats["plan"] == plan_id]
            spans = ", ".join(f"{pd.Timestamp(a).date()} .. {pd.Timestamp(b).date()}"
                              for a, b in zip(mine["start"], mine["end"], strict=True))
            out.append(f"plan {plan_id}: seat {spans}")
        out.extend(lines)
    mine = result.lines[result.lines["payee_id"] == payee_id]
    total = mine[mine["period"] == period]["cents"].sum()
    code = str(mine["currency"].iloc[0]) if len(mine) else result.default_currency
    several = result.lines["currency"].nunique() > 1
    out.append(f"total {period}: {format_minor([int(total)], decimals(code))[0]}"
               + (f" {code}" if several else ""))
    return "\n".join(out)
