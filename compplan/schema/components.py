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
    """A tier starts at ``from`` (inclusive) and runs to the next tier's start."""

    from_: float = Field(alias="from", ge=-MONEY, le=MONEY)
    rate: float = Field(ge=0, le=RATE)


class Schedule(Model):
    """Tiers applied in an explicit mode.

    - ``marginal``: each rate on its own slice (tax-bracket style);
    - ``retroactive``: the reached tier's rate on everything;
    - ``interpolated``: the rate moves linearly between tier starts, on everything.
    """

    mode: Literal["marginal", "retroactive", "interpolated"]
    tiers: list[Tier] = Field(min_length=1)


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
        if self.basis == "attainment" and self.target is None:
            raise ValueError("a commission on attainment needs a target")
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
    """A draw against variable pay, paid monthly in the seat's first months (or all year).

    - recoverable (an advance): ``amount`` is paid each draw month and recovered from the
      plan's later variable pay, at most ``max_recovery`` a month; what is left at the end
      of the seat is reported;
    - non-recoverable (a guaranteed minimum): tops a month's variable pay up to ``amount``
      and is never recovered.
    """

    kind: Literal["draw"]
    amount: float = Field(gt=0, le=MONEY, description="monthly draw or guarantee")
    recoverable: bool
    max_recovery: float | None = Field(default=None, gt=0, le=MONEY)
    first_months: int | None = Field(default=None, ge=1, le=12,
                                     description="only the seat's first active months")
    prorate: bool = True


Component = Annotated[
    Salary | Commission | RateTable | PayoutCurve | LevelTable | Bonus | Spiff | Draw,
    Field(discriminator="kind"),
]
