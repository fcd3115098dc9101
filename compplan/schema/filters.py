"""Declarative row filters: comparisons combined with all / any / not.

A filter is data, evaluated column-wise by :mod:`compplan.engine.filters`; there is no
expression language to inject code into.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from compplan.schema.base import Column, Model, Scalar

_OPERATORS = ("eq", "ne", "in_", "not_in", "gt", "gte", "lt", "lte", "empty")


class Compare(Model):
    """One test on one column, e.g. ``{column: stage, eq: Closed Won}``."""

    column: Column
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    gt: Scalar | None = None
    gte: Scalar | None = None
    lt: Scalar | None = None
    lte: Scalar | None = None
    empty: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Compare:
        used = [op for op in _OPERATORS if getattr(self, op) is not None]
        if not used:
            raise ValueError(
                "a comparison needs one of eq, ne, in, not_in, gt, gte, lt, lte, empty")
        return self

    def tests(self) -> list[tuple[str, Any]]:
        """The (operator, operand) pairs this comparison makes; all must hold."""
        return [(op, getattr(self, op)) for op in _OPERATORS if getattr(self, op) is not None]


class AllOf(Model):
    """Every sub-filter holds."""

    all: list[Filter] = Field(min_length=1)


class AnyOf(Model):
    """At least one sub-filter holds."""

    any: list[Filter] = Field(min_length=1)


class NotOf(Model):
    """The sub-filter does not hold."""

    not_: Filter = Field(alias="not")


def _filter_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return f"filter:{key}"
        return "filter:compare"
    kind = ("all" if isinstance(value, AllOf) else "any" if isinstance(value, AnyOf)
            else "not" if isinstance(value, NotOf) else "compare")
    return f"filter:{kind}"


Filter = Annotated[
    Annotated[AllOf, Tag("filter:all")]
    | Annotated[AnyOf, Tag("filter:any")]
    | Annotated[NotOf, Tag("filter:not")]
    | Annotated[Compare, Tag("filter:compare")],
    Discriminator(_filter_kind),
]

FilterKind = Literal["all", "any", "not", "compare"]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


def filter_columns(flt: Filter | None) -> set[str]:
    """Every column a filter reads."""
    if flt is None:
        return set()
    if isinstance(flt, AllOf):
        return set().union(*(filter_columns(f) for f in flt.all))
    if isinstance(flt, AnyOf):
        return set().union(*(filter_columns(f) for f in flt.any))
    if isinstance(flt, NotOf):
        return filter_columns(flt.not_)
    return {flt.column}
