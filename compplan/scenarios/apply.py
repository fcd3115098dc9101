"""Apply a scenario to copies of the baseline plans and inputs (the baseline is untouched)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from compplan.core.yamlsource import SourceDoc, render_path
from compplan.engine.filters import UnknownColumnError, evaluate
from compplan.errors import Issue, PlanError
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import ROW_COLUMN, Table, load_table, table_from_frame
from compplan.inputs.tables import MONEY, spec_for
from compplan.plan.checks import check_plan
from compplan.plan.load import pydantic_issues
from compplan.scenarios.schema import (
    AddRows,
    DropRows,
    FxShift,
    ReplaceTable,
    Scale,
    Scenario,
    ShiftDates,
)
from compplan.schema import Plan


class ChangeError(Exception):
    """A change that cannot be applied; the loader adds file and line."""


def _step(node: Any, part: str) -> tuple[Any, Any]:
    if isinstance(node, dict):
        if part not in node:
            raise ChangeError(f"no field {part!r} (has: {', '.join(map(str, node))})")
        return node, part
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        ids = [item.get("id") for item in node if isinstance(item, dict)]
        if part in ids:
            return node, ids.index(part)
        raise ChangeError(f"no item {part!r} (items: {', '.join(map(str, ids)) or len(node)})")
    raise ChangeError(f"cannot go into {part!r}: it is a value")


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path in plain plan data (lists by index or component id)."""
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        parent, key = _step(node, part)
        node = parent[key]
    parent, key = _step(node, parts[-1])
    parent[key] = value


def apply_to_plans(plans: dict[str, Plan], scenario: Scenario) -> dict[str, Plan]:
    """New plan objects with the scenario's fields set; validated like a plan file."""
    out = dict(plans)
    for change in scenario.plans:
        if change.plan not in out:
            raise ChangeError(f"unknown plan {change.plan!r}")
        data = out[change.plan].model_dump(by_alias=True, exclude_unset=False)
        for path, value in change.set.items():
            try:
                set_path(data, path, value)
            except ChangeError as exc:
                raise ChangeError(f"{path}: {exc}") from None
        try:
            plan = Plan.model_validate(data)
        except ValidationError as exc:
            found = [f"{i.field}: {i.message}" for i in pydantic_issues(exc, SourceDoc("", data))]
            raise ChangeError(f"the changed plan {change.plan} is not valid: "
                              + "; ".join(found)) from None
        errors = [f"{render_path(path)}: {message}" for path, message, severity
                  in check_plan(plan) if severity == "error"]  # what a plan file must pass
        if errors:
            raise ChangeError(f"the changed plan {change.plan} is not valid: "
                              + "; ".join(errors))
        _same_identity(out[change.plan], plan, change.set)
        out[change.plan] = plan
    return out


def _same_identity(before: Plan, after: Plan, paths: dict[str, Any]) -> None:
    """A scenario changes rules, not names: the plan id, component ids and measure
    names stay (renaming ae-2026 to mgr-2026 would pay its payees by nothing)."""
    said = ", ".join(paths)
    if after.plan != before.plan:
        raise ChangeError(f"{said}: the plan id is not settable ({before.plan!r} would become "
                          f"{after.plan!r})")
    if [c.id for c in after.components] != [c.id for c in before.components]:
        raise ChangeError(f"{said}: component ids are not settable")
    if list(after.measures) != list(before.measures):
        raise ChangeError(f"{said}: measure names are not settable")


def _mask(table: Table, where: Any) -> np.ndarray:
    try:
        return evaluate(where, table.frame)
    except UnknownColumnError as exc:
        raise ChangeError(f"table {table.name} has no column {exc.column!r}") from None


def _update(table: Table, columns: list[str], where: Any, kind: str,
            change: Callable[[np.ndarray], np.ndarray]) -> Table:
    """Change the given columns on the rows a filter keeps; columns must be of a kind."""
    is_kind = (pd.api.types.is_numeric_dtype if kind == "numeric"
               else pd.api.types.is_datetime64_any_dtype)
    frame = table.frame.copy()
    mask = _mask(table, where)
    for col in columns:
        if col not in frame or not is_kind(frame[col].dtype):
            raise ChangeError(f"{table.name}.{col} is not a {kind} column")
        values = frame[col].to_numpy().copy()
        values[mask] = change(values[mask])
        frame[col] = values
    return dataclasses.replace(table, frame=frame)


def _scale(table: Table, op: Scale) -> Table:
    scaled = _update(table, op.columns, op.where, "numeric",
                     lambda v: v.astype(np.float64) * op.factor)
    bounds = spec_for(table.name).bounds
    for col in op.columns:
        low, high = bounds.get(col, (-MONEY, MONEY))
        values = scaled.frame[col].to_numpy(dtype=np.float64)
        out = (values < (low if low is not None else -np.inf)) | (values > (
            high if high is not None else np.inf))
        if out.any():  # what an input file may not hold, a scenario may not make
            lo, hi = ("-inf" if low is None else f"{low:g}", "inf" if high is None else f"{high:g}")
            raise ChangeError(f"{table.name}.{col} x {op.factor:g} gives {values[out][0]:g}, "
                              f"outside {lo}..{hi} (the bounds of an input cell)")
    return scaled


