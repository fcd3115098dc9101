"""Components: turn measure arrays into payout lines, in integer cents.

Every evaluator works on whole ``(seats, periods)`` arrays and returns the cents it
pays per seat and month, plus the intermediate arrays (value, quota, attainment,
target, factor, earned) that :mod:`compplan.reports.explain` prints.

Rounding (see :mod:`compplan.core.money`): a per-period line is rounded on its own; a
``ytd`` component pays ``round(E_m) - round(E_{m-1})`` so its months add up to the
rounded year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.currencies import decimals as currency_decimals
from compplan.core.money import AmountOverflowError, Cents, cumulative_lines, to_minor
from compplan.core.periods import PERIODS_IN_YEAR, fold, month_of_period_end
from compplan.engine import draws, gates, reversals
from compplan.engine.credits import clawback_part
from compplan.engine.exception_rows import exception_frame
from compplan.engine.filters import evaluate
from compplan.engine.measures import Floats, PlanFrame, monthly_sum
from compplan.engine.schedules import (
    apply_curve,
    apply_schedule,
    level_payout,
    nan_as,
    round_half_up,
    snap_attainment,
)
from compplan.engine.seat_quotas import quota_array
from compplan.engine.sources import credit_columns
from compplan.engine.total_caps import apply_caps
from compplan.engine.trace import Step, Trace, tier_reached
from compplan.errors import InputError, Issue
from compplan.inputs.bundle import Inputs
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
    RateTable,
    Salary,
    Spiff,
    Target,
    expressions,
)
from compplan.schema.filters import filter_columns

_DIVISOR = {"month": 12.0, "quarter": 4.0, "year": 1.0, "ytd": 1.0}
_PAY_MONTHS = {"month": np.arange(12), "quarter": np.array([2, 5, 8, 11]), "year": np.array([11])}


@dataclass
class ComponentResult:
    """What one component pays each seat each month, and how it got there."""

    component: Component
    cents: Cents
    period: str
    trace: Trace = field(default_factory=dict)
    reversals: pd.DataFrame | None = None  # clawbacks priced on their own (reversals.py)
    capped: Cents | None = None  # what the plan's total caps cut, per month (total_caps.py)
    findings: tuple[pd.DataFrame, ...] = ()
    """Exception rows this component found (a gate never met, a rate missing, a draw
    balance left): returned with its pay, never written into a shared sink."""
    per_credit: Floats | None = None
    """What each credit of the component's measure earned, in the order of
    ``PlanCredits.of(measure)``, for components paid per credit (a SPIFF, a rate table,
    a per-credit commission): commission accounting allocates their pay by it."""


@dataclass
class Context:
    """A plan frame with the other inputs, and the values components share, each
    computed once on first use (quotas, derived measures, earlier clawbacks).

    A shared value found wanting (a seat with no quota, a ratio divided by zero) keeps
    its exception rows beside it in ``_found``, keyed like the value: they are part of
    what computing it returned, and :meth:`findings` hands them on.
    """

    pf: PlanFrame
    inputs: Inputs
    pay: dict[str, Cents] = field(default_factory=dict)
    """Each evaluated component's pay by id (after total caps): what draws and advances
    are measured against."""
    _quotas: dict[tuple[str, str], Floats] = field(default_factory=dict)
    _shared: dict[tuple[str, ...], tuple[Floats, ...]] = field(default_factory=dict)
    """Values and attainments by measure and period, computed once for every component
    that reads them (read-only: a component that changed one would change the others')."""
    traced: bool = True
    """Whether components keep the trace arrays only ``explain`` reads that cost a pass
    of their own (the tier reached); Monte Carlo draws have no use for them."""
    _found: dict[tuple[str, str, str], pd.DataFrame] = field(default_factory=dict)
    tiled_from: Context | None = None
    """For Monte Carlo: the context of the seats this one repeats, block after block
    (all with the same quotas): its quotas are computed there once and repeated here."""
    cross: dict[str, reversals.CrossPeriod | None] = field(default_factory=dict)
    """Per commission id, its clawbacks of earlier periods (found from the credits, or
    given: Monte Carlo draws carry the baseline's, scaled, as they carry no credits)."""
    taken: npt.NDArray[np.int64] | None = None
    """With ``tiled_from``: the seat of that context each seat here copies, when the
    seats are not whole repeated blocks (a forecast's copies of the seats a deal moves)."""
    credited: dict[str, Floats] = field(default_factory=dict)
    """Per component paid per credit (a SPIFF, a rate table, a per-credit commission):
    what its credits earn per seat and month, when given rather than found from the
    credits (a forecast's draws add the credits of the deals they close to the run's)."""

    @property
    def decimals(self) -> int:
        """Minor units of the plan's currency: the plan's lines are rounded to them."""
        return currency_decimals(self.pf.plan.currency)

    @property
    def scale(self) -> int:
        return int(10**self.decimals)

    def money(self, amount: npt.ArrayLike) -> Cents:
        """Amounts in the plan's currency as its minor units, rounded half-up."""
        return to_minor(amount, self.decimals)

    def paid(self, amount: Floats, period: str, pay_every: str = "month") -> Cents:
        """:func:`pay` in the plan's currency."""
        return pay(amount, period, pay_every, self.decimals)

    def basis(self, period: str) -> str:
        return "year" if period == "ytd" else period

    def _once(self, key: tuple[str, ...], compute: Callable[[], tuple[Floats, ...]]
              ) -> tuple[Floats, ...]:
        if key not in self._shared:
            got = compute()
            for array in got:
                array.flags.writeable = False
            self._shared[key] = got
        return self._shared[key]

    def value(self, measure: str, period: str, for_quota: bool = False) -> Floats:
        """Measure value per period; for ``ytd`` the running total per month. A derived
        measure combines its parts' values of the same period (a ratio of sums)."""
        return self._once(("value", measure, period, str(for_quota)),
                          lambda: (self._value(measure, period, for_quota),))[0]

    def _value(self, measure: str, period: str, for_quota: bool) -> Floats:
        if self.pf.plan.measures[measure].derived:
            return self._derived(measure, period, for_quota)
        monthly = (self.pf.quota_values if for_quota else self.pf.values)[measure]
        total = np.cumsum(monthly, axis=1) if period == "ytd" else fold(monthly, period)
        if self.pf.plan.measures[measure].aggregate == "sum":
            return total
        counts = self.pf.counts[measure]
        n = np.cumsum(counts, axis=1) if period == "ytd" else fold(counts, period)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, total / np.where(n > 0, n, 1.0), np.nan)

    def _derived(self, measure: str, period: str, for_quota: bool) -> Floats:
        """Evaluate a derived measure; a division by zero (of a value that is not zero)
        pays nothing and is reported once per seat and period."""
        text = self.pf.plan.measures[measure].period
        assert text is not None
        got = expressions.evaluate(expressions.parse(text),
                                   lambda part: self.value(part, period, for_quota))
        shape = (self.pf.size, PERIODS_IN_YEAR[period])
        flagged = np.broadcast_to(got.zero_division, shape)
        if flagged.any() and ("derived", measure, period) not in self._found:
            seat, col = np.nonzero(flagged)
            labels = np.array(self.pf.calendar.labels("month" if period == "ytd" else period))
            self._found["derived", measure, period] = (exception_frame(
                len(seat), file=self.inputs.roster.file,
                payee_id=self.pf.seats["payee_id"].to_numpy()[seat], plan=self.pf.plan.plan,
                measure=measure, period=labels[col],
                reason=f"{measure} = {text}: division by zero, no pay"))
        return np.asarray(np.broadcast_to(got.values, shape), dtype=np.float64)

    def quota(self, measure: str, period: str) -> Floats:
        key = (measure, period)
        if key not in self._quotas and self.tiled_from is not None:
            base = self.tiled_from.quota(measure, period)
            if self.taken is not None:
                self._quotas[key] = base[self.taken]
            else:
                blocks = self.pf.size // max(self.tiled_from.pf.size, 1)
                self._quotas[key] = np.tile(base, (blocks, 1))
        if key not in self._quotas:
            self._quotas[key], missing = quota_array(self.pf, measure, period, self.inputs)
            if missing is not None:
                self._found["quota", measure, period] = missing
        return self._quotas[key]

    def keep(self, key: tuple[str, str, str], found: pd.DataFrame) -> None:
        """Keep the exception rows of a shared value beside it (once per key)."""
        self._found.setdefault(key, found)

    def findings(self) -> list[pd.DataFrame]:
        """The exception rows of the shared values computed so far, in the order they
        were computed."""
        return list(self._found.values())

    def attainment(self, measure: str, period: str) -> tuple[Floats, Floats, Floats]:
        """Value, quota and attainment of a measure per period (once per context)."""
        def compute() -> tuple[Floats, ...]:
            value = self.value(measure, period, for_quota=True)
            quota = np.broadcast_to(self.quota(measure, period), value.shape)
            return value, quota, snap_attainment(value, quota)

        value, quota, attainment = self._once(("attainment", measure, period), compute)
        return value, quota, attainment

    def target(self, target: Target, period: str) -> Floats:
        """Target incentive per period: annual / (12 | 4 | 1) x share x proration."""
        n = self.pf.size
        if target.amount is not None:
            annual = np.full(n, target.amount)
        elif target.column and target.column in self.pf.seats:
            annual = np.nan_to_num(self.pf.seats[target.column].to_numpy(dtype=np.float64))
        else:
            annual = np.zeros(n)
        basis = self.basis(period)
        per = annual[:, None] / _DIVISOR[period] * target.share * np.ones_like(
            self.pf.prorate[basis])
        if target.prorate:
            per = per * self.pf.prorate[basis]
        return np.broadcast_to(per, (n, 12)) if period == "ytd" else per

    def gate(self, cond: Condition | None, period: str) -> np.ndarray:
        """Where a condition on (weighted) attainment holds, at each period of a kind;
        everywhere without one. A condition over a period of its own is looked at as
        of each period's last month (:mod:`compplan.engine.gates`)."""
        if cond is None:
            return np.ones((self.pf.size, PERIODS_IN_YEAR[period]), dtype=bool)
        own = cond.period or period
        total = np.zeros((self.pf.size, PERIODS_IN_YEAR[own]))
        for measure, weight in cond.weight_map().items():
            total = total + weight * self.attainment(measure, own)[2]
        met = nan_as(np.round(total, 12), -np.inf) >= cond.at_least
        return met if own == period else gates.at_pay_points(met, own, period)


