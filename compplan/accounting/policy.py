"""Reading ``accounting.yaml``: safe YAML, validated, every mistake at its file and line.

Beyond the schema, the policy must name plans and components the run has, and only
components that pay for obtaining contracts: a salary or a draw is not such a cost.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from compplan.core.file_guard import PLAN_BYTES, regular_file
from compplan.core.yamlsource import parse_yaml, render_path
from compplan.errors import InputError, Issue
from compplan.plan.load import pydantic_issues
from compplan.schema import Plan
from compplan.schema.accounting import AccountingPolicy

NOT_A_COST = ("salary", "draw", "advance")
"""Component kinds that do not pay for obtaining a contract."""


def load_policy(path: Path | str, plans: dict[str, Plan]) -> AccountingPolicy:
    """The policy in ``path``, checked against the run's ``plans``; every problem of
    the file is reported together (exit 2)."""
    file = str(path)
    try:
        regular_file(Path(path), PLAN_BYTES)
        text = Path(path).read_bytes().decode("utf-8-sig")
    except InputError:
        raise
    except OSError as exc:
        raise InputError([Issue(file, f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Issue(file, f"not UTF-8 text (byte {exc.start})")]) from None
    return policy_from_text(text, file, plans)


def policy_from_text(text: str, file: str, plans: dict[str, Plan]) -> AccountingPolicy:
    """Validate a policy document (see :func:`load_policy`)."""
    doc, issues = parse_yaml(text, file)
    if doc is None:
        raise InputError(issues)
    if not isinstance(doc.data, dict):
        raise InputError([Issue(file, "an accounting policy is a mapping with capitalize: "
                                      "and accounts:")])
    try:
        policy = AccountingPolicy.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(pydantic_issues(exc, doc)) from None
    found = []
    for i, entry in enumerate(policy.capitalize):
        where = ("capitalize", i, "plan")
        plan = plans.get(entry.plan)
        if plan is None:
            found.append(Issue(file, f"no plan {entry.plan!r} in the run (plans: "
                                     f"{', '.join(sorted(plans))})", doc.line_of(where),
                               render_path(where)))
            continue
        kinds = {c.id: c.kind for c in plan.components}
        for k, component in enumerate(entry.components):
            at = ("capitalize", i, "components", k)
            if component not in kinds:
                found.append(Issue(file, f"plan {entry.plan} has no component {component!r} "
                                         f"(it has {', '.join(kinds)})", doc.line_of(at),
                                   render_path(at)))
            elif kinds[component] in NOT_A_COST:
                found.append(Issue(file, f"{component} is a {kinds[component]}: not a cost "
                                         "of obtaining a contract", doc.line_of(at),
                                   render_path(at)))
    if found:
        raise InputError(found)
    return policy
