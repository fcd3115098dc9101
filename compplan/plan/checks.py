"""Semantic checks of a plan that the field types alone cannot express.

Each ``check_*`` function looks at one concern and yields ``(path, message,
severity)``; the loader turns paths into file lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from compplan.core.yamlsource import Path
from compplan.inputs.tables import spec_for
from compplan.schema import (
    Bonus,
    Commission,
    Condition,
    CreditToLookup,
    Draw,
    LevelTable,
    PayoutCurve,
    Plan,
    RateTable,
    Spiff,
)
from compplan.schema.expressions import names, parse
from compplan.schema.filters import filter_columns

Finding = tuple[Path, str, str]


def check_tiers(plan: Plan) -> Iterator[Finding]:
    """Tier starts must strictly increase."""
    for i, comp in enumerate(plan.components):
        if isinstance(comp, Commission):
            tiers = comp.schedule.tiers
            for t in range(1, len(tiers)):
                if tiers[t].from_ <= tiers[t - 1].from_:
                    yield (
                        ("components", i, "schedule", "tiers", t, "from"),
                        f"tiers must increase: {tiers[t].from_:g} is not above "
                        f"{tiers[t - 1].from_:g}",
                        "error",
                    )


def check_curves(plan: Plan) -> Iterator[Finding]:
    """Curve attainments must increase and payouts must not fall."""
    for i, comp in enumerate(plan.components):
        if not isinstance(comp, PayoutCurve):
            continue
        pts = comp.points
        for p in range(1, len(pts)):
            if pts[p].attainment <= pts[p - 1].attainment:
                yield (("components", i, "points", p, "attainment"),
                       "curve attainments must increase", "error")
            if pts[p].payout < pts[p - 1].payout:
                yield (("components", i, "points", p, "payout"),
                       "payout curve must not decrease (monotone in attainment)", "error")
        if comp.below > pts[0].payout:
            yield (("components", i, "below"),
                   "payout below the first point cannot exceed the first point's payout", "error")


def _condition_measures(cond: Condition | None) -> list[str]:
    return list(cond.weight_map()) if cond is not None else []


def check_levels(plan: Plan) -> Iterator[Finding]:
    """Levels of a goal must start higher each time."""
    for i, comp in enumerate(plan.components):
        if not isinstance(comp, LevelTable):
            continue
        for g, goal in enumerate(comp.goals):
            for k in range(1, len(goal.levels)):
                if goal.levels[k].from_ <= goal.levels[k - 1].from_:
                    yield (("components", i, "goals", g, "levels", k, "from"),
                           f"levels must increase: {goal.levels[k].from_:g} is not above "
                           f"{goal.levels[k - 1].from_:g}", "error")


def check_measure_references(plan: Plan) -> Iterator[Finding]:
    """Every measure a component or gate names must be defined by the plan."""
    for i, comp in enumerate(plan.components):
        named: list[tuple[Path, str]] = []
        if isinstance(comp, Commission | RateTable | PayoutCurve | Spiff):
            named.append((("components", i, "measure"), comp.measure))
        if isinstance(comp, LevelTable):
            named.extend((("components", i, "goals", g, "measure"), goal.measure)
                         for g, goal in enumerate(comp.goals))
        for key in ("gate", "condition"):
            cond = getattr(comp, key, None)
            for m in _condition_measures(cond):
                named.append((("components", i, key), m))
        mult = getattr(comp, "multiplier", None)
        if mult is not None:
            named.append((("components", i, "multiplier", "measure"), mult.measure))
        for path, measure in named:
            if measure not in plan.measures:
                known = ", ".join(sorted(plan.measures)) or "none"
                yield path, f"unknown measure {measure!r} (defined: {known})", "error"


def _needs_quota(plan: Plan) -> Iterator[tuple[Path, str]]:
    for i, comp in enumerate(plan.components):
        if isinstance(comp, LevelTable):
            yield from ((("components", i, "goals", g, "basis"), goal.measure)
                        for g, goal in enumerate(comp.goals) if goal.basis == "attainment")
        if isinstance(comp, PayoutCurve) or (
            isinstance(comp, Commission) and comp.basis == "attainment"
        ):
            yield ("components", i, "measure"), comp.measure
        for key in ("gate", "condition"):
            for m in _condition_measures(getattr(comp, key, None)):
                yield ("components", i, key), m
        mult = getattr(comp, "multiplier", None)
        if mult is not None:
            yield ("components", i, "multiplier", "measure"), mult.measure


def check_sales_measure(plan: Plan) -> Iterator[Finding]:
    """Cost of sales is measured against a summed measure the plan defines."""
    name = plan.cost_of_sales
    if name is None:
        return
    if name not in plan.measures:
        known = ", ".join(sorted(plan.measures)) or "none"
        yield ("cost_of_sales",), f"unknown measure {name!r} (defined: {known})", "error"
    elif plan.measures[name].is_level:
        yield ("cost_of_sales",), f"measure {name!r} is a level (averaged, or a ratio), not " \
                                  "summed: it has no sales value to divide pay by", "error"


def check_quotas(plan: Plan) -> Iterator[Finding]:
    """Attainment needs a quota; quotas must be for defined measures."""
    for path, measure in _needs_quota(plan):
        if measure in plan.measures and measure not in plan.quotas:
            yield path, f"attainment of {measure!r} needs a quota: add quotas.{measure}", "error"
    for name in plan.quotas:
        if name not in plan.measures:
            yield ("quotas", name), f"quota for unknown measure {name!r}", "error"


def check_multiplier_tiers(plan: Plan) -> Iterator[Finding]:
    """Multiplier tiers must strictly increase."""
    for i, comp in enumerate(plan.components):
        mult = getattr(comp, "multiplier", None)
        if mult is None:
            continue
        for t in range(1, len(mult.tiers)):
            if mult.tiers[t].from_ <= mult.tiers[t - 1].from_:
                yield (("components", i, "multiplier", "tiers", t, "from"),
                       "multiplier tiers must increase", "error")


def check_component_ids(plan: Plan) -> Iterator[Finding]:
    """Component ids are unique within a plan (they name payout lines)."""
    seen: set[str] = set()
    for i, comp in enumerate(plan.components):
        if comp.id in seen:
            yield ("components", i, "id"), f"duplicate component id {comp.id!r}", "error"
        seen.add(comp.id)


def check_bonus_pay(plan: Plan) -> Iterator[Finding]:
    """A bonus amount should be positive; a negative 'bonus' is a deduction in disguise."""
    for i, comp in enumerate(plan.components):
        if isinstance(comp, Bonus) and comp.amount is not None and comp.amount < 0:
            yield ("components", i, "amount"), "a bonus amount must not be negative", "error"


def check_split_usage(plan: Plan) -> Iterator[Finding]:
    """A per-split SPIFF needs a measure that has a split column."""
    for i, comp in enumerate(plan.components):
        if (isinstance(comp, Spiff) and comp.per_split and comp.measure in plan.measures
                and plan.measures[comp.measure].split is None):
            yield (("components", i, "per_split"),
                   f"measure {comp.measure!r} has no split column; set per_split: false",
                   "error")


def check_columns(plan: Plan) -> Iterator[Finding]:
    """Columns outside the run contract's tables are allowed but worth a warning."""
    for name, m in plan.measures.items():
        spec = spec_for(m.table)
        if not spec.required or m.derived:
            continue  # a free-form table: its columns are whatever the file has
        known = set(spec.types())
        used = [("value", m.value), ("date", m.date), ("split", m.split),
                ("once_per", m.once_per)]
        used += [("filter", c) for c in sorted(filter_columns(m.filter))]
        used += [("row", c) for c in (names(parse(m.row)) if m.row is not None else [])]
        for field, col in used:
            if col is None or col == "count" or col in known:
                continue
            if field == "filter" and isinstance(m.credit_to, CreditToLookup):
                continue  # may come from the lookup table
            yield (("measures", name, field),
                   f"{col!r} is not a standard {m.table} column: the {m.table} file must have it",
                   "warning")