def _gated(ctx: Context, comp: Commission | RateTable | PayoutCurve, amount: Floats,
           trace: Trace) -> tuple[Floats, list[pd.DataFrame]]:
    """What a gated component pays: nothing in a period whose gate is not met, or,
    with a gate over a period of its own, held until a pay point where it is."""
    cond = comp.gate
    met = ctx.gate(cond, comp.period)
    if cond is None or (cond.period or comp.period) == comp.period or cond.missed == "forfeit":
        return np.where(met, amount, 0.0), []
    cumulative = comp.period == "ytd"
    paid, held = gates.hold_until_met(amount, met, cumulative)
    trace[Step.GATE_MET] = met.astype(np.float64)
    trace[Step.HELD] = (amount - paid if cumulative
                     else np.cumsum(amount, axis=1) - np.cumsum(paid, axis=1))
    left = held > 0.005
    if not left.any():
        return paid, []
    seats = ctx.pf.seats[left]
    return paid, [exception_frame(
        int(left.sum()), file=ctx.inputs.roster.file, payee_id=seats["payee_id"],
        plan=ctx.pf.plan.plan, value=held[left],
        reason=f"{comp.id}: held for its gate ({cond.period} attainment >= "
               f"{cond.at_least:g}), never met by the end of the year: not paid")]


