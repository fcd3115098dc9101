"""Load scenario files: safe YAML -> pydantic, every problem with file:line: field."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from compplan.core.file_guard import PLAN_BYTES, regular_file
from compplan.core.yamlsource import parse_yaml
from compplan.errors import InputError, Issue, PlanError, raise_if
from compplan.plan.load import pydantic_issues
from compplan.scenarios.schema import Scenario


def load_scenario(path: Path) -> tuple[Scenario | None, list[Issue]]:
    try:
        regular_file(path, PLAN_BYTES)
        text = path.read_text(encoding="utf-8-sig")
    except InputError as exc:
        return None, list(exc.issues)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue(str(path), f"cannot read: {exc}")]
    doc, issues = parse_yaml(text, str(path))
    if doc is None:
        return None, issues
    if not isinstance(doc.data, dict):
        return None, [Issue(str(path), "a scenario must be a mapping with scenario, plans, data")]
    try:
        return Scenario.model_validate(doc.data), []
    except ValidationError as exc:
        return None, pydantic_issues(exc, doc)


def load_scenarios(location: Path) -> list[tuple[Scenario, Path]]:
    """Every scenario under a folder (or the one file named), all problems at once."""
    files = sorted([*location.glob("*.yaml"), *location.glob("*.yml")]) if location.is_dir() \
        else [location]
    if not location.exists():
        raise PlanError([Issue(str(location), "no such file or folder")])
    out, issues = [], []
    names: dict[str, Path] = {}
    for file in files:
        scenario, found = load_scenario(file)
        issues.extend(found)
        if scenario is None:
            continue
        if scenario.scenario in names or scenario.scenario == "baseline":
            issues.append(Issue(str(file), f"scenario name {scenario.scenario!r} is already "
                                           "used", 1, "scenario"))
            continue
        names[scenario.scenario] = file
        out.append((scenario, file))
    raise_if(issues, PlanError)
    return out