def check_money_rates(plan: Plan) -> Iterator[Finding]:
    """A rate above 1 on money pays more than the money itself: usually a percentage
    written as a number (``rate: 5`` for 5 %). A warning, as it may be meant."""
    for i, comp in enumerate(plan.components):
        if isinstance(comp, Commission) and comp.basis == "value" and \
                not comp.schedule.pays_amounts:
            for t, tier in enumerate(comp.schedule.tiers):
                if tier.rate is not None and tier.rate > 1:
                    yield (("components", i, "schedule", "tiers", t, "rate"),
                           f"rate {tier.rate:g} on money pays {tier.rate:g} times the value: "
                           f"did you mean {tier.rate / 100:g} ({tier.rate:g} %)?", "warning")
        if isinstance(comp, RateTable):
            for key, rate in comp.rates.items():
                if rate > 1:
                    yield (("components", i, "rates", key),
                           f"rate {rate:g} pays {rate:g} times the value: did you mean "
                           f"{rate / 100:g} ({rate:g} %)?", "warning")


def check_derived_measures(plan: Plan) -> Iterator[Finding]:
    """A derived measure reads measures of the plan, never itself through others; and
    having no credits, it cannot feed a rule that pays per credit."""
    for name, m in plan.measures.items():
        if m.period is None:
            continue
        for part in names(parse(m.period)):
            if part not in plan.measures:
                known = ", ".join(sorted(plan.measures))
                yield (("measures", name, "period"),
                       f"unknown measure {part!r} (defined: {known})", "error")
        if _cycle(plan, name, [name]):
            yield (("measures", name, "period"),
                   f"{name!r} is derived from itself: {' -> '.join(_cycle(plan, name, [name]))}",
                   "error")
    for i, comp in enumerate(plan.components):
        measure = str(getattr(comp, "measure", ""))
        hold = getattr(comp, "hold", None)
        per_credit = (isinstance(comp, RateTable | Spiff)
                      or (hold is not None and hold.until_paid is not None)
                      or (isinstance(comp, Commission) and comp.apply == "per_credit"))
        if measure in plan.measures and plan.measures[measure].derived and per_credit:
            yield (("components", i, "measure"),
                   f"{measure!r} is derived per period: it has no credits for a "
                   f"{comp.kind} that pays per credit", "error")