def _cap_value(ctx: Context, cap: Cap, target: Target | None, period: str) -> Floats:
    if cap.amount is not None:
        return np.full((ctx.pf.size, 1), cap.amount)
    assert cap.target_multiple is not None
    tgt = target or Target()
    base_period = period if cap.per == "period" else "year"
    return cap.target_multiple * ctx.target(tgt, base_period)


def _multiply(ctx: Context, amount: Floats, mult: Multiplier | None, period: str) -> Floats:
    """Scale by the factor of the attainment tier reached (accelerator/decelerator)."""
    if mult is None:
        return amount
    attainment = ctx.attainment(mult.measure, period)[2]
    starts = np.array([t.from_ for t in mult.tiers])
    factors = np.array([t.factor for t in mult.tiers])
    a = nan_as(attainment, -np.inf)
    idx = np.searchsorted(starts, a, side="right") - 1
    factor = np.where(idx >= 0, factors[np.clip(idx, 0, None)], mult.below)
    return amount * factor


def credit_cap(each: Floats, cap: Cap | None) -> Floats:
    """Each credit's (non-negative) amount, at most a per-credit cap; a clawback is
    signed afterwards, so it reverses the capped amount."""
    if cap is None or cap.per != "credit" or cap.amount is None:
        return each
    return np.minimum(each, cap.amount)


def _apply_cap(ctx: Context, amount: Floats, cap: Cap | None, target: Target | None,
               period: str) -> Floats:
    if cap is None or cap.per == "credit":  # applied to each credit already
        return amount
    limit = _cap_value(ctx, cap, target, period)
    if cap.per == "period" or period == "ytd":
        return np.minimum(amount, limit)
    running = np.minimum(np.cumsum(amount, axis=1), limit)
    return np.diff(running, axis=1, prepend=0.0)


def pay(amount: Floats, period: str, pay_every: str = "month", decimals: int = 2) -> Cents:
    """Place per-period amounts in their pay months as cents (ytd: as true-ups).

    Each period's line is rounded on its own, then held to the next pay month; a
    ``ytd`` amount is paid as ``round(E) - round(E at the previous pay month)``.
    """
    n = amount.shape[0]
    cents = np.zeros((n, 12), dtype=np.int64)
    months = _PAY_MONTHS[pay_every]
    if period == "ytd":
        cents[:, months] = cumulative_lines(amount[:, months], decimals)
        return cents
    cents[:, month_of_period_end(period)] = to_minor(amount, decimals)
    if pay_every == "month":
        return cents
    running = np.cumsum(cents, axis=1)[:, months]
    held = np.zeros_like(cents)
    held[:, months] = np.diff(running, axis=1, prepend=0)
    return held