def _shift(table: Table, op: ShiftDates) -> Table:
    return _update(table, op.columns, op.where, "date",
                   lambda v: v + np.timedelta64(op.days, "D"))


def _drop(table: Table, op: DropRows) -> Table:
    return dataclasses.replace(table, frame=table.frame[~_mask(table, op.where)].copy())


def _add(table: Table, op: AddRows, source: str) -> Table:
    given = pd.DataFrame(op.rows)
    columns = [c for c in table.frame.columns if c != ROW_COLUMN]  # cells a row omits: empty
    given = given.reindex(columns=[*columns, *(c for c in given.columns if c not in columns)])
    added = table_from_frame(given, table.name, source)
    frame = added.frame
    frame[ROW_COLUMN] = -np.arange(1, len(frame) + 1)  # negative: rows of the scenario
    return dataclasses.replace(table, frame=pd.concat([table.frame, frame], ignore_index=True))


def _inside(folder: Path, name: str) -> Path:
    """The file a scenario names, once its real path (links followed) is known to be
    in the scenario's folder or below: a link to ``/etc`` is refused unread, so no
    line of a file outside can reach a message."""
    path = folder / name
    real, home = path.resolve(), folder.resolve()
    if not real.is_relative_to(home):
        raise ChangeError(f"replace_table: {name!r} leads outside the scenario's folder "
                          "(a link?): expected a file in it or below it")
    return path


def _fx_shift(table: Table, op: FxShift) -> Table:
    """The FX table with a currency worth ``1 + change`` times as much."""
    frame = table.frame.copy()
    rate = frame["rate"].to_numpy(dtype=np.float64).copy()
    rate[(frame["from"] == op.currency).to_numpy()] *= 1 + op.change
    rate[(frame["to"] == op.currency).to_numpy()] /= 1 + op.change
    frame["rate"] = rate
    return dataclasses.replace(table, frame=frame)


def fx_shifted_plans(plans: dict[str, Plan], scenario: Scenario) -> dict[str, Plan]:
    """The plans' budget rates under the scenario's FX shifts (in plan currency per
    unit: the shifted currency's rate moves, or every other one for a plan in it)."""
    out = dict(plans)
    for change in scenario.data:
        op = change.fx_shift
        if op is None:
            continue
        for plan_id, plan in out.items():
            factor = {c: (1 + op.change if c == op.currency else 1.0) for c in plan.fx.budget}
            if plan.currency == op.currency:
                factor = dict.fromkeys(plan.fx.budget, 1 / (1 + op.change))
            budget = {c: r * factor[c] for c, r in plan.fx.budget.items()}
            out[plan_id] = plan.model_copy(update={
                "fx": plan.fx.model_copy(update={"budget": budget})})
    return out


def apply_to_inputs(inputs: Inputs, scenario: Scenario, folder: Path) -> Inputs:
    """New inputs with the scenario's data changes, in order."""
    tables: dict[str, Table | None] = {
        "roster": inputs.roster, "deals": inputs.deals, "quotas": inputs.quotas,
        "accounts": inputs.accounts, "assignments": inputs.assignments, "fx": inputs.fx}
    for change in scenario.data:
        op = change.change()
        if isinstance(op, FxShift):
            if tables["fx"] is not None:
                tables["fx"] = _fx_shift(tables["fx"], op)  # type: ignore[arg-type]
            continue
        if isinstance(op, ReplaceTable):
            tables[op.table] = load_table(_inside(folder, op.file), op.table)
            continue
        table = tables[op.table]
        if table is None:
            if isinstance(op, AddRows):
                raise ChangeError(f"the run has no {op.table} table to add rows to")
            continue  # nothing to scale, shift or drop in a table the run does not have
        if isinstance(op, Scale):
            tables[op.table] = _scale(table, op)
        elif isinstance(op, ShiftDates):
            tables[op.table] = _shift(table, op)
        elif isinstance(op, DropRows):
            tables[op.table] = _drop(table, op)
        else:
            tables[op.table] = _add(table, op, f"scenario {scenario.scenario}")
    roster, deals = tables["roster"], tables["deals"]
    assert roster is not None and deals is not None
    return dataclasses.replace(inputs, roster=roster, deals=deals, quotas=tables["quotas"],
                               accounts=tables["accounts"],
                               assignments=tables["assignments"], fx=tables["fx"])


def apply(plans: dict[str, Plan], inputs: Inputs, scenario: Scenario, file: Path,
          line: int | None = None) -> tuple[dict[str, Plan], Inputs]:
    """Both halves of a scenario; a change that cannot apply is a located plan error."""
    try:
        changed = fx_shifted_plans(apply_to_plans(plans, scenario), scenario)
        return changed, apply_to_inputs(inputs, scenario, file.parent)
    except ChangeError as exc:
        raise PlanError([Issue(str(file), str(exc), line)]) from None
