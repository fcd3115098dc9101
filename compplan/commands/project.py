"""``compplan.toml``: what every command of a working folder would otherwise repeat.

```toml
[project]
plans = "plans"
year = 2026
out = "out"
ledger = "ledger.db"          # or leave it out and set COMPPLAN_LEDGER
mapping = "salesforce"

[inputs]
roster = "data/roster.csv"
deals = "data/deals.csv"
quotas = "data/quotas.csv"
```

Paths are relative to the file's folder; ``run`` writes into ``out``, other commands
into a folder of their own under it (``out/payroll``, ``out/what-if``...). The file
gives defaults only: a flag on the
command line wins, then an environment variable (``COMPPLAN_LEDGER``), then the file
(Click's own order for ``default_map``). Unknown keys and wrong types are refused with
the file's line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from compplan.core.file_guard import regular_file
from compplan.errors import InputError, Issue
from compplan.schema.base import Model

FILE_NAME = "compplan.toml"


class ProjectSection(Model):
    plans: str | None = None
    year: int | None = Field(default=None, ge=1970, le=2100)
    out: str | None = None
    ledger: str | None = None
    mapping: str | None = None
    scenarios: str | None = None
    territories: str | None = None


class InputsSection(Model):
    roster: str | None = None
    deals: str | None = None
    quotas: str | None = None
    accounts: str | None = None
    assignments: str | None = None
    fx: str | None = None


class ProjectFile(Model):
    project: ProjectSection = Field(default_factory=ProjectSection)
    inputs: InputsSection = Field(default_factory=InputsSection)


PATH_KEYS = {"plans", "out", "scenarios", "territories", "roster", "deals", "quotas",
             "accounts", "assignments", "fx"}
OPTION_NAMES = {"out": "out_dir"}  # the command parameter a key fills
SUBFOLDERS = {"payroll": "payroll", "statements": "statements", "simulate": "what-if",
              "quotas": "quotas", "demo": "demo"}
"""Where a command writes under ``out`` (``run`` writes into ``out`` itself)."""


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """The line of ``[section]`` (or of ``key`` inside it), 1-based."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines)
                  if re.fullmatch(rf"\s*\[\s*{re.escape(section)}\s*\]\s*(#.*)?", line)), None)
    if start is None or key is None:
        return None if start is None else start + 1
    for i in range(start + 1, len(lines)):
        if re.match(r"\s*\[", lines[i]):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start + 1


def load_project(path: Path) -> dict[str, Any]:
    """The file's settings as option defaults (paths made absolute), or an input error
    naming the file, line and key."""
    regular_file(path, 1_000_000)  # not a device, a pipe or a huge file
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError([Issue(str(path), "is not UTF-8 text")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError([Issue(str(path), f"not valid TOML: {exc}",
                                int(line.group(1)) if line else None)]) from None
    try:
        parsed = ProjectFile.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            where = [*loc, None, None]
            message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            issues.append(Issue(str(path), message, _line_of(text, str(where[0]), where[1]),
                                ".".join(loc)))
        raise InputError(issues) from None
    folder = path.resolve().parent
    values: dict[str, Any] = {}
    for part in (parsed.project, parsed.inputs):
        for key, value in part.model_dump(exclude_none=True).items():
            local = key in PATH_KEYS or (key == "ledger" and "://" not in str(value))
            values[OPTION_NAMES.get(key, key)] = str(folder / str(value)) if local else value
    return values


def project_defaults(group: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Click's ``default_map`` for every command (and sub-group) of ``group``: each gets
    the settings it has an option for."""
    out: dict[str, Any] = {}
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            out[name] = project_defaults(command, values)
            continue
        params = {p.name for p in command.params}
        mine = {k: v for k, v in values.items() if k in params}
        if "out_dir" in mine and name in SUBFOLDERS:  # each command's files apart
            mine["out_dir"] = str(Path(mine["out_dir"]) / SUBFOLDERS[name])
        out[name] = mine
    return out


def find_project(given: Path | None) -> Path | None:
    """``--config``, else ``compplan.toml`` in the current folder, else none."""
    if given is not None:
        if not given.is_file():
            raise InputError([Issue(str(given), "no such project file (--config)")])
        return given
    here = Path(FILE_NAME)
    return here if here.is_file() else None
