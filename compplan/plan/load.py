"""Load plan files: safe YAML -> pydantic -> semantic checks, all issues at once.

Like a compiler, the loader never stops at the first mistake: it gathers every issue
of every file, located as ``file:line: field``, and raises them together.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from compplan.core.file_guard import PLAN_BYTES, regular_file
from compplan.core.yamlsource import Path, SourceDoc, parse_yaml, render_path
from compplan.errors import InputError, Issue, PlanError, raise_if
from compplan.plan.checks import check_plan
from compplan.plan.raw_references import raw_references
from compplan.schema import Plan
from compplan.schema.expressions import ExpressionError
from compplan.schema.quota_plan import QuotaParams

MAX_PLAN_BYTES = PLAN_BYTES


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Drop the union tags pydantic inserts into ``loc`` so the path matches the file."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            if str(part) in node:
                out.append(str(part))
                node = node[str(part)]
            elif part == "not_" and "not" in node:
                out.append("not")
                node = node["not"]
            elif isinstance(part, str) and (":" in part or part in _KINDS):
                continue
            else:
                out.append(part)
                node = None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(part, str) and (":" in part or part in _KINDS):
            continue
        else:
            out.append(part)
            node = None
    return tuple(out)


_KINDS = {"salary", "commission", "rate_table", "payout_curve", "level_table", "bonus", "spiff",
          "draw", "advance"}


def _percent(value: object) -> str | None:
    """``"5%"`` as the share it means (``0.05``), or None for anything else."""
    if not isinstance(value, str) or not value.strip().endswith("%"):
        return None
    try:
        share = float(value.strip()[:-1]) / 100
    except ValueError:
        return None
    return f"{share:g}"


def pydantic_issues(exc: ValidationError, doc: SourceDoc) -> list[Issue]:
    issues = []
    for err in exc.errors():
        path = _data_path(doc.data, tuple(err["loc"]))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            path = (*path, "kind")
            message = f"unknown kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
        elif err["type"] == "union_tag_not_found":
            path = (*path, "kind")
            message = "required key is missing (the component's kind)"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif _percent(err.get("input")) is not None:
            message = (f"{err['input']!r} is not a number: write {_percent(err['input'])} "
                       f"for {err['input']}")
        cause = err.get("ctx", {}).get("error")
        column = (doc.columns[path] + cause.offset if isinstance(cause, ExpressionError)
                  and path in doc.columns else None)
        issues.append(Issue(doc.file, message, doc.line_of(path), render_path(path),
                            column=column))
    return issues


def load_plan_text(text: str, file: str) -> tuple[Plan | None, list[Issue]]:
    """Validate one plan document; return the plan (if valid) and every issue."""
    doc, issues = parse_yaml(text, file)
    if doc is None:
        return None, issues
    if not isinstance(doc.data, dict):
        return None, [Issue(file, "a plan file must be a mapping with plan, measures, components")]
    if "quota_plan" in doc.data:  # quota-planning parameters live beside the plans
        return None, check_quota_plan(doc)
    try:
        plan = Plan.model_validate(doc.data).with_source(file, doc.lines)
    except ValidationError as exc:  # names are checked too: every mistake in one pass
        refs = [Issue(file, message, doc.line_of(path), render_path(path))
                for path, message in raw_references(doc.data)]
        return None, _merged(pydantic_issues(exc, doc), refs)
    checked = [
        Issue(file, message, doc.line_of(path), render_path(path), severity)
        for path, message, severity in check_plan(plan)
    ]
    return plan, checked


def _merged(schema: list[Issue], refs: list[Issue]) -> list[Issue]:
    """Schema issues, then the cross-reference issues they do not already say, in
    line order."""
    said = {(i.field, i.message) for i in schema}
    both = [*schema, *(r for r in refs if (r.field, r.message) not in said)]
    return sorted(both, key=lambda i: (i.line or 0))


def check_quota_plan(doc: SourceDoc) -> list[Issue]:
    """Validate a quota-plan file found among the plans (``target`` may come from a flag)."""
    data = {"target": 1.0, **doc.data}
    try:
        QuotaParams.model_validate(data)
    except ValidationError as exc:
        return pydantic_issues(exc, doc)
    return []


def load_plan_file(path: FsPath) -> tuple[Plan | None, list[Issue]]:
    """Read and validate one plan file."""
    file = str(path)
    try:
        regular_file(path, MAX_PLAN_BYTES)  # before reading: no device, pipe or huge file
        raw = path.read_bytes()
    except InputError as exc:
        return None, list(exc.issues)
    except OSError as exc:
        return None, [Issue(file, f"cannot read: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Issue(file, f"not UTF-8 text (byte {exc.start})")]
    return load_plan_text(text, file)


def plan_files(location: FsPath) -> list[FsPath]:
    """The plan files of a folder (``*.yaml``/``*.yml``), or the one file named."""
    if location.is_dir():
        return sorted([*location.glob("*.yaml"), *location.glob("*.yml")])
    return [location]


def load_plans(location: FsPath | str) -> dict[str, Plan]:
    """Load every plan under ``location``, keyed by plan id; raise all issues at once."""
    return load_plans_checked(location)[0]


def load_plans_checked(location: FsPath | str) -> tuple[dict[str, Plan], list[Issue]]:
    """Like :func:`load_plans`, also returning the warnings (errors are raised)."""
    where = FsPath(location)
    if not where.exists():
        raise PlanError([Issue(str(where), "no such file or folder")])
    plans: dict[str, Plan] = {}
    origin: dict[str, str] = {}
    issues: list[Issue] = []
    files = plan_files(where)
    if not files:
        issues.append(Issue(str(where), "no plan files (*.yaml) found"))
    for file in files:
        plan, found = load_plan_file(file)
        issues.extend(found)
        if plan is None:
            continue
        if plan.plan in plans:
            issues.append(
                Issue(str(file), f"plan id {plan.plan!r} is already defined in {origin[plan.plan]}",
                      1, "plan")
            )
            continue
        plans[plan.plan] = plan
        origin[plan.plan] = str(file)
    raise_if(issues, PlanError)
    return plans, [i for i in issues if i.severity != "error"]
