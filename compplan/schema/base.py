"""The base every plan model shares: frozen, and strict about unknown keys."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class Model(BaseModel):
    """Frozen and closed: a typo in a plan key is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


Scalar = str | int | float | bool

MONEY = 1e12
"""The largest amount a plan may name (a cap, a bonus, a quota): as input cells."""
RATE = 1000.0
"""The largest rate, multiple, factor or attainment level a plan may name: 1000 is
100,000 % and far past any real plan, yet a rate of 1e308 can no longer validate and
pay an overflowed number."""

_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-]{0,99}$")


def _plain_name(value: str) -> str:
    """A column or table name is a plain name: plans never carry expressions."""
    if not _COLUMN.fullmatch(value) or "__" in value:
        raise ValueError(
            f"{value!r} is not a plain column name (letters, digits, space, _ . -): "
            "plans are data, expressions are not evaluated")
    return value


Column = Annotated[str, AfterValidator(_plain_name)]