def eval_salary(ctx: Context, comp: Salary) -> ComponentResult:
    """Base salary: the annual amount / 12, prorated by the days the seat is active."""
    annual = ctx.pf.seats[comp.column].to_numpy(dtype=np.float64) if comp.column in ctx.pf.seats \
        else np.zeros(ctx.pf.size)
    share = (ctx.pf.prorate["month"] if comp.prorate
             else np.asarray(ctx.pf.prorate["month"] > 0, dtype=np.float64))
    amount = np.nan_to_num(annual)[:, None] / 12.0 * share
    return ComponentResult(comp, ctx.paid(amount, "month"), "month",
                           {Step.ANNUAL: np.broadcast_to(annual[:, None], amount.shape),
                            Step.PRORATION: share, Step.EARNED: amount})


def eval_commission(ctx: Context, comp: Commission) -> ComponentResult:
    """Commission: a schedule over each credit, the measure's value or its attainment
    (x target), gated, capped and clawed back, paid per period or as a year-to-date true-up."""
    trace: Trace = {}
    if comp.apply == "per_credit":
        monthly, each, _ = credited(ctx, comp)
        amount = np.cumsum(monthly, axis=1) if comp.period == "ytd" else fold(monthly,
                                                                               comp.period)
        trace[Step.VALUE] = ctx.value(comp.measure, comp.period)
        return replace(_commission_result(ctx, comp, amount, trace), per_credit=each)
    cross = earlier_clawbacks(ctx, comp)
    if comp.basis == "value":
        x = ctx.value(comp.measure, comp.period)
        if cross is not None:
            x = x - cross.taken_out(ctx.pf.size, comp.period)
        amount = apply_schedule(comp.schedule, x)
        trace[Step.VALUE] = x
        reached = x
    else:
        value, quota, attainment = ctx.attainment(comp.measure, comp.period)
        m = ctx.pf.plan.measures[comp.measure]
        if cross is not None and m.clawback is not None and m.clawback.reduces_quota_credit:
            value = value - cross.taken_out(ctx.pf.size, comp.period)
            attainment = snap_attainment(value, quota)
        x = value
        factor = apply_schedule(comp.schedule, attainment)
        reached = attainment
        if comp.schedule.pays_amounts or comp.target is None:  # amount tiers pay money
            amount = factor
            trace.update({Step.VALUE: value, Step.QUOTA: quota, Step.ATTAINMENT: attainment})
        else:
            target = ctx.target(comp.target, comp.period)
            amount = target * factor
            trace.update({Step.VALUE: value, Step.QUOTA: quota, Step.ATTAINMENT: attainment,
                          Step.TARGET: target, Step.FACTOR: factor})
    if comp.schedule.mode != "interpolated" and ctx.traced:
        starts = np.array([tier.from_ for tier in comp.schedule.tiers], dtype=np.float64)
        trace[Step.TIER] = tier_reached(starts, reached)
    return _commission_result(ctx, comp, amount, trace, cross, x)


def earlier_clawbacks(ctx: Context, comp: Commission) -> reversals.CrossPeriod | None:
    """Clawbacks in this year of commission paid in earlier periods (once per component,
    memoized in the context); their before-the-year part is reported as exceptions."""
    if comp.id in ctx.cross:
        return ctx.cross[comp.id]
    if not reversals.applies(ctx.pf, comp):
        return None
    table = ctx.inputs.table(ctx.pf.plan.measures[comp.measure].table)
    assert table is not None
    cross = reversals.cross_period(ctx.pf, comp, table.frame)
    if (cross.reverses < 0).any():
        ctx.keep(("clawback", comp.id, ""), reversals.before_year_exceptions(ctx.pf, comp,
                                                                            cross))
    ctx.cross[comp.id] = cross if len(cross.local) else None
    return ctx.cross[comp.id]


def _commission_result(ctx: Context, comp: Commission, amount: Floats, trace: Trace,
                       cross: reversals.CrossPeriod | None = None,
                       priced: Floats | None = None) -> ComponentResult:
    """Gate, multiplier and cap, then the reversals of earlier periods' clawbacks."""
    amount, found = _gated(ctx, comp, amount, trace)
    amount = _multiply(ctx, amount, comp.multiplier, comp.period)
    amount = _apply_cap(ctx, amount, comp.cap, comp.target, comp.period)
    notes = None
    if cross is not None and priced is not None:
        before = amount
        amount, each = reversals.reverse(amount, priced, cross, comp.period)
        notes = reversals.memos(cross, each, ctx.pf.calendar.labels(comp.period))
        trace[Step.REVERSED] = amount - before
    trace[Step.EARNED] = amount
    return ComponentResult(comp, ctx.paid(amount, comp.period, comp.pay_every), comp.period, trace,
                           notes, findings=tuple(found))


