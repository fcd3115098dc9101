"""Measures (what is credited to whom, and when) and their quotas."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from compplan.schema.base import MONEY, Column, Model
from compplan.schema.expressions import is_ratio, parse
from compplan.schema.filters import Filter


class CreditToColumn(Model):
    """Credit the payee named in a column of the row (``owner_id``, ``sdr_id``...)."""

    column: Column


class CreditToManager(Model):
    """Roll the credit up to the manager(s) of the payee named in ``manager_of``.

    ``levels: 1`` credits the direct manager only; ``levels: 2`` also the manager's
    manager, and so on. The credit must count for the payee it rolls up from.
    """

    manager_of: Column
    levels: int = Field(default=1, ge=1, le=20)


class CreditToLookup(Model):
    """Credit whoever a lookup table names for the row's key (account ownership)."""

    via: Column = Field(description="input table name, e.g. accounts")
    key: Column = Field(description="column present in both the row and the lookup table")
    column: Column = Field(description="column of the lookup table holding the payee_id")


def _credit_kind(value: Any) -> str:
    if isinstance(value, dict):
        kind = "manager" if "manager_of" in value else "lookup" if "via" in value else "column"
        return f"credit:{kind}"
    kind = ("manager" if isinstance(value, CreditToManager)
            else "lookup" if isinstance(value, CreditToLookup) else "column")
    return f"credit:{kind}"


CreditTo = Annotated[
    Annotated[CreditToColumn, Tag("credit:column")]
    | Annotated[CreditToManager, Tag("credit:manager")]
    | Annotated[CreditToLookup, Tag("credit:lookup")],
    Discriminator(_credit_kind),
]


class Clawback(Model):
    """A cancellation soon after close reverses the credit on the cancel date.

    ``share`` takes back part of the credit (0.5: half); ``prorate: unserved_term``
    takes back the unserved part of the contract: with ``term`` months and ``served``
    whole calendar months from the credit date to the cancel date, the share is
    ``max(term - served, 0) / term`` (a 12-month contract cancelled after 3 takes back
    9/12). Both multiply, and scale a SPIFF's reversal the same way.
    """

    within_days: int = Field(
        ge=0, le=36600,
        description="cancellations at most this many days after the date are clawed back")
    cancel_column: Column = "cancel_date"
    optional: bool = Field(
        default=False, description="a table without the cancel column claws nothing back "
        "(without this, a missing cancel column is an input error)")
    share: float = Field(default=1.0, gt=0, le=1, description="part of the credit taken back")
    prorate: Literal["none", "unserved_term"] = Field(
        default="none", description="take back only the unserved part of the contract term")
    term_column: Column = Field(
        default="term_months", description="contract term in months, for unserved_term")
    reduces_quota_credit: bool = Field(
        default=True, description="whether the reversal also lowers attainment, not only pay"
    )


def _parsed(text: str) -> str:
    parse(text)
    return text


Expression = Annotated[str, AfterValidator(_parsed)]
"""Arithmetic text (``margin / amount``), checked by :func:`compplan.schema.expressions.parse`."""

_SOURCE_KEYS = {"table", "filter", "value", "row", "split", "date", "credit_to", "once_per",
                "clawback"}


