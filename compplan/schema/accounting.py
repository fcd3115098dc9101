"""The accounting policy file: which commissions are capitalized, over what benefit
period, and to which GL accounts (ASC 340-40 / IFRS 15), as data.

It lives with the other file schemas; :mod:`compplan.accounting` applies it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from compplan.schema.base import MONEY, Column, Model, Scalar


class When(Model):
    """Which contracts an entry covers: the deal's ``column`` is one of ``in``."""

    column: Column
    in_: list[Scalar] = Field(alias="in", min_length=1)


class Capitalize(Model):
    """Components of a plan whose pay is a cost of obtaining contracts.

    ``benefit`` is ``contract`` (the contract's own term, in months) or a fixed number
    of months (an expected customer life, when renewal commissions are not commensurate
    with the initial one). ``when`` narrows the entry to some contracts (renewals);
    entries are matched in order, the first that matches decides.
    """

    plan: str
    components: list[str] = Field(min_length=1)
    benefit: Literal["contract"] | int = "contract"
    when: When | None = None

    @field_validator("benefit")
    @classmethod
    def _months(cls, benefit: Literal["contract"] | int) -> Literal["contract"] | int:
        if isinstance(benefit, int) and not 1 <= benefit <= 600:
            raise ValueError(f"benefit of {benefit} months: give 1 to 600, or contract")
        return benefit


class Contract(Model):
    """Where the deals table says when a contract starts, how long it runs, when it
    was cancelled and what consideration remains (for the impairment test)."""

    start: Column = "close_date"
    term: Column = "term_months"
    cancel: Column | None = "cancel_date"
    remaining_consideration: Column | None = None
    costs_to_fulfil: Column | None = None


class Accounts(Model):
    """The general-ledger accounts the journal posts to."""

    asset_current: str = "1410 Deferred commissions, current"
    asset_noncurrent: str = "1810 Deferred commissions, non-current"
    accrued: str = "2150 Accrued commissions"
    expense: str = "6100 Commission expense"
    amortization: str = "6110 Amortization of deferred commissions"
    write_off: str = "6120 Write-off of deferred commissions"


class EmployerTaxes(Model):
    """Employer taxes on commissions (social security, payroll tax): a cost of obtaining
    the contract too, so the tax on a capitalized commission is capitalized with it."""

    rate: float = Field(gt=0, le=1, description="share of the commission, 0.0765 = 7.65 %")
    account: str = "2160 Accrued payroll taxes"


class AccountingPolicy(Model):
    """How a run's commissions are capitalized and amortized (``accounting.yaml``)."""

    policy: str = "asc-340-40"
    standard: Literal["ASC 340-40", "IFRS 15"] = "ASC 340-40"
    entity: str = Field(default="main", min_length=1, max_length=60)
    practical_expedient: bool = Field(
        default=True, description="benefit of 12 months or less: expensed when incurred")
    threshold: float = Field(default=0.0, ge=0, le=MONEY,
                             description="assets below this amount are expensed")
    first_month: Literal["full", "half"] = Field(
        default="full", description="amortize a full first month, or half of it and half "
        "a month after the last")
    source: Literal["earned"] = Field(
        default="earned", description="the run's earned payout lines")
    contract: Contract = Field(default_factory=Contract)
    employer_taxes: EmployerTaxes | None = None
    capitalize: list[Capitalize] = Field(min_length=1)
    accounts: Accounts = Field(default_factory=Accounts)