def eval_curve(ctx: Context, comp: PayoutCurve) -> ComponentResult:
    """Payout curve: target x weight x the curve's payout at the period's attainment."""
    value, quota, attainment = ctx.attainment(comp.measure, comp.period)
    target = ctx.target(comp.target, comp.period)
    factor = apply_curve(comp, attainment)
    amount = target * comp.weight * factor
    trace: Trace = {Step.VALUE: value, Step.QUOTA: quota, Step.ATTAINMENT: attainment,
                    Step.TARGET: target, Step.FACTOR: factor}
    amount, found = _gated(ctx, comp, amount, trace)
    trace[Step.EARNED] = amount
    return ComponentResult(comp, ctx.paid(amount, comp.period, comp.pay_every), comp.period, trace,
                           findings=tuple(found))


def eval_level_table(ctx: Context, comp: LevelTable) -> ComponentResult:
    """Target x the weighted level payouts of the goals' rounded scores."""
    target = ctx.target(comp.target, comp.period)
    factor = np.zeros_like(target)
    trace: Trace = {}
    scores, levels = [], []
    for goal in comp.goals:
        score = (ctx.attainment(goal.measure, comp.period)[2] if goal.basis == "attainment"
                 else ctx.value(goal.measure, comp.period))
        rounded = round_half_up(score, goal.decimals)
        level = level_payout(goal, rounded)
        factor = factor + goal.weight * level
        scores.append(rounded)
        levels.append(level)
    trace[Step.GOAL_SCORE] = np.stack(scores, axis=-1)
    trace[Step.GOAL_LEVEL] = np.stack(levels, axis=-1)
    amount = target * factor
    trace.update({Step.TARGET: target, Step.FACTOR: factor, Step.EARNED: amount})
    return ComponentResult(comp, ctx.paid(amount, comp.period, comp.pay_every), comp.period, trace)


def _measure_credits(ctx: Context, measure: str) -> pd.DataFrame:
    return ctx.pf.credits.of(measure)


def _attributes(ctx: Context, measure: str, credits: pd.DataFrame,
                columns: list[str]) -> pd.DataFrame:
    """Source-row attributes (term, product, account class...) of a measure's credits."""
    return credit_columns(ctx.inputs, ctx.pf.plan.measures[measure],
                          credits["source_idx"].to_numpy(dtype=np.int64),
                          credits["lookup_idx"].to_numpy(dtype=np.int64), columns)


PerCredit = Commission | RateTable | Spiff


def paid_per_credit(comp: Component) -> bool:
    """Whether a component pays each credit on its own (before its period's gates,
    multipliers and caps): a rate table, a SPIFF, a per-credit commission."""
    return isinstance(comp, RateTable | Spiff) or (
        isinstance(comp, Commission) and comp.apply == "per_credit")


def credit_earnings(ctx: Context, comp: PerCredit) -> tuple[pd.DataFrame, Floats,
                                                            list[pd.DataFrame]]:
    """The component's measure credits, what each earns, and the exceptions found (a
    rate missing): each credit on its own, so a forecast prices the credits of a deal
    it closes by the very rule a run pays them with."""
    c = _measure_credits(ctx, comp.measure)
    found: list[pd.DataFrame] = []
    if isinstance(comp, Commission):
        v = c["credit_value"].to_numpy(dtype=np.float64)
        return c, np.sign(v) * credit_cap(apply_schedule(comp.schedule, np.abs(v)),
                                          comp.cap), found
    if isinstance(comp, Spiff):
        columns = sorted(filter_columns(comp.filter))
        qualifies = (evaluate(comp.filter, _attributes(ctx, comp.measure, c, columns))
                     if comp.filter is not None else np.ones(len(c), dtype=bool))
        share = (c["credit_share"].to_numpy(dtype=np.float64) if comp.per_split
                 else np.ones(len(c)))
        return c, np.where(qualifies, comp.amount * share * credit_signs(
            ctx.pf, ctx.inputs, comp.measure, c), 0.0), found
    # each distinct key looked up once (a few product classes for a million credits)
    codes, distinct = pd.factorize(_attributes(ctx, comp.measure, c, [comp.key])[comp.key],
                                   use_na_sentinel=False)
    keys = pd.Series(distinct).astype(str)
    rate = pd.Series(keys.map(comp.rates).astype("float64").to_numpy()[codes])
    excluded = keys.isin(comp.exclude).to_numpy()[codes]
    missing = rate.isna().to_numpy() & ~excluded
    if comp.default is not None:
        rate = rate.fillna(comp.default)
    if comp.default is None and missing.any():
        sub = c[missing]
        found.append(exception_frame(
            len(sub), file=sub["source_file"], row=sub["source_row"],
            deal_id=sub["deal_id"], payee_id=sub["payee_id"],
            plan=ctx.pf.plan.plan, measure=comp.measure, date=sub["credit_date"],
            value=sub["credit_value"],
            reason=(f"{comp.id}: no rate for {comp.key} " + pd.Series(
                keys.to_numpy(dtype=object)[codes[missing]]).map(repr)).to_numpy()))
    rate_v = np.where(excluded, 0.0, rate.fillna(0.0).to_numpy(dtype=np.float64))
    raw = c["credit_value"].to_numpy(dtype=np.float64) * rate_v
    earned = np.sign(raw) * credit_cap(np.abs(raw), comp.cap)
    return c, earned, found