class Measure(Model):
    """What is credited: a filter on rows, a value, a date and a beneficiary.

    The value is a column (``value``) or arithmetic over the row's columns (``row``).
    A measure derived per period (``period: margin / bookings``) has no rows of its own:
    it combines other measures' values for each period, after they are summed.
    """

    table: Column = "deals"
    filter: Filter | None = None
    value: Column | None = Field(
        default=None,
        description="a numeric column to sum, or 'count' for one per credited row"
    )
    row: Expression | None = Field(
        default=None, description="the credit's value computed from the row's columns, "
        "e.g. amount - discount (instead of value)")
    period: Expression | None = Field(
        default=None, description="a measure derived from other measures per period, "
        "e.g. margin / bookings (no table, value, date or credit_to)")
    split: Column | None = Field(
        default=None, description="column holding the payee's share (0..1)")
    date: Column | None = Field(default=None, description="date column that dates the credit")
    credit_to: CreditTo | None = None
    once_per: Column | None = Field(
        default=None, description="credit each value of this column once (e.g. deal_id)"
    )
    clawback: Clawback | None = None
    aggregate: Literal["sum", "mean"] = Field(
        default="sum",
        description="sum the credits of a period, or average them (scores such as NPS)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Measure:
        if self.period is not None:
            extra = sorted(self.model_fields_set & (_SOURCE_KEYS | {"aggregate"}))
            if extra:
                raise ValueError(f"a measure derived per period has no {', '.join(extra)}: "
                                 "it is computed from other measures")
            return self
        if (self.value is None) == (self.row is None):
            raise ValueError("give the credit's value: value (a column) or row (arithmetic "
                             "over columns), or period (arithmetic over measures)")
        missing = [k for k in ("date", "credit_to") if getattr(self, k) is None]
        if missing:
            raise ValueError(f"required key is missing: {', '.join(missing)}")
        return self

    @property
    def is_level(self) -> bool:
        """A score or a ratio: its quota is a level, taken whole in every period, not an
        annual amount cut into periods."""
        return self.aggregate == "mean" or (self.period is not None
                                            and is_ratio(parse(self.period)))

    @property
    def derived(self) -> bool:
        """Computed per period from other measures: no credits of its own."""
        return self.period is not None


class Seasonality(Model):
    """Shares of the annual quota by quarter (4) or by month (12), summing to 1."""

    quarters: list[float] | None = None
    months: list[float] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Seasonality:
        if (self.quarters is None) == (self.months is None):
            raise ValueError("give either quarters (4 shares) or months (12 shares)")
        shares = self.quarters if self.quarters is not None else self.months
        assert shares is not None
        want = 4 if self.quarters is not None else 12
        if len(shares) != want:
            raise ValueError(f"expected {want} shares, got {len(shares)}")
        if any(s < 0 for s in shares):
            raise ValueError("shares must not be negative")
        if abs(sum(shares) - 1.0) > 1e-9:
            raise ValueError(f"shares must sum to 1, they sum to {sum(shares):g}")
        return self

    def monthly(self) -> list[float]:
        """Monthly shares; a quarter's share is spread evenly over its months."""
        if self.months is not None:
            return list(self.months)
        assert self.quarters is not None
        return [q / 3 for q in self.quarters for _ in range(3)]


class QuotaSpec(Model):
    """Where a measure's quota comes from and how it is cut into periods."""

    source: Literal["roster", "file", "constant"]
    column: Column = "quota"
    amount: float | None = Field(default=None, gt=0, le=MONEY)
    required: bool = Field(
        default=False, description="a missing, zero or negative roster quota is an input error"
    )
    prorate: bool | Literal["days", "months"] = Field(
        default=True, description="cut to the payee's active part of each period: by days "
        "(true, days), by whole months (a month counts when active on every day of it), "
        "or not (false)")
    year_quota: Literal["annual_x_proration", "sum_of_quarters"] = Field(
        default="annual_x_proration", description="the year and year-to-date quota of an "
        "annual amount: annual x year proration, or the sum of the payee's prorated quarter "
        "quotas (seasonality included), year to date as far as the months reached")
    seasonality: Seasonality | None = None

    @model_validator(mode="after")
    def _amount_for_constant(self) -> QuotaSpec:
        if self.source == "constant" and self.amount is None:
            raise ValueError("a constant quota needs an amount")
        if self.source == "file" and self.year_quota != "annual_x_proration":
            raise ValueError("year_quota applies to an annual amount (roster or constant); "
                             "a quotas file gives its periods as they are")
        return self

    def proration(self) -> str | None:
        """How the quota is prorated: ``days``, ``months`` or None."""
        if self.prorate is False:
            return None
        return "days" if self.prorate is True else self.prorate
