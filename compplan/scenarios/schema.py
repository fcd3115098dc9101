"""The scenario file: a name, a description, plan changes and data changes (data only)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from compplan.schema.base import Column, Model
from compplan.schema.filters import Filter

TableName = Literal["roster", "deals", "quotas", "accounts", "assignments", "fx"]


class PlanChange(Model):
    """Set fields of one plan by path, e.g. ``components.commission.cap.target_multiple``.

    A path walks mappings by key, the ``components`` list by component id and any other
    list by index: ``components.commission.schedule.tiers.1.rate``.
    """

    plan: str
    set: dict[str, Any] = Field(min_length=1)


class Scale(Model):
    """Multiply numeric columns (of the rows a filter keeps) by a factor."""

    table: TableName
    columns: list[Column] = Field(min_length=1)
    factor: float = Field(ge=0, le=1000, description="at most 1000: scaled cells must "
                          "still be amounts an input may hold")
    where: Filter | None = None


class ShiftDates(Model):
    """Move date columns by a number of days (of the rows a filter keeps)."""

    table: TableName
    columns: list[Column] = Field(min_length=1)
    days: int = Field(ge=-36600, le=36600)
    where: Filter | None = None


class DropRows(Model):
    """Leave out the rows a filter keeps (payees who leave the plan, a lost account)."""

    table: TableName
    where: Filter


class AddRows(Model):
    """Add rows (a new hire, a new deal), typed like the table's own rows."""

    table: TableName
    rows: list[dict[str, str | int | float | bool | None]] = Field(min_length=1)


class ReplaceTable(Model):
    """Swap in another file for a table, e.g. quotas from ``compplan quotas``."""

    table: TableName
    file: str = Field(min_length=1, description="in the scenario's folder or below it")

    @field_validator("file")
    @classmethod
    def _inside_folder(cls, value: str) -> str:
        """A scenario is data passed around a team: it may name a file beside it, never
        one elsewhere on the machine (``/etc/...``, ``../../payroll/...``)."""
        path = PurePosixPath(value.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in value:
            raise ValueError(f"{value!r}: expected a file in the scenario's folder or below "
                             "it (no absolute path, no ..)")
        return value


class FxShift(Model):
    """Move a currency against every other: ``{currency: EUR, change: -0.10}`` makes a
    euro worth 10 % less, in the FX table (EUR->X rates x 0.9, X->EUR rates / 0.9) and in
    the plans' budget rates, to see what FX does to cost."""

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    change: float = Field(gt=-1, le=10, description="-0.10: 10 % weaker")


class DataChange(Model):
    """One data change; exactly one of its keys."""

    scale: Scale | None = None
    shift_dates: ShiftDates | None = None
    drop_rows: DropRows | None = None
    add_rows: AddRows | None = None
    replace_table: ReplaceTable | None = None
    fx_shift: FxShift | None = None

    @model_validator(mode="after")
    def _one(self) -> DataChange:
        given = [k for k in CHANGES if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(CHANGES)}")
        return self

    def change(self) -> Scale | ShiftDates | DropRows | AddRows | ReplaceTable | FxShift:
        for key in CHANGES:
            value = getattr(self, key)
            if value is not None:
                return value  # type: ignore[no-any-return]
        raise AssertionError("validated to hold one change")


CHANGES = ("scale", "shift_dates", "drop_rows", "add_rows", "replace_table", "fx_shift")


class Scenario(Model):
    """A named set of changes to a baseline."""

    scenario: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    description: str = ""
    plans: list[PlanChange] = Field(default_factory=list)
    data: list[DataChange] = Field(default_factory=list)
