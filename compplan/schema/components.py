"""Components: each one line of pay, discriminated by ``kind``.

``period`` says over what a component measures and when it pays:

- ``month`` / ``quarter`` / ``year``: each period on its own, paid in its last month;
- ``ytd``: year-to-date against the annual quota and target, paid as a true-up
  (earned to date minus already paid) in each pay month.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from compplan.schema.base import MONEY, RATE, Column, Model
from compplan.schema.filters import Filter

Period = Literal["month", "quarter", "year", "ytd"]
ComponentId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=100)]


class Tier(Model):
    """A tier starts at ``from`` (inclusive) and runs to the next tier's start.

    It pays a ``rate`` (of the value; of target on attainment), or an ``amount`` of
    money, as Oracle writes amount rate tables: ``{from: 0, to: 10000, amount: 500}``.
    """

    from_: float = Field(alias="from", ge=-MONEY, le=MONEY)
    to: float | None = Field(default=None, ge=-MONEY, le=MONEY,
                             description="end of an amount tier (exclusive)")
    rate: float | None = Field(default=None, ge=0, le=RATE)
    amount: float | None = Field(default=None, ge=0, le=MONEY,
                                 description="money paid by the tier instead of a rate")

    @model_validator(mode="after")
    def _rate_or_amount(self) -> Tier:
        if (self.rate is None) == (self.amount is None):
            raise ValueError("give a tier either rate or amount")
        if self.to is not None and self.amount is None:
            raise ValueError("to is for amount tiers (a rate tier runs to the next tier)")
        if self.to is not None and self.to <= self.from_:
            raise ValueError(f"to {self.to:g} must be above from {self.from_:g}")
        return self


class Schedule(Model):
    """Tiers applied in an explicit mode.

    - ``marginal``: each rate on its own slice (tax-bracket style); an amount tier pays
      its amount in proportion to the part of the tier covered (Oracle's proportional
      split);
    - ``retroactive``: the reached tier's rate on everything; an amount tier pays its
      amount once reached (Oracle's no split);
    - ``interpolated``: the rate moves linearly between tier starts, on everything.
    """

    mode: Literal["marginal", "retroactive", "interpolated"]
    tiers: list[Tier] = Field(min_length=1)

    @property
    def pays_amounts(self) -> bool:
        """Amount tiers: the schedule gives money, not a rate or a factor of target."""
        return self.tiers[0].amount is not None

    @model_validator(mode="after")
    def _amount_tiers(self) -> Schedule:
        kinds = {t.amount is not None for t in self.tiers}
        if len(kinds) > 1:
            raise ValueError("tiers give either all rates or all amounts")
        if not self.pays_amounts:
            return self
        if self.mode == "interpolated":
            raise ValueError("amount tiers are marginal (proportional) or retroactive")
        for a, b in zip(self.tiers, self.tiers[1:], strict=False):
            if a.to is not None and a.to != b.from_:
                raise ValueError(f"amount tier to {a.to:g} must be where the next tier starts "
                                 f"({b.from_:g})")
        if self.mode == "marginal" and self.tiers[-1].to is None:
            raise ValueError("a marginal amount tier pays in proportion to its width: give "
                             "the last tier a to")
        return self


class Target(Model):
    """The target incentive a component pays against, cut to the component's period.

    The annual amount (a roster column or a constant) is divided by 12 for a month and
    by 4 for a quarter, then prorated by the payee's active days in the period.
    """

    column: Column | None = "target_incentive"
    amount: float | None = Field(default=None, ge=0, le=MONEY)
    share: float = Field(default=1.0, ge=0, le=RATE,
                         description="part of the target this component pays on")
    prorate: bool = True


class Cap(Model):
    """An upper bound on what a component earns: per period, per year (running), or
    per credit (each deal's commission on its own, e.g. at most 200 a deal)."""

    amount: float | None = Field(default=None, ge=0, le=MONEY)
    target_multiple: float | None = Field(default=None, ge=0, le=RATE)
    per: Literal["period", "year", "credit"] = "period"

    @model_validator(mode="after")
    def _one_bound(self) -> Cap:
        if (self.amount is None) == (self.target_multiple is None):
            raise ValueError("give either amount or target_multiple")
        if self.per == "credit" and self.amount is None:
            raise ValueError("a cap per credit is an amount (a target is not per deal)")
        return self


class Condition(Model):
    """Attainment gate: weighted attainment of one or more measures must reach a level."""

    measure: str | None = None
    weights: dict[str, Annotated[float, Field(ge=0, le=RATE)]] | None = None
    at_least: float = Field(ge=0, le=RATE, description="attainment to reach (1.0 = 100 %)")
    period: Period | None = Field(
        default=None, description="the period attainment is measured over, if not the "
        "component's: e.g. ytd for a quarterly accelerator paid only at 100 % of the year")
    missed: Literal["hold", "forfeit"] = Field(
        default="hold", description="with a period of its own: what a period earns while "
        "the gate is not met is held and paid when it is (hold), or dropped (forfeit)")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        if (self.measure is None) == (self.weights is None):
            raise ValueError("give either measure or weights")
        return self

    def weight_map(self) -> dict[str, float]:
        return {self.measure: 1.0} if self.measure is not None else dict(self.weights or {})


class _Base(Model):
    id: ComponentId
    label: str | None = None
    earning_code: str | None = None


class Hold(Model):
    """Hold back a share of what a component earns, and release it when it falls due:

    - ``days``: that many days after the month ends (e.g. the end of a clawback window);
    - ``until_paid``: a date column of the credited rows (an invoice's paid date): the
      share of the month's pay that comes from credits not yet paid is held, and released
      in the payroll by whose month end all of them are paid.
    """

    share: float = Field(gt=0, le=1)
    days: int | None = Field(default=None, ge=0, le=730)
    until_paid: Column | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Hold:
        if (self.days is None) == (self.until_paid is None):
            raise ValueError("give either days or until_paid")
        return self


class _Variable(_Base):
    pay_every: Literal["month", "quarter", "year"] = Field(
        default="month",
        description="pay what was earned at each month, quarter end or year end "
        "(amounts earned in between wait for the next pay month)")
    hold: Hold | None = None


class Factor(Model):
    """From an attainment on (inclusive), multiply by ``factor``."""

    from_: float = Field(alias="from", ge=-RATE, le=RATE)
    factor: float = Field(ge=0, le=RATE)


class Multiplier(Model):
    """Scale a component by attainment: accelerators (factor > 1), decelerators (< 1).

    The factor of the highest tier reached applies; below the first tier, ``below``.
    """

    measure: str
    tiers: list[Factor] = Field(min_length=1)
    below: float = Field(default=1.0, ge=0, le=RATE)


class Salary(_Base):
    """Base salary: the annual column / 12 each month, prorated by active days."""

    kind: Literal["salary"]
    column: Column = "base_salary"
    prorate: bool = True


class Commission(_Variable):
    """A tier schedule on a measure's value (money) or on attainment (x target).

    On value, ``apply: per_credit`` runs the schedule on each credit on its own (deal
    size tiers; a negative credit reverses what its size would earn); ``total`` runs
    it on the period's (or year-to-date) total.
    """

    kind: Literal["commission"]
    measure: str
    basis: Literal["value", "attainment"]
    period: Period
    schedule: Schedule
    target: Target | None = None
    cap: Cap | None = None
    gate: Condition | None = None
    multiplier: Multiplier | None = None
    apply: Literal["total", "per_credit"] = "total"
    clawbacks: Literal["reverse", "net"] = Field(
        default="reverse", description="per month/quarter/year: a clawback of an earlier "
        "period reverses what its deal earned there (reverse), or is netted into the value "
        "of the period it is dated in (net, the rule before compplan 0.2)")

    @model_validator(mode="after")
    def _target_for_attainment(self) -> Commission:
        if self.basis == "attainment" and self.target is None and not self.schedule.pays_amounts:
            raise ValueError("a commission on attainment needs a target (or amount tiers)")
        if self.apply == "per_credit" and self.basis != "value":
            raise ValueError("apply: per_credit needs basis: value")
        return self


class RateTable(_Variable):
    """A rate per credit, looked up by a column of the credited row (class, product...)."""

    kind: Literal["rate_table"]
    measure: str
    key: Column
    rates: dict[str, Annotated[float, Field(ge=-RATE, le=RATE)]]
    default: float | None = Field(default=None, ge=0, le=RATE)
    exclude: list[str] = Field(default_factory=list)
    period: Literal["month", "quarter", "year"] = "month"
    cap: Cap | None = None
    gate: Condition | None = None
    multiplier: Multiplier | None = None


class CurvePoint(Model):
    """A point of a payout curve: attainment -> multiple of target."""

    attainment: float = Field(ge=0, le=RATE)
    payout: float = Field(ge=0, le=RATE)


class PayoutCurve(_Variable):
    """Piecewise-linear payout on attainment, times target and weight.

    Below the first point it pays ``below`` (a threshold); between points it is
    linear; beyond the last point it stays at the last payout (the cap).
    """

    kind: Literal["payout_curve"]
    measure: str
    period: Period
    target: Target = Field(default_factory=Target)
    weight: float = Field(default=1.0, ge=0, le=RATE)
    points: list[CurvePoint] = Field(min_length=1)
    below: float = Field(default=0.0, ge=0, le=RATE)
    gate: Condition | None = None


class Level(Model):
    """From a score on (inclusive), pay this share of target (1.0 = 100 %)."""

    from_: float = Field(alias="from", ge=-MONEY, le=MONEY)
    payout: float = Field(ge=0, le=RATE)


class Goal(Model):
    """One goal of a level table: a measure's score, rounded, looked up in levels."""

    measure: str
    basis: Literal["value", "attainment"] = Field(
        default="value", description="the score: the measure's value (a mean score, a "
        "count) or its attainment")
    decimals: int = Field(default=2, ge=0, le=6,
                          description="the score is rounded half-up to this many decimals")
    weight: float = Field(default=1.0, ge=0, le=RATE)
    levels: list[Level] = Field(min_length=1)
    below: float = Field(default=0.0, ge=0, le=RATE, description="payout under the first level")


class LevelTable(_Variable):
    """A goals matrix: each goal's score is rounded and looked up in discrete levels
    (no interpolation between them); the payout is target x the weighted sum."""

    kind: Literal["level_table"]
    period: Literal["month", "quarter", "year"]
    target: Target = Field(default_factory=Target)
    goals: list[Goal] = Field(min_length=1)


class Bonus(_Variable):
    """A fixed amount (or share of target) paid for each period meeting a condition."""

    kind: Literal["bonus"]
    period: Literal["month", "quarter", "year"]
    amount: float | None = Field(default=None, ge=-MONEY, le=MONEY)
    target: Target | None = None
    condition: Condition
    active_at_period_end: bool = False

    @model_validator(mode="after")
    def _what_to_pay(self) -> Bonus:
        if (self.amount is None) == (self.target is None):
            raise ValueError("give either amount or target")
        return self


class Spiff(_Variable):
    """A fixed amount per qualifying credit of a measure, paid in the credit's month.

    A clawback credit reverses it: it pays minus the amount in its own month.
    """

    kind: Literal["spiff"]
    measure: str
    amount: float = Field(ge=-MONEY, le=MONEY)
    filter: Filter | None = None
    per_split: bool = Field(default=True, description="scale by the credit's split share")


class Draw(_Base):
    """A draw against commission, settled each draw period (month or quarter).

    In each period the payee gets ``max(earned, draw)``, "earned" being the variable
    pay of ``components`` (all variable components by default) in that period:

    - earned below the draw: the shortfall is paid as a top-up; a recoverable draw
      books it as a balance owed;
    - earned at or above the draw: a recoverable draw takes back
      ``min(balance, earned - draw, max_recovery)`` from the earnings above the draw,
      from the seat's ``recover_from``-th period on.

    A balance left is forgiven at ``forgive`` (``year_end``, ``leaving``) or carried:
    the payroll ledger recovers it in the next year. A non-recoverable draw is a
    guaranteed minimum: the same top-up, never booked.
    """

    kind: Literal["draw"]
    amount: float = Field(gt=0, le=MONEY, description="draw per draw period")
    period: Literal["month", "quarter"] = "month"
    recoverable: bool
    components: list[ComponentId] | None = Field(
        default=None, description="the components whose pay the draw is measured against "
        "(default: every variable component of the plan)")
    max_recovery: float | None = Field(default=None, gt=0, le=MONEY,
                                       description="at most this much recovered a period")
    recover_from: int | None = Field(default=None, ge=1, le=12,
                                     description="recovery starts in the seat's n-th period")
    first_periods: int | None = Field(default=None, ge=1, le=12,
                                      description="the draw is paid only in the seat's "
                                      "first n periods")
    first_months: int | None = Field(default=None, ge=1, le=12,
                                     description="the same as first_periods, for a monthly "
                                     "draw (the name of compplan 0.1)")
    forgive: list[Literal["year_end", "leaving"]] = Field(
        default_factory=list, description="when a balance owed is written off")
    prorate: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Draw:
        if self.first_months is not None:
            if self.period != "month":
                raise ValueError("first_months is for a monthly draw: use first_periods")
            if self.first_periods is not None:
                raise ValueError("give first_periods or first_months, not both")
        most = PERIODS_PER_DRAW[self.period]
        for name in ("first_periods", "first_months", "recover_from"):
            value = getattr(self, name)
            if value is not None and value > most:
                raise ValueError(f"{name} {value} is more than the {most} "
                                 f"{self.period}s of a year")
        if not self.recoverable:
            given = [k for k in ("max_recovery", "recover_from", "forgive")
                     if k in self.model_fields_set]
            if given:
                raise ValueError(f"{', '.join(given)}: only a recoverable draw has a balance "
                                 "to recover or forgive")
        return self

    @property
    def window(self) -> int | None:
        """In how many of the seat's first periods the draw is paid (None: all)."""
        return self.first_periods if self.first_periods is not None else self.first_months


PERIODS_PER_DRAW = {"month": 12, "quarter": 4}


class Advance(_Base):
    """An advance paid on top of variable pay each month in the seat's first months (or
    all year), recovered from the plan's later variable pay, at most ``max_recovery`` a
    month; what is left at the end of the seat is reported. (compplan 0.1 called this a
    recoverable draw.)"""

    kind: Literal["advance"]
    amount: float = Field(gt=0, le=MONEY, description="monthly advance")
    max_recovery: float | None = Field(default=None, gt=0, le=MONEY)
    first_months: int | None = Field(default=None, ge=1, le=12,
                                     description="only the seat's first active months")
    prorate: bool = True


Component = Annotated[
    Salary | Commission | RateTable | PayoutCurve | LevelTable | Bonus | Spiff | Draw
    | Advance,
    Field(discriminator="kind"),
]
