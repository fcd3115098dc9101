"""What each payout line used: the typed record ``explain`` and statements render.

As OpenFisca's tracer does for a tax, a component's trace keeps, per seat and period,
each intermediate value by a named :class:`Step` (the measure value, the quota, the
attainment, the tier reached, the factor, the target, what was earned), and
:class:`ParamRead` names the plan parameter behind a number with its file and line:
``rate 0.12 from plans/ae-2026.yaml:42``. Report code reads steps by name, so a
misspelt step is a type error, not a silently missing line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Any

import numpy as np
import numpy.typing as npt

from compplan.core.yamlsource import Path, render_path
from compplan.engine.schedules import tier_index
from compplan.schema import Plan

Floats = npt.NDArray[np.float64]


class Step(StrEnum):
    """The named values a component records, seats x periods each."""

    VALUE = "value"
    QUOTA = "quota"
    ATTAINMENT = "attainment"
    TIER = "tier"
    """Index of the schedule tier reached (NaN: below the first tier)."""
    FACTOR = "factor"
    TARGET = "target"
    EARNED = "earned"
    GATE_MET = "gate met"
    HELD = "held"
    REVERSED = "reversed"
    MET = "met"
    ANNUAL = "annual"
    PRORATION = "proration"
    GOAL_SCORE = "goal score"
    """Per goal of a level table: seats x periods x goals."""
    GOAL_LEVEL = "goal level"
    DRAW = "draw"
    AGAINST = "against"
    TOP_UP = "top-up"
    RECOVERED = "recovered"
    BALANCE = "balance"
    FORGIVEN = "forgiven"
    GRANTED = "granted"


Trace = dict[Step, Floats]


@dataclass(frozen=True)
class ParamRead:
    """One plan parameter a number used, where the plan says it.

    >>> print(ParamRead("rate", 0.12, "plans/ae-2026.yaml", 42))
    rate 0.12 from plans/ae-2026.yaml:42
    """

    name: str
    value: float | str
    file: str | None
    line: int | None

    @property
    def where(self) -> str:
        """``file:line`` (or what is known of it)."""
        return f"{self.file or 'the plan'}{f':{self.line}' if self.line else ''}"

    def __str__(self) -> str:
        value = f"{self.value:g}" if isinstance(self.value, int | float) else str(self.value)
        return f"{self.name} {value} from {self.where}"


def read(plan: Plan, path: Path, name: str | None = None, short: bool = False) -> ParamRead:
    """The parameter at ``path`` of a plan (e.g. ``("components", 0, "schedule",
    "tiers", 2, "rate")``), with the file and line it was written on (none for a plan
    built in Python). ``short`` names the file without its folder: a payee's statement
    need not show where finance keeps its plans."""
    value: Any = plan
    for part in path:
        value = value[part] if isinstance(part, int) else getattr(value, str(part))
    shown = value if isinstance(value, int | float | str) else render_path(path)
    file = plan.source_file
    if short and file is not None:
        file = PurePath(file).name
    return ParamRead(name or str(path[-1]), shown, file, plan.source_line(path))


def tier_reached(starts: Floats, x: Floats) -> Floats:
    """Index of the tier each value reached (NaN below the first tier or for NaN).

    >>> tier_reached(np.array([0.0, 1.0, 1.5]), np.array([-1.0, 0.5, 1.2, 3.0])).tolist()
    [nan, 0.0, 1.0, 2.0]
    """
    idx = tier_index(starts, x).astype(np.float64)
    idx[idx < 0] = np.nan
    return idx