def credited(ctx: Context, comp: PerCredit) -> tuple[Floats, Floats | None,
                                                     list[pd.DataFrame]]:
    """Per seat and month, what the component's credits earn (given in the context, or
    found from its credits); each credit's earnings when found; their exceptions."""
    if comp.id in ctx.credited:
        return ctx.credited[comp.id], None, []
    c, each, found = credit_earnings(ctx, comp)
    monthly = monthly_sum(c["local"].to_numpy(dtype=np.int64),
                          c["month"].to_numpy(dtype=np.int64), each, ctx.pf.size)
    return monthly, each, found


def eval_rate_table(ctx: Context, comp: RateTable) -> ComponentResult:
    """Rate table: each credit's value x the rate of its key (or the default), gated."""
    monthly, earned, found = credited(ctx, comp)
    amount = fold(monthly, comp.period)
    trace = {Step.VALUE: ctx.value(comp.measure, comp.period)}
    amount, gated = _gated(ctx, comp, amount, trace)
    amount = _multiply(ctx, amount, comp.multiplier, comp.period)
    amount = _apply_cap(ctx, amount, comp.cap, None, comp.period)
    trace[Step.EARNED] = amount
    return ComponentResult(comp, ctx.paid(amount, comp.period, comp.pay_every), comp.period, trace,
                           findings=(*found, *gated), per_credit=earned)


def eval_bonus(ctx: Context, comp: Bonus) -> ComponentResult:
    """Bonus: a fixed amount in each period whose condition on attainment is met."""
    met = ctx.gate(comp.condition, comp.period)
    if comp.active_at_period_end:
        _, ends = ctx.pf.calendar.bounds(comp.period)
        start = ctx.pf.seats["start"].to_numpy(dtype="datetime64[D]")[:, None]
        end = ctx.pf.seats["end"].to_numpy(dtype="datetime64[D]")[:, None]
        met = met & (start <= ends[None, :]) & (end >= ends[None, :])
    each = (np.full(met.shape, comp.amount) if comp.amount is not None
            else ctx.target(comp.target or Target(), comp.period))
    amount = np.where(met, each, 0.0)
    trace = {Step.MET: met.astype(np.float64), Step.EARNED: amount}
    for measure in comp.condition.weight_map():
        value, quota, attainment = ctx.attainment(measure, comp.period)
        trace.update({Step.VALUE: value, Step.QUOTA: quota, Step.ATTAINMENT: attainment})
    return ComponentResult(comp, ctx.paid(amount, comp.period, comp.pay_every), comp.period, trace)


def eval_spiff(ctx: Context, comp: Spiff) -> ComponentResult:
    """SPIFF: an amount or rate per qualifying credit (filter, once per deal), in its month."""
    monthly, each, _ = credited(ctx, comp)
    return ComponentResult(comp, ctx.paid(monthly, "month", comp.pay_every), "month",
                           {Step.EARNED: monthly}, per_credit=each)


def credit_signs(pf: PlanFrame, inputs: Inputs, measure: str, credits: pd.DataFrame) -> Floats:
    """1 for a credit; minus the part its clawback takes back for a clawback (a SPIFF
    is reversed in that part: its share, its unserved term)."""
    clawback = (credits["credit_kind"] == "clawback").to_numpy()
    sign = np.where(clawback, -1.0, 1.0)
    m = pf.plan.measures[measure]
    if m.clawback is None or not clawback.any():
        return sign
    table = inputs.table(m.table)
    assert table is not None
    rows = credits["source_idx"].to_numpy(dtype=np.int64)[clawback]
    cancel = credits["credit_date"].to_numpy(dtype="datetime64[D]")[clawback]
    sign[clawback] = -clawback_part(m, table.frame, rows, cancel)
    return sign


