"""Parameters of a quota plan: CLI flags or, equally, a YAML quota-plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from compplan.core.yamlsource import parse_yaml, render_path
from compplan.errors import Issue, PlanError
from compplan.schema.quota_plan import QuotaParams

__all__ = ["QuotaParams", "load_params"]


def load_params(path: Path | None, overrides: dict[str, Any]) -> QuotaParams:
    """Parameters from a quota-plan file (if any), with CLI flags taking precedence."""
    data: dict[str, Any] = {}
    file = str(path) if path else "command line"
    lines: dict[tuple[str | int, ...], int] = {}
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise PlanError([Issue(file, f"cannot read: {exc.strerror}")]) from None
        doc, issues = parse_yaml(text, file)
        if doc is None:
            raise PlanError(issues)
        if not isinstance(doc.data, dict):
            raise PlanError([Issue(file, "a quota plan must be a mapping of parameters")])
        data, lines = dict(doc.data), doc.lines
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return QuotaParams.model_validate(data)
    except ValidationError as exc:
        raise PlanError([
            Issue(file, "unknown key" if e["type"] == "extra_forbidden"
                  else e["msg"].removeprefix("Value error, "),
                  lines.get(tuple(e["loc"][:1])), render_path(tuple(e["loc"])))
            for e in exc.errors()]) from None