def _cycle(plan: Plan, name: str, path: list[str]) -> list[str]:
    """A path from ``path[-1]`` back to ``name`` through derived measures, or []."""
    m = plan.measures.get(path[-1])
    if m is None or m.period is None:
        return []
    for part in names(parse(m.period)):
        if part == name:
            return [*path, part]
        if part not in path:
            found = _cycle(plan, name, [*path, part])
            if found:
                return found
    return []


def check_credit_caps(plan: Plan) -> Iterator[Finding]:
    """A cap per credit needs a component that prices each credit on its own."""
    for i, comp in enumerate(plan.components):
        cap = getattr(comp, "cap", None)
        if cap is None or cap.per != "credit":
            continue
        if not (isinstance(comp, RateTable) or (isinstance(comp, Commission)
                                                 and comp.apply == "per_credit")):
            yield (("components", i, "cap", "per"),
                   "a cap per credit needs a component priced per credit: apply: per_credit "
                   "or a rate_table", "error")


def check_gate_periods(plan: Plan) -> Iterator[Finding]:
    """A year-to-date component holds its gated pay by itself; forfeiting part of a
    running total has no meaning."""
    for i, comp in enumerate(plan.components):
        gate = getattr(comp, "gate", None)
        if (gate is not None and gate.missed == "forfeit" and getattr(comp, "period", None)
                == "ytd" and gate.period not in (None, "ytd")):
            yield (("components", i, "gate", "missed"),
                   "a ytd component cannot forfeit: its true-up pays what is due once the "
                   "gate is met (use missed: hold)", "error")


def _variable_names(plan: Plan, where: Path, names: list[str], what: str
                    ) -> Iterator[Finding]:
    """Components a total cap or a draw names: known, variable, each once."""
    kinds = {c.id: c.kind for c in plan.components}
    for j, cid in enumerate(names):
        if cid not in kinds:
            yield ((*where, j), f"unknown component {cid!r} (components: {', '.join(kinds)})",
                   "error")
        elif kinds[cid] in ("salary", "draw", "advance"):
            yield ((*where, j), f"{cid!r} is a {kinds[cid]}: {what}", "error")
    if len(set(names)) != len(names):
        yield where, "a component is named twice", "error"


def check_total_caps(plan: Plan) -> Iterator[Finding]:
    """A total cap names variable components of the plan, each once."""
    for k, cap in enumerate(plan.caps):
        yield from _variable_names(plan, ("caps", k, "components"), list(cap.components),
                                   "a total cap bounds variable pay")


def check_draw_components(plan: Plan) -> Iterator[Finding]:
    """A draw is measured against variable components of the plan, each once."""
    for i, comp in enumerate(plan.components):
        if isinstance(comp, Draw) and comp.components is not None:
            yield from _variable_names(plan, ("components", i, "components"),
                                       list(comp.components),
                                       "a draw is measured against variable pay")


_DRAW_OPTIONS = {"period", "components", "recover_from", "first_periods", "forgive"}


def check_changed_defaults(plan: Plan) -> Iterator[Finding]:
    """A notice for each rule whose default changed under a plan that relies on it:
    the plan pays differently than with the release it was written for, and the
    notice names the option that keeps the old behaviour."""
    for i, comp in enumerate(plan.components):
        m = plan.measures.get(getattr(comp, "measure", ""))
        if (isinstance(comp, Commission) and comp.period in ("month", "quarter", "year")
                and comp.apply == "total" and m is not None and m.clawback is not None
                and "clawbacks" not in comp.model_fields_set):
            yield (("components", i, "period"),
                   "since compplan 0.2 a clawback dated in a later period than its credit "
                   "reverses what the deal earned where it was paid; set clawbacks: net to "
                   "net it into the period it is dated in, as before", "notice")
        if (isinstance(comp, Draw) and comp.recoverable
                and not comp.model_fields_set & _DRAW_OPTIONS):
            yield (("components", i, "recoverable"),
                   "since compplan 0.2 a recoverable draw is a draw against commission: it "
                   "pays max(earned, draw) and recovers only from earnings above the draw; "
                   "the advance paid on top of commission is now kind: advance (writing "
                   "period: month marks the draw as meant)", "notice")


CHECKS: tuple[Callable[[Plan], Iterator[Finding]], ...] = (
    check_tiers,
    check_levels,
    check_curves,
    check_measure_references,
    check_quotas,
    check_sales_measure,
    check_component_ids,
    check_multiplier_tiers,
    check_bonus_pay,
    check_split_usage,
    check_columns,
    check_credit_caps,
    check_derived_measures,
    check_money_rates,
    check_gate_periods,
    check_total_caps,
    check_draw_components,
    check_changed_defaults,
)


def check_plan(plan: Plan) -> list[Finding]:
    """Run every check over one plan."""
    return [finding for check in CHECKS for finding in check(plan)]
