"""A whole plan: its measures, quotas and components."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr, model_validator

from compplan.core.currencies import decimals
from compplan.schema.base import MONEY, RATE, Column, Model
from compplan.schema.components import Component
from compplan.schema.measures import CreditToColumn, Measure, QuotaSpec


class TotalCap(Model):
    """A cap over the sum of several components in the year (a maximum total incentive)."""

    components: list[str] = Field(min_length=1, description="component ids the cap bounds")
    amount: float | None = Field(default=None, ge=0, le=MONEY)
    target_multiple: float | None = Field(default=None, ge=0, le=RATE)
    target_column: Column = Field(
        default="target_incentive", description="roster column of the annual target, "
        "prorated by the year's active days, for target_multiple")
    per: Literal["year"] = "year"

    @model_validator(mode="after")
    def _one_bound(self) -> TotalCap:
        if (self.amount is None) == (self.target_multiple is None):
            raise ValueError("give either amount or target_multiple")
        return self


def _iso_currency(code: str) -> str:
    decimals(code)  # raises for a code ISO 4217 does not pay in
    return code


CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_iso_currency)]


class FxPolicy(Model):
    """Which exchange rate converts an amount into another currency.

    - ``credit_date``: the latest rate of the FX table on or before the credit's date
      (a pay line: on or before its month's last day);
    - ``month_average``: the month's average rate (a monthly table's rate, or the mean
      of a daily table's rates in the month);
    - ``budget``: the plan's fixed rates for the year, ``budget: {EUR: 1.08}`` (one EUR
      is 1.08 of the plan currency), so reps are not paid on FX noise.

    A pair the table lacks is crossed through ``base`` (rate A->base x base->B); an
    inverse rate is used when only B->A is given.
    """

    rate: Literal["credit_date", "month_average", "budget"] = "credit_date"
    budget: dict[CurrencyCode, Annotated[float, Field(gt=0, le=1e9)]] = Field(
        default_factory=dict, description="plan-currency units per unit of each currency")
    base: CurrencyCode = Field(default="USD", description="the currency cross rates go "
                               "through")

    @model_validator(mode="after")
    def _budget_rates(self) -> FxPolicy:
        if self.rate == "budget" and not self.budget:
            raise ValueError("rate: budget needs budget rates, e.g. budget: {EUR: 1.08}")
        return self


class Plan(Model):
    """One compensation plan, as written in ``plans/<id>.yaml``."""

    plan: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=100,
                      description="plan id")
    name: str = ""
    description: str = ""
    currency: CurrencyCode = Field(
        default="USD", description="the currency the plan's rates, tiers, caps, targets "
        "and roster amounts are written in, and its lines computed in")
    fx: FxPolicy = Field(default_factory=FxPolicy,
                         description="how amounts in other currencies are converted")
    roles: list[str] = Field(default_factory=list)
    measures: dict[str, Measure] = Field(default_factory=dict)
    quotas: dict[str, QuotaSpec] = Field(default_factory=dict)
    components: list[Component] = Field(min_length=1)
    caps: list[TotalCap] = Field(
        default_factory=list, description="caps over the sum of several components")
    cost_of_sales: str | None = Field(
        default=None, description="the measure cost of sales (variable pay / its credited "
        "value) is measured against; default: the first measure summing amount credited to "
        "owner_id")

    _source_file: str | None = PrivateAttr(default=None)
    _source_lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    def with_source(self, file: str, lines: dict[tuple[str | int, ...], int]) -> Plan:
        """This plan, remembering the file and the line of each field it was read from
        (for ``explain``: "rate 0.12 from plans/ae-2026.yaml:42"). Not part of the plan's
        value: two plans with the same fields are equal wherever they were written."""
        self._source_file = file
        self._source_lines = lines
        return self

    @property
    def source_file(self) -> str | None:
        """The file the plan was loaded from (None for a plan built in Python)."""
        return self._source_file

    def source_line(self, path: tuple[str | int, ...]) -> int | None:
        """The line of a field, or of the deepest written part of its path."""
        for cut in range(len(path), -1, -1):
            line = self._source_lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plan) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return super().__hash__()

    def sales_measure(self) -> str | None:
        """The measure whose credited value is this plan's sales, or None (cost of sales
        is then n/a, never a division by a zero that is not there).

        One definition for the summary, scenarios and Monte Carlo: the plan's
        ``cost_of_sales`` measure, else the first measure that sums ``amount`` credited
        to ``owner_id`` (the run contract's bookings: split and clawbacks included).
        Roll-ups, account ownership and counts are not sales of their own: they would
        count the same deals again.
        """
        if self.cost_of_sales is not None:
            return self.cost_of_sales
        return next((name for name, m in self.measures.items()
                     if m.value == "amount" and m.aggregate == "sum"
                     and isinstance(m.credit_to, CreditToColumn)
                     and m.credit_to.column == "owner_id"), None)
