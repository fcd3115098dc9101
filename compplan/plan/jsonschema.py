"""The JSON Schema of the plan language, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from compplan.schema import Plan

SCHEMA_ID = "https://compplan.invalid/schema/plan.schema.json"


def plan_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for plan files, by alias (``from``, ``in``, ``not``)."""
    schema = Plan.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "compplan plan"
    return schema
