"""Where a payee stands on a plan's tiers: the tier reached and what the next one takes.

A rep's first question after "what did I earn" is "how far to the next tier". For a
commission whose tiers run on the year's value or attainment of a measure, the tier
reached is the last whose start is at or below the year's figure, and the way to the
next is the credited value still needed. Tiers that restart each month or quarter have
no single next step for the year; they are named as such instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from compplan.schema import Commission, Plan


@dataclass(frozen=True)
class Standing:
    """A payee's place on one commission's tiers."""

    component: str
    reached: str
    """``tier 2 of 3 (from 100 %)``, or why there is no year standing."""
    next_from: str = ""
    """Where the next tier starts, in the schedule's terms (``120 %``, ``500,000``)."""
    to_go: float | None = None
    """Credited value still needed to reach the next tier (``None``: none, or top tier)."""


def _start(value: float, on_attainment: bool) -> str:
    return f"{value:.0%}" if on_attainment else f"{value:,.0f}"


def standings(plan: Plan, measure: str, credited: float, quota: float) -> list[Standing]:
    """The standing on each tiered commission of ``measure`` in ``plan``, for the year's
    ``credited`` value against the year's ``quota`` (0 or NaN: no quota)."""
    out = []
    for comp in plan.components:
        if not isinstance(comp, Commission) or comp.measure != measure:
            continue
        tiers = comp.schedule.tiers
        if comp.period not in ("year", "ytd"):
            out.append(Standing(comp.id, f"tiers restart each {comp.period}: see the "
                                         "Attainment sheet"))
            continue
        on_attainment = comp.basis == "attainment"
        if on_attainment and not quota > 0:
            out.append(Standing(comp.id, "no quota: tiers on attainment do not apply"))
            continue
        figure = credited / quota if on_attainment else credited
        reached = [i for i, t in enumerate(tiers) if t.from_ <= figure]
        if not reached:
            first = tiers[0].from_
            gap = (first - figure) * (quota if on_attainment else 1.0)
            out.append(Standing(comp.id, "below the first tier", _start(first, on_attainment),
                                gap))
            continue
        i = reached[-1]
        text = f"tier {i + 1} of {len(tiers)} (from {_start(tiers[i].from_, on_attainment)})"
        if i + 1 == len(tiers):
            out.append(Standing(comp.id, text + ", the top tier"))
            continue
        nxt = tiers[i + 1].from_
        out.append(Standing(comp.id, text, _start(nxt, on_attainment),
                            (nxt - figure) * (quota if on_attainment else 1.0)))
    return out
