"""Where a payee stands on a plan's tiers: the tier reached and what the next one takes.

A rep's first question after "what did I earn" is "how far to the next tier". For a
commission whose tiers (or a payout curve whose points) run on the year's value or
attainment of a measure, the step reached is the last whose start is at or below the
year's figure, and the way to the next is the credited value still needed. Steps that
restart each month or quarter have no single next step for the year; they are named as
such instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from compplan.schema import Commission, PayoutCurve, Plan


@dataclass(frozen=True)
class Standing:
    """A payee's place on one commission's tiers."""

    component: str
    reached: str
    """``tier 2 of 3 (from 100%)``, ``point 1 of 3 (from 75%)``, or why there is no year
    standing."""
    next_from: str = ""
    """Where the next tier or point starts, in the schedule's terms (``120%``, ``500,000``)."""
    to_go: float | None = None
    """Credited value still needed to reach the next tier (``None``: none, or top tier)."""
    step: str = "tier"
    """What the steps are called: a commission's ``tier``, a payout curve's ``point``."""


def _start(value: float, on_attainment: bool) -> str:
    return f"{value:.0%}" if on_attainment else f"{value:,.0f}"


def _needed(start: float, quota: float, on_attainment: bool) -> float:
    """The credited value at which a tier starts."""
    return start * quota if on_attainment else start


def standings(plan: Plan, measure: str, credited: float, quota: float) -> list[Standing]:
    """The standing on each tiered commission and payout curve of ``measure`` in ``plan``,
    for the year's
    ``credited`` value against the year's ``quota`` (0 or NaN: no quota)."""
    out = []
    for comp in plan.components:
        if isinstance(comp, Commission) and comp.measure == measure:
            starts = [t.from_ for t in comp.schedule.tiers]
            on_attainment, word = comp.basis == "attainment", "tier"
        elif isinstance(comp, PayoutCurve) and comp.measure == measure:
            starts = [p.attainment for p in comp.points]
            on_attainment, word = True, "point"
        else:
            continue
        out.append(_standing(comp.id, comp.period, starts, on_attainment, word, credited,
                             quota))
    return out


def _standing(component: str, period: str, starts: list[float], on_attainment: bool,
              word: str, credited: float, quota: float) -> Standing:
    """The standing among ``starts`` (tier starts, or a curve's points)."""
    if period not in ("year", "ytd"):
        return Standing(component, f"{word}s restart each {period}: see the Attainment sheet",
                        step=word)
    if on_attainment and not quota > 0:
        return Standing(component, f"no quota: {word}s on attainment do not apply", step=word)
    figure = credited / quota if on_attainment else credited
    reached = [i for i, start in enumerate(starts) if start <= figure]
    if not reached:
        return Standing(component, f"below the first {word}", _start(starts[0], on_attainment),
                        _needed(starts[0], quota, on_attainment) - credited, word)
    i = reached[-1]
    text = f"{word} {i + 1} of {len(starts)} (from {_start(starts[i], on_attainment)})"
    if i + 1 == len(starts):
        return Standing(component, f"{text}, the top {word}", step=word)
    return Standing(component, text, _start(starts[i + 1], on_attainment),
                    _needed(starts[i + 1], quota, on_attainment) - credited, word)