def _draw_masks(ctx: Context, comp: Draw) -> tuple[Floats, draws.Mask, draws.Mask, draws.Mask]:
    """Per seat and draw period: the draw's proration, where it is paid, where it may
    recover and where a balance is forgiven."""
    prorate = ctx.pf.prorate[comp.period]
    active = prorate > 0
    nth = np.cumsum(active, axis=1)
    paid = active & (nth <= comp.window if comp.window else True)
    may_recover = nth >= (comp.recover_from or 1)
    forgive = np.zeros_like(active)
    if "leaving" in comp.forgive:
        leaves = ctx.pf.seats["end"].to_numpy(dtype="datetime64[D]") < ctx.pf.calendar.end
        last = active.shape[1] - 1 - np.argmax(active[:, ::-1], axis=1)
        forgive[np.flatnonzero(leaves & active.any(axis=1)),
                last[leaves & active.any(axis=1)]] = True
    if "year_end" in comp.forgive:
        forgive[:, -1] = True
    return prorate, paid, may_recover, forgive


def _opening(ctx: Context, comp: Draw) -> Cents:
    """Each seat's balance owed from earlier years (given by the payroll ledger), for the
    seat that holds the plan on the first day of the year."""
    seats = ctx.pf.seats
    first = seats["start"].to_numpy(dtype="datetime64[D]") <= ctx.pf.calendar.start
    owed = [ctx.inputs.draw_opening.get((str(p), comp.id), 0)
            for p in seats["payee_id"]] if ctx.inputs.draw_opening else [0] * len(seats)
    return np.where(first, np.asarray(owed, dtype=np.int64), 0)


def _draw_exceptions(ctx: Context, comp: Draw, s: draws.Settlement,
                     forgive: draws.Mask) -> list[pd.DataFrame]:
    """Report forgiven balances, and balances left when a seat ends or the year does."""
    seats = ctx.pf.seats
    leaves = seats["end"].to_numpy(dtype="datetime64[D]") < ctx.pf.calendar.end
    forgiven_when = np.where(forgive[:, -1] & ~leaves, "at year end", "when the seat ended")
    left = s.balance[:, -1]
    nxt = ctx.pf.calendar.year + 1
    found = []
    for hit, value, reason in (
            (s.forgiven.sum(axis=1) > 0, s.forgiven.sum(axis=1),
             np.char.add(f"{comp.id}: draw balance forgiven ", forgiven_when)),
            ((left > 0) & leaves, left,
             np.full(len(seats), f"{comp.id}: draw balance owed by a leaver, to recover by "
                     "hand")),
            ((left > 0) & ~leaves, left,
             np.full(len(seats), f"{comp.id}: draw balance owed at year end, carried into "
                     f"{nxt} by the payroll ledger"))):
        if hit.any():
            found.append(exception_frame(
                int(hit.sum()), file=ctx.inputs.roster.file, payee_id=seats["payee_id"][hit],
                plan=ctx.pf.plan.plan, value=value[hit] / ctx.scale, reason=reason[hit]))
    return found


def eval_draw(ctx: Context, comp: Draw) -> ComponentResult:
    """Settle a draw against commission per period (:mod:`compplan.engine.draws`), against the
    pay of the components it names (``ctx.pay``, after total caps)."""
    names = comp.components or [c.id for c in ctx.pf.plan.components if is_variable(c)]
    monthly = sum((ctx.pay[n] for n in names), np.zeros((ctx.pf.size, 12), dtype=np.int64))
    earned = (monthly if comp.period == "month"
              else monthly.reshape(ctx.pf.size, 4, 3).sum(axis=2))
    prorate, paid, may_recover, forgive = _draw_masks(ctx, comp)
    draw = np.where(paid, ctx.money(comp.amount * (prorate if comp.prorate else 1.0)), 0)
    cap = int(ctx.money(comp.max_recovery)) if comp.max_recovery else None
    s = draws.settle(earned, draw, recoverable=comp.recoverable, cap=cap,
                     may_recover=may_recover, forgive=forgive, opening=_opening(ctx, comp))
    found = _draw_exceptions(ctx, comp, s, forgive) if comp.recoverable else []
    cents = np.zeros((ctx.pf.size, 12), dtype=np.int64)
    cents[:, month_of_period_end(comp.period)] = s.line
    k = ctx.scale
    trace: Trace = {Step.DRAW: draw / k, Step.AGAINST: earned / k, Step.TOP_UP: s.topup / k,
                    Step.RECOVERED: s.recovered / k, Step.BALANCE: s.balance / k,
                    Step.FORGIVEN: s.forgiven / k, Step.EARNED: s.line / k}
    return ComponentResult(comp, cents, comp.period, trace, findings=tuple(found))


