"""Column mappings: load a CRM export with its own headers and stage names.

A mapping file is YAML (data only)::

    deals:
      columns: {Opportunity ID: deal_id, Opportunity Owner ID: owner_id}
      values: {stage: {closedwon: Closed Won}}
      date_format: "%m/%d/%Y"

Presets ship for a Salesforce opportunity report and a HubSpot deals export:
``--mapping salesforce`` or ``--mapping hubspot``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from compplan.core.file_guard import PLAN_BYTES, regular_file
from compplan.core.yamlsource import parse_yaml
from compplan.errors import InputError, Issue
from compplan.inputs.tables import spec_for

PRESETS = ("salesforce", "salesforce-opportunities", "hubspot")
TABLE_NAMES = ("roster", "deals", "quotas", "accounts", "assignments", "territories", "history",
               "overrides")
"""Tables a mapping may name, besides a run's ``--table NAME=PATH`` tables."""


@dataclass(frozen=True)
class TableMapping:
    """How one table's export maps onto canonical columns and values."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str = "%Y-%m-%d"
    thousands: str = ""  # "," for 20,062.00; "." for 20.062,00
    decimal: str = "."
    footer: tuple[str, ...] = ()  # first-cell texts of a report's trailing lines

    def number_text(self, text: pd.Series) -> pd.Series:
        """Number cells as plain decimals: thousands separators out, the decimal mark a
        point (``"20.062,00"`` with ``thousands: "."``, ``decimal: ","`` is 20062.00)."""
        out = text
        if self.thousands:
            out = out.str.replace(self.thousands, "", regex=False)
        if self.decimal != ".":
            out = out.str.replace(self.decimal, ".", regex=False)
        return out


@dataclass(frozen=True)
class Mapping:
    """Mappings for any of the input tables, by table name."""

    tables: dict[str, TableMapping] = field(default_factory=dict)
    source: str = ""
    lines: dict[str, int | None] = field(default_factory=dict)

    def unknown_tables(self, given: Iterable[str]) -> list[Issue]:
        """A table key that names no table (``dealz:``) is a typo that would leave the
        export unmapped: an error with its line and the names it can be."""
        known = sorted({*TABLE_NAMES, *given})
        return [Issue(self.source, f"no table {name!r}: expected one of {', '.join(known)}",
                      self.lines.get(name), name)
                for name in self.tables if name not in known]

    def apply(self, table: str, raw: pd.DataFrame) -> pd.DataFrame:
        spec = self.tables.get(table)
        if spec is None:
            return raw
        out = raw.rename(columns=spec.columns)
        for col, values in spec.values.items():
            if col in out.columns:
                out[col] = out[col].replace(values)
        if spec.thousands or spec.decimal != ".":
            numbers = [c for c, kind in spec_for(table).types().items() if kind == "number"]
            for col in numbers:
                if col in out.columns and pd.api.types.is_string_dtype(out[col].dtype):
                    out[col] = spec.number_text(out[col])
        return out

    def footer(self, table: str) -> tuple[str, ...]:
        spec = self.tables.get(table)
        return spec.footer if spec is not None else ()

    def wanted_headers(self, table: str, columns: list[str]) -> str:
        """For an error: the export headers this mapping reads the given columns from."""
        spec = self.tables.get(table)
        if spec is None:
            return ""
        back = {target: header for header, target in spec.columns.items()}
        named = [f"{back[c]!r} for {c}" for c in columns if c in back]
        return (f"; the mapping {self.source} expects the header(s) {', '.join(named)}"
                if named else "")

    def date_format(self, table: str) -> str:
        spec = self.tables.get(table)
        return spec.date_format if spec is not None else "%Y-%m-%d"


def _str_map(value: object, file: str, where: str, issues: list[Issue],
             line: int | None) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in value.items()
    ):
        issues.append(Issue(file, "expected a mapping of text to text", line, where))
        return {}
    return {str(k): str(v) for k, v in value.items()}


def parse_mapping(text: str, file: str) -> Mapping:
    """Validate a mapping document."""
    doc, issues = parse_yaml(text, file)
    if doc is None:
        raise InputError(issues)
    if not isinstance(doc.data, dict):
        raise InputError([Issue(file, "a mapping file must map table names to settings")])
    tables: dict[str, TableMapping] = {}
    for name, body in doc.data.items():
        line = doc.line_of((name,))
        if name == "description":
            continue
        if not isinstance(body, dict):
            issues.append(Issue(file, "expected columns / values / date_format", line, name))
            continue
        unknown = set(body) - {"columns", "values", "date_format", "thousands", "decimal",
                               "footer"}
        for key in sorted(unknown):
            issues.append(Issue(file, "unknown key", doc.line_of((name, key)), f"{name}.{key}"))
        columns = _str_map(body.get("columns", {}), file, f"{name}.columns", issues, line)
        values_raw = body.get("values", {})
        values: dict[str, dict[str, str]] = {}
        if isinstance(values_raw, dict):
            for col, vmap in values_raw.items():
                values[str(col)] = _str_map(vmap, file, f"{name}.values.{col}", issues, line)
        else:
            issues.append(Issue(file, "expected a mapping per column", line, f"{name}.values"))
        fmt = body.get("date_format", "%Y-%m-%d")
        if not isinstance(fmt, str) or "%" not in fmt:
            issues.append(Issue(file, "expected a strftime format such as %m/%d/%Y", line,
                                f"{name}.date_format"))
            fmt = "%Y-%m-%d"
        thousands, decimal = body.get("thousands", ""), body.get("decimal", ".")
        for key, mark in (("thousands", thousands), ("decimal", decimal)):
            if mark not in ("", ",", ".", " ", "'", "\u00a0") or (key == "decimal"
                                                                  and not mark):
                issues.append(Issue(file, "expected one of , . ' or a space", doc.line_of(
                    (name, key)), f"{name}.{key}"))
        if thousands and thousands == decimal:
            issues.append(Issue(file, "the thousands separator and the decimal mark must "
                                "differ", doc.line_of((name, "decimal")), f"{name}.decimal"))
        footer = body.get("footer", [])
        if not isinstance(footer, list) or not all(isinstance(f, str) and f for f in footer):
            issues.append(Issue(file, "expected a list of texts a footer line starts with",
                                doc.line_of((name, "footer")), f"{name}.footer"))
            footer = []
        tables[str(name)] = TableMapping(columns, values, fmt, str(thousands), str(decimal),
                                         tuple(footer))
    if issues:
        raise InputError(issues)
    return Mapping(tables, file, {str(n): doc.line_of((n,)) for n in doc.data})


def load_mapping(name_or_path: str) -> Mapping:
    """Load a preset by name, or a mapping file by path."""
    if name_or_path in PRESETS:
        preset = resources.files("compplan.inputs.mappings").joinpath(f"{name_or_path}.yaml")
        text = preset.read_text(encoding="utf-8")
        return parse_mapping(text, f"preset:{name_or_path}")
    path = Path(name_or_path)
    if not path.exists() and not path.suffix:
        raise InputError([Issue("--mapping", f"{name_or_path!r} is neither a preset "
                                f"({', '.join(sorted(PRESETS))}) nor a mapping file")])
    regular_file(path, PLAN_BYTES)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError([Issue(str(path), f"cannot read mapping: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Issue(str(path), f"not UTF-8 text (byte {exc.start})")]) from None
    return parse_mapping(text, str(path))
