"""Cross-references read from a plan's raw data, for a plan that does not validate yet.

``compplan validate`` reports a plan's schema mistakes and its cross-reference
mistakes (a component's measure that is not defined, a cap naming an unknown
component) in one pass: when pydantic refuses the document there is no typed plan to
check, so the names are looked up in the data as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compplan.core.yamlsource import Path

Finding = tuple[Path, str]


def _named_measures(comp: dict[str, Any], i: int) -> Iterator[tuple[Path, str]]:
    if isinstance(comp.get("measure"), str):
        yield ("components", i, "measure"), comp["measure"]
    for key in ("gate", "condition"):
        cond = comp.get(key)
        if isinstance(cond, dict):
            if isinstance(cond.get("measure"), str):
                yield ("components", i, key, "measure"), cond["measure"]
            for name in cond.get("weights") or {}:
                yield ("components", i, key, "weights", name), str(name)
    mult = comp.get("multiplier")
    if isinstance(mult, dict) and isinstance(mult.get("measure"), str):
        yield ("components", i, "multiplier", "measure"), mult["measure"]
    for g, goal in enumerate(comp.get("goals") or []):
        if isinstance(goal, dict) and isinstance(goal.get("measure"), str):
            yield ("components", i, "goals", g, "measure"), goal["measure"]


def raw_references(data: dict[str, Any]) -> list[Finding]:
    """Unknown measures and components named in the raw plan, with their paths."""
    given = data.get("measures")
    measures: dict[str, Any] = given if isinstance(given, dict) else {}
    comps = [c for c in data.get("components") or [] if isinstance(c, dict)]
    ids = {str(c.get("id")) for c in comps}
    known = ", ".join(sorted(map(str, measures))) or "none"
    found: list[Finding] = []
    for i, comp in enumerate(data.get("components") or []):
        if not isinstance(comp, dict):
            continue
        for path, name in _named_measures(comp, i):
            if name not in measures:
                found.append((path, f"unknown measure {name!r} (defined: {known})"))
        for j, cid in enumerate(comp.get("components") or []):
            if isinstance(cid, str) and cid not in ids:
                found.append((("components", i, "components", j), f"unknown component {cid!r}"))
    quotas = data.get("quotas")
    for name in quotas if isinstance(quotas, dict) else {}:  # a list: the schema says so
        if name not in measures:
            found.append((("quotas", name), f"quota for unknown measure {name!r}"))
    for k, cap in enumerate(data.get("caps") or []):
        for j, cid in enumerate(cap.get("components") or [] if isinstance(cap, dict) else []):
            if isinstance(cid, str) and cid not in ids:
                found.append((("caps", k, "components", j), f"unknown component {cid!r}"))
    return found
