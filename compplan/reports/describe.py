"""Plans in words: one readable line per component, for reports and statements."""

from __future__ import annotations

from compplan.schema import (
    Advance,
    Bonus,
    Cap,
    Commission,
    Component,
    Condition,
    Draw,
    LevelTable,
    Multiplier,
    PayoutCurve,
    Plan,
    RateTable,
    Salary,
    Schedule,
    Spiff,
)


def _schedule(s: Schedule, unit: str) -> str:
    tiers = "; ".join(f"from {t.from_:g}{unit}" + (f" to {t.to:g}{unit}" if t.to is not None
                                                   else "")
                      + (f": pays {t.amount:,.2f}" if t.amount is not None else f": {t.rate:g}")
                      for t in s.tiers)
    return f"{s.mode} tiers ({tiers})"


def _cap(cap: Cap | None) -> str:
    if cap is None:
        return ""
    bound = f"{cap.amount:,.2f}" if cap.amount is not None else f"{cap.target_multiple:g} x target"
    return f"; cap {bound} per {cap.per}"


def _condition(cond: Condition | None, word: str) -> str:
    if cond is None:
        return ""
    parts = cond.weight_map()
    weights = (next(iter(parts)) if len(parts) == 1 and next(iter(parts.values())) == 1
               else " + ".join(f"{w:g} x {m}" for m, w in parts.items()))
    return f"; {word} attainment of {weights} >= {cond.at_least:.0%}"


def _multiplier(mult: Multiplier | None) -> str:
    if mult is None:
        return ""
    steps = ", ".join(f"x{t.factor:g} from {t.from_:.0%}" for t in mult.tiers)
    return f"; multiplier on {mult.measure} attainment: x{mult.below:g} below, {steps}"


def _per(period: str) -> str:
    return "year to date (monthly true-up)" if period == "ytd" else period


def describe(comp: Component) -> str:
    """One line saying what a component pays, in the plan's own terms."""
    if isinstance(comp, Salary):
        return f"annual {comp.column} / 12 each month" + (", prorated" if comp.prorate else "")
    if isinstance(comp, Commission):
        unit = " x quota" if comp.basis == "attainment" else ""
        base = (f"target x f(attainment of {comp.measure})" if comp.basis == "attainment"
                else f"f({comp.measure}{' per credit' if comp.apply == 'per_credit' else ''})")
        return (f"{base} per {_per(comp.period)}, {_schedule(comp.schedule, unit)}{_cap(comp.cap)}"
                f"{_condition(comp.gate, 'gate:')}{_multiplier(comp.multiplier)}")
    if isinstance(comp, RateTable):
        rates = ", ".join(f"{k} {v:g}" for k, v in comp.rates.items())
        extra = f"; default {comp.default:g}" if comp.default is not None else "; no default"
        excl = f"; excludes {', '.join(comp.exclude)}" if comp.exclude else ""
        return (f"{comp.measure} x rate by {comp.key} ({rates}){extra}{excl} per {comp.period}"
                f"{_cap(comp.cap)}{_condition(comp.gate, 'gate:')}{_multiplier(comp.multiplier)}")
    if isinstance(comp, PayoutCurve):
        pts = ", ".join(f"{p.attainment:.0%} -> {p.payout:g}" for p in comp.points)
        return (f"{comp.weight:g} x target x curve of {comp.measure} attainment per "
                f"{_per(comp.period)} ({pts}; below the first point {comp.below:g}; flat after the "
                f"last){_condition(comp.gate, 'gate:')}")
    if isinstance(comp, LevelTable):
        goals = "; ".join(
            f"{g.weight:g} x {g.measure} {g.basis} rounded to {g.decimals} decimals: "
            + ", ".join(f"from {lv.from_:g} {lv.payout:.0%}" for lv in g.levels)
            for g in comp.goals)
        return f"target x level payouts per {comp.period} ({goals})"
    if isinstance(comp, Bonus):
        what = f"{comp.amount:,.2f}" if comp.amount is not None else "a share of target"
        end = ", if active on the period's last day" if comp.active_at_period_end else ""
        return f"{what} per {comp.period}{_condition(comp.condition, 'when')}{end}"
    if isinstance(comp, Draw):
        return _draw_words(comp)
    if isinstance(comp, Advance):
        when = f"in the first {comp.first_months} months" if comp.first_months else "each month"
        most = f", at most {comp.max_recovery:,.2f} a month" if comp.max_recovery else ""
        return (f"advance of {comp.amount:,.2f} {when} on top of variable pay, recovered from "
                f"later variable pay{most}")
    assert isinstance(comp, Spiff)
    per = " x split" if comp.per_split else ""
    return f"{comp.amount:,.2f}{per} per qualifying {comp.measure} credit; reversed by clawback"


def _draw_words(comp: Draw) -> str:
    when = (f"in the first {comp.window} {comp.period}s" if comp.window
            else f"each {comp.period}")
    against = ", ".join(comp.components) if comp.components else "all variable pay"
    head = f"draw of {comp.amount:,.2f} {when}: pays at least the draw against {against}"
    if not comp.recoverable:
        return f"{head}; the top-up is never recovered"
    most = f", at most {comp.max_recovery:,.2f} a {comp.period}" if comp.max_recovery else ""
    start = f", from the {comp.recover_from}th {comp.period} on" if comp.recover_from else ""
    end = (f"; a balance left is forgiven at {' or '.join(comp.forgive)}".replace("_", " ")
           if comp.forgive else "; a balance left is carried into the next year")
    return f"{head}; top-ups are recovered from earnings above the draw{most}{start}{end}"


def plan_rows(plan: Plan) -> list[dict[str, str]]:
    """Rows for a Plans sheet: plan, component, kind, pays every, rule."""
    return [{"plan": plan.plan, "component": c.id, "kind": c.kind,
             "paid": getattr(c, "pay_every", "month"), "rule": describe(c)}
            for c in plan.components]