def eval_advance(ctx: Context, comp: Advance) -> ComponentResult:
    """An advance on top of variable pay, recovered from all later variable pay."""
    prorate = ctx.pf.prorate["month"]
    active = prorate > 0
    nth = np.cumsum(active, axis=1)
    window = active & ((nth <= comp.first_months) if comp.first_months else True)
    granted = np.where(window, ctx.money(comp.amount * (prorate if comp.prorate
                                                        else active * 1.0)), 0)
    variable = sum((ctx.pay[c.id] for c in ctx.pf.plan.components if is_variable(c)),
                   np.zeros((ctx.pf.size, 12), dtype=np.int64))
    cap = ctx.money(comp.max_recovery) if comp.max_recovery else np.iinfo(np.int64).max
    balance = np.zeros(ctx.pf.size, dtype=np.int64)
    recovered = np.zeros_like(granted)
    for m in range(12):  # a running balance: month by month, every seat at once
        take = np.minimum(np.minimum(np.maximum(variable[:, m], 0), balance), cap)
        recovered[:, m] = take
        balance = balance - take + granted[:, m]
    left = balance > 0
    found = []
    if left.any():
        seats = ctx.pf.seats[left]
        found.append(exception_frame(
            int(left.sum()), file=ctx.inputs.roster.file, payee_id=seats["payee_id"],
            plan=ctx.pf.plan.plan, value=balance[left] / ctx.scale,
            reason=f"{comp.id}: advance not recovered by the end of the year or seat"))
    trace: Trace = {Step.GRANTED: granted / ctx.scale, Step.RECOVERED: recovered / ctx.scale,
                    Step.EARNED: (granted - recovered) / ctx.scale}
    return ComponentResult(comp, np.asarray(granted - recovered, dtype=np.int64), "month", trace,
                           findings=tuple(found))


def is_variable(comp: Component) -> bool:
    """Variable pay that draws and advances are measured against: not salary, and not
    another draw or advance."""
    return comp.kind not in ("salary", "draw", "advance")


EVALUATORS: dict[type, Callable[[Context, object], ComponentResult]] = {
    Salary: eval_salary,  # type: ignore[dict-item]
    Commission: eval_commission,  # type: ignore[dict-item]
    PayoutCurve: eval_curve,  # type: ignore[dict-item]
    LevelTable: eval_level_table,  # type: ignore[dict-item]
    RateTable: eval_rate_table,  # type: ignore[dict-item]
    Bonus: eval_bonus,  # type: ignore[dict-item]
    Spiff: eval_spiff,  # type: ignore[dict-item]
    Draw: eval_draw,  # type: ignore[dict-item]
    Advance: eval_advance,  # type: ignore[dict-item]
}


def evaluate_component(ctx: Context, comp: Component) -> ComponentResult:
    """Evaluate one component of the context's plan over all its seats.

    An amount too large to be money is bad input (a runaway rate, amount or scale),
    reported with the plan and component that computed it: never paid wrapped around.
    """
    try:
        return EVALUATORS[type(comp)](ctx, comp)
    except AmountOverflowError as exc:
        raise InputError([Issue(f"plan {ctx.pf.plan.plan}", str(exc), None,
                                f"components.{comp.id}")]) from None


def plan_caps(ctx: Context, cents: dict[int, Cents]) -> dict[int, Cents]:
    """Apply the plan's total caps to the components' pay (in ``cents``, in place);
    return what each cut, by component position."""
    caps = ctx.pf.plan.caps
    if not caps:
        return {}
    targets = {cap.target_column: ctx.target(Target(column=cap.target_column), "year")[:, 0]
               for cap in caps}
    return apply_caps(ctx.pf.plan, cents, targets)


def settled_last(comp: Component) -> bool:
    """Draws and advances are evaluated after the rest: they settle against its pay."""
    return isinstance(comp, Draw | Advance)


def _evaluated(ctx: Context, comp: Component) -> ComponentResult:
    """A component's result, with the findings of the shared values it was the first
    to compute (in the order they arose, before its own)."""
    seen = len(ctx.findings())
    res = evaluate_component(ctx, comp)
    shared = ctx.findings()[seen:]
    return replace(res, findings=(*shared, *res.findings)) if shared else res


def findings_of(results: list[ComponentResult]) -> list[pd.DataFrame]:
    """Every component's findings, in the order the components were evaluated."""
    ordered = sorted(results, key=lambda r: settled_last(r.component))  # stable
    return [found for r in ordered for found in r.findings]


def evaluate_plan(ctx: Context) -> list[ComponentResult]:
    """Every component of the context's plan, in plan order; draws and advances last in
    evaluation, as they are measured against the pay of the other components."""
    plan = ctx.pf.plan
    done: dict[int, ComponentResult] = {}
    for i, comp in enumerate(plan.components):
        if not settled_last(comp):
            done[i] = _evaluated(ctx, comp)
    cents = {i: r.cents for i, r in done.items()}
    for i, cut in plan_caps(ctx, cents).items():
        done[i] = replace(done[i], cents=cents[i], capped=cut)
    ctx.pay = {plan.components[i].id: r.cents for i, r in done.items()}
    for i, comp in enumerate(plan.components):
        if settled_last(comp):
            done[i] = _evaluated(ctx, comp)
    return [done[i] for i in range(len(plan.components))]
