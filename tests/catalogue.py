"""The catalogue of bad inputs: each case, what compplan says about it, and the exit code.

Every case starts from a small valid company (``compplan synth`` tables, the shipped
plans and a scenario) in a fresh folder whose ``out/`` already holds a previous run's
files, damages one thing, and runs one command. A case that must fail names the file,
the row or line, the field and what was expected, exits with its code, and leaves
``out/`` exactly as it was. A case the run handles (an exception line, a warning) ends
with exit 0 and says where the handling shows.

``python -m tests.catalogue`` rewrites ``docs/errors.md`` from the cases and the
messages compplan actually prints; a test checks the committed file is current.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from compplan.cli import app
from compplan.inputs.synth import Size, make

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "errors.md"
PREVIOUS = {"payouts.csv": "previous run\n", "credits.csv": "previous run\n",
            "exceptions.csv": "previous run\n", "scenarios.csv": "previous run\n"}


class Workspace:
    """A valid company in a folder, and the command lines that run it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.plans = root / "plans"
        self.scenarios = root / "scenarios"
        self.out = root / "out"
        self.ledger = root / "ledger.db"
        self.extra: list[str] = []

    def __truediv__(self, name: str) -> Path:
        return self.root / name

    def text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def replace(self, name: str, old: str, new: str, count: int = 1) -> None:
        text = self.text(name)
        assert old in text, f"{old!r} is not in {name}"
        self.write(name, text.replace(old, new, count))

    def frame(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.root / name, dtype=str, keep_default_na=False)

    def save(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.root / name, index=False)

    def deals_workbook(self) -> tuple[Workbook, Worksheet, list[str]]:
        """The deals as a workbook (header in row 1), to damage and save as deals.xlsx."""
        frame = self.frame("deals.csv")
        wb = Workbook()
        sheet = wb.active
        assert sheet is not None
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
        return wb, sheet, list(frame.columns)

    def edit_cell(self, name: str, row: int, column: str, value: str) -> None:
        """Set a cell; ``row`` is the row number a spreadsheet shows (header = 1)."""
        frame = self.frame(name)
        frame.loc[row - 2, column] = value
        self.save(name, frame)

    def swap(self, argv: list[str], option: str, value: str) -> list[str]:
        """The command line with ``option`` given ``value`` instead."""
        argv = list(argv)
        argv[argv.index(option) + 1] = value
        return argv

    def inputs(self) -> list[str]:
        return ["--plans", str(self.plans), "--roster", str(self / "roster.csv"),
                "--deals", str(self / "deals.csv"), "--quotas", str(self / "quotas.csv"),
                "--accounts", str(self / "accounts.csv"), "--year", "2026"]

    def run(self) -> list[str]:
        return ["run", *self.inputs(), "--out", str(self.out), "--no-excel", *self.extra]

    def simulate(self) -> list[str]:
        return ["simulate", *self.inputs(), "--scenarios", str(self.scenarios),
                "--out", str(self.out)]

    def quotas(self) -> list[str]:
        return ["quotas", "--territories", str(self / "territories.csv"), "--plan-file",
                str(self.plans / "quotas-2026.yaml"), "--target", "8000000",
                "--out", str(self.out)]

    def payroll(self) -> list[str]:
        return ["payroll", "--period", "2026-03", "--ledger", str(self.ledger), *self.inputs(),
                "--out", str(self.out)]

    def validate(self) -> list[str]:
        return ["validate", str(self.plans)]


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, the command, and what compplan must say."""

    id: str
    area: str
    bad: str
    make: Callable[[Workspace], list[str]]
    code: int
    expect: tuple[str, ...]
    handling: str = ""
    shows_in: str = "stderr"  # or an output file for exit-0 cases
    extra: dict[str, str] = field(default_factory=dict)


CASES: list[Case] = []


Make = Callable[[Workspace], list[str]]


def case(id: str, area: str, bad: str, code: int, *expect: str, shows_in: str = "stderr",
         handling: str = "", make: Make | None = None) -> Callable[[Make], Make]:
    """Register a catalogue case: ``make`` damages the workspace and gives the command
    line; without it, the decorated function does."""
    def register(fn: Make) -> Make:
        CASES.append(Case(id, area, bad, fn, code, expect, handling, shows_in))
        return fn
    if make is not None:
        register(make)
    return register


def replacing(name: str, old: str, new: str, command: str) -> Make:
    """A case that replaces text in one file, then runs ``command`` (a Workspace method)."""
    def make(ws: Workspace) -> list[str]:
        ws.replace(name, old, new)
        return getattr(ws, command)()  # type: ignore[no-any-return]
    return make


def without_column(name: str, column: str, command: str, renamed: str = "") -> Make:
    """A case whose table lacks a column: dropped, or given another name (``renamed``)."""
    def make(ws: Workspace) -> list[str]:
        frame = ws.frame(name)
        ws.save(name, frame.rename(columns={column: renamed}) if renamed
                else frame.drop(columns=[column]))
        return getattr(ws, command)()  # type: ignore[no-any-return]
    return make


def setting(name: str, row: int, column: str, value: str, command: str) -> Make:
    """A case that sets one cell of a table (row as a spreadsheet numbers it)."""
    def make(ws: Workspace) -> list[str]:
        ws.edit_cell(name, row, column, value)
        return getattr(ws, command)()  # type: ignore[no-any-return]
    return make


@cache
def _company() -> dict[str, pd.DataFrame]:
    company = make(Size(12, 200, seed=3))
    return {name: getattr(company, name)
            for name in ("roster", "deals", "quotas", "accounts", "territories")}


def workspace(root: Path) -> Workspace:
    """A fresh valid company under ``root`` with a previous run's files in ``out/``."""
    ws = Workspace(root)
    for name, frame in _company().items():
        frame.to_csv(root / f"{name}.csv", index=False)
    shutil.copytree(ROOT / "plans", ws.plans)
    ws.scenarios.mkdir()
    shutil.copy(ROOT / "scenarios" / "spiff-1000.yaml", ws.scenarios)
    ws.out.mkdir()
    for name, text in PREVIOUS.items():
        (ws.out / name).write_text(text)
    return ws


@dataclass
class Outcome:
    command: str
    code: int
    output: str
    out_files: dict[str, str]
    exception: BaseException | None
    ledger: bool


def run_case(c: Case, root: Path) -> Outcome:
    """Make the case in a fresh workspace, run its command, and collect what happened."""
    ws = workspace(root)
    argv = c.make(ws)
    res = CliRunner().invoke(app, argv)
    files = {p.name: (p.read_text(errors="replace") if p.is_file() else "<folder>")
             for p in sorted(ws.out.iterdir())} if ws.out.is_dir() else {}
    exc = res.exception if not isinstance(res.exception, SystemExit) else None
    return Outcome(argv[0], res.exit_code, _plain(res.output, root), files, exc,
                   ws.ledger.exists())


def _plain(text: str, root: Path) -> str:
    """Output with the workspace folder left out, so messages read as a user's would."""
    text = text.replace(str(root) + "/", "")
    return re.sub(r"[ \t]+\n", "\n", text).strip()


def said(c: Case, outcome: Outcome) -> str:
    """What the catalogue shows for a case: the first line of the error, or for a case
    the run handles, the exception line's reason or the handling."""
    if c.shows_in == "stdout" or outcome.code != 0:
        lines = [line.strip("│ ") for line in outcome.output.splitlines()
                 if line.strip() and not line.startswith(("Usage:", "Try ", "╭", "╰"))]
        return (lines[0] if lines else "") if outcome.code else c.handling
    text = outcome.out_files.get(c.shows_in, "")
    reason = c.expect[0]
    if c.shows_in == "exceptions.csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        reason = next(r["reason"] for r in rows if c.expect[0] in r["reason"])
    return f"{c.shows_in}: {reason} ({c.handling})"


def table_row(number: int, c: Case, outcome: Outcome) -> str:
    cells = [str(number), c.id, c.area, c.bad, f"`compplan {outcome.command}`",
             str(outcome.code), said(c, outcome)]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


HEADER = """# Bad input: the catalogue

Every case below is a test (`tests/test_catalogue.py`): it starts from a small valid
company, damages one thing, runs one command and checks the exit code, the message
(file, row or line, field, what was expected) and, for each failing case, that the
output folder still holds exactly the previous run's files. Cases the run handles
exit 0 and show where the handling appears: an exception line in `exceptions.csv`
(with the file and row), or the note given. Regenerate with `python -m tests.catalogue`.

Exit codes: 0 success, 1 internal error (a bug), 2 bad input, 3 results could not be
written, 4 infeasible quota plan, 5 Dask cluster unavailable (see README).

| # | case | area | bad input | command | exit | what compplan says or does |
|---:|---|---|---|---|---:|---|
"""


def document(rows: list[str]) -> str:
    return HEADER + "\n".join(rows) + "\n"


def documented_rows() -> dict[str, str]:
    """The committed catalogue's rows, by case id."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        if line.startswith("| ") and len(cells) > 2 and cells[0][2:].isdigit():
            rows[cells[1]] = line
    return rows


def main() -> None:
    """Run every case and write docs/errors.md."""
    import tempfile

    rows = []
    for number, c in enumerate(CASES, start=1):
        with tempfile.TemporaryDirectory() as folder:
            rows.append(table_row(number, c, run_case(c, Path(folder))))
    DOC.write_text(document(rows), encoding="utf-8")
    sys.stdout.write(f"{len(rows)} cases written to {DOC}\n")


# -- plans -------------------------------------------------------------------------------

case("plan-unknown-key", "plans", "a component with a key the language does not have", 2,
     "plans/ae-2026.yaml:36: components[1].bonus_rate: unknown key",
     make=replacing("plans/ae-2026.yaml", "kind: commission", "kind: commission\n    bonus_rate: 2",
                    "validate"))


case("plan-tiers-overlap", "plans", "tiers whose starts do not increase (overlapping tiers)", 2,
     "plans/ae-2026.yaml:", "tiers",
     make=replacing("plans/ae-2026.yaml", "{from: 1.5, rate: 2.0}", "{from: 0.8, rate: 2.0}",
                    "validate"))


case("plan-negative-rate", "plans", "a negative commission rate", 2, "plans/ae-2026.yaml:", "rate",
     make=replacing("plans/ae-2026.yaml", "{from: 1.0, rate: 1.5}", "{from: 1.0, rate: -1.5}",
                    "validate"))


case("plan-infinite-rate", "plans", "a rate of .inf (YAML's infinity)", 2, "plans/ae-2026.yaml:44:",
     "not a usable number",
     make=replacing("plans/ae-2026.yaml", "{from: 1.0, rate: 1.5}", "{from: 1.0, rate: .inf}",
                    "validate"))


case("plan-astronomic-rate", "plans", "a tier rate of 1e308 (bounded at 1000)", 2,
     "plans/ae-2026.yaml:44: components[1].schedule.tiers[1].rate: Input should be less than "
     "or equal to 1000",
     make=replacing("plans/ae-2026.yaml", "{from: 1.0, rate: 1.5}", "{from: 1.0, rate: 1e308}",
                    "validate"))


case("plan-astronomic-cap", "plans", "a cap of 1e300 (amounts bounded at 1e12)", 2,
     "plans/ae-2026.yaml:", "cap.amount: Input should be less than or equal to 1000000000000",
     make=replacing("plans/ae-2026.yaml", "cap: {target_multiple: 3}", "cap: {amount: 1e300}",
                    "validate"))


case("plan-unknown-cost-of-sales", "plans", "cost_of_sales names a measure the plan lacks", 2,
     "plans/ae-2026.yaml:", "cost_of_sales: unknown measure 'revenue'",
     make=replacing("plans/ae-2026.yaml", "plan: ae-2026", "plan: ae-2026\ncost_of_sales: revenue",
                    "validate"))


@case("plan-runaway-pay", "plans", "a rate of 1000 on deals of a trillion: pay past 1e13", 2,
      "plan partner-2026: components.partner_commission: an amount of",
      "is not below 1e+13, the largest amount compplan pays")
def _(ws: Workspace) -> list[str]:
    ws.replace("plans/partner-2026.yaml", "{from: 250000, rate: 0.09}",
               "{from: 250000, rate: 1000}")
    ws.edit_cell("roster.csv", 3, "plan", "partner-2026")
    frame = ws.frame("deals.csv")
    frame["amount"] = "1000000000000"
    ws.save("deals.csv", frame)
    return ws.run()


@case("plan-device", "plans", "a plan file that is a link to /dev/zero (read until memory "
      "ran out)", 2, "plans/ae-2026.yaml: is not a regular file (a device, a pipe or a socket)")
def _(ws: Workspace) -> list[str]:
    (ws.plans / "ae-2026.yaml").unlink()
    (ws.plans / "ae-2026.yaml").symlink_to("/dev/zero")
    return ws.validate()


@case("plan-aliased-string", "plans", "a 1 MB string aliased 15,000 times (8 GB at run time)",
      2, "plans/ae-2026.yaml:", "document expands to more than 4,000,000 characters of text")
def _(ws: Workspace) -> list[str]:
    ws.replace("plans/ae-2026.yaml", "name: ", "name: &big " + "x" * 1_000_000 + "\n#")
    ws.write("plans/ae-2026.yaml", ws.text("plans/ae-2026.yaml")
             + "bomb: [" + ", ".join(["*big"] * 15_000) + "]\n")
    return ws.validate()


case("plan-rate-as-text", "plans", "a rate written as text (\"1.5x\")", 2, "plans/ae-2026.yaml:",
     "rate",
     make=replacing("plans/ae-2026.yaml", "{from: 1.0, rate: 1.5}", "{from: 1.0, rate: 1.5x}",
                    "validate"))


case("plan-unknown-kind", "plans", "a component kind the language does not have", 2,
     "plans/ae-2026.yaml:", "kind",
     make=replacing("plans/ae-2026.yaml", "kind: bonus", "kind: kicker", "validate"))


case("plan-unknown-measure", "plans", "a component reading a measure the plan does not define", 2,
     "plans/ae-2026.yaml:", "measure", "bookingz",
     make=replacing("plans/ae-2026.yaml", "measure: bookings\n    basis",
                    "measure: bookingz\n    basis", "validate"))


@case("plan-missing-field", "plans", "a commission without its schedule", 2,
      "plans/ae-2026.yaml:", "schedule")
def _(ws: Workspace) -> list[str]:
    text = ws.text("plans/ae-2026.yaml")
    start = text.index("    schedule:")
    end = text.index("    cap:")
    ws.write("plans/ae-2026.yaml", text[:start] + text[end:])
    return ws.validate()


case("plan-seasonality-sum", "plans", "quarterly seasonality that does not sum to 1", 2,
     "plans/ae-2026.yaml:", "seasonality", "sum to 1",
     make=replacing("plans/ae-2026.yaml", "[0.20, 0.25, 0.25, 0.30]", "[0.20, 0.25, 0.25, 0.35]",
                    "validate"))


case("plan-filter-expression", "plans", "a filter written as code (\"amount > 5 and ...\")", 2,
     "plans/ae-2026.yaml:12:", "filter",
     make=replacing("plans/ae-2026.yaml", "filter: {column: stage, eq: Closed Won}",
                    "filter: \"__import__('os').system('id')\"", "validate"))


case("plan-duplicate-key", "plans", "the same key twice in a mapping", 2, "plans/ae-2026.yaml:",
     "duplicate key 'value'",
     make=replacing("plans/ae-2026.yaml", "    value: amount\n",
                    "    value: amount\n    value: margin\n", "validate"))


@case("plan-duplicate-id", "plans", "two plan files with the same plan id", 2,
      "plans/ae-copy.yaml:1: plan: plan id 'ae-2026' is already defined")
def _(ws: Workspace) -> list[str]:
    shutil.copy(ws.plans / "ae-2026.yaml", ws.plans / "ae-copy.yaml")
    return ws.validate()


case("plan-python-tag", "plans", "a YAML tag that would construct a Python object", 2,
     "plans/ae-2026.yaml:2:", "not allowed: plan files are data, not code",
     make=replacing("plans/ae-2026.yaml", "plan: ae-2026",
                    "plan: !!python/object/apply:os.system [id]", "validate"))


@case("plan-alias-bomb", "plans", "an alias bomb (\"billion laughs\")", 2,
      "plans/ae-2026.yaml:", "alias bomb")
def _(ws: Workspace) -> list[str]:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    ws.write("plans/ae-2026.yaml", "\n".join(lines) + "\n")
    return ws.validate()


@case("plan-deep-nesting", "plans", "a document nested 10,000 levels deep", 2,
      "plans/ae-2026.yaml:1: document is nested deeper than 64 levels")
def _(ws: Workspace) -> list[str]:
    ws.write("plans/ae-2026.yaml", "plan: " + "[" * 10_000 + "]" * 10_000 + "\n")
    return ws.validate()


@case("plan-long-line", "plans", "a 3 MB line (a pasted blob)", 2,
      "plans/ae-2026.yaml: file is larger than")
def _(ws: Workspace) -> list[str]:
    ws.write("plans/ae-2026.yaml", "plan: ae-2026\ndescription: " + "x" * 3_000_000 + "\n")
    return ws.validate()


@case("plan-not-utf8", "plans", "a plan saved as Latin-1 (\"Prämie\")", 2,
      "plans/ae-2026.yaml: not UTF-8 text (byte")
def _(ws: Workspace) -> list[str]:
    path = ws.plans / "ae-2026.yaml"
    path.write_bytes(path.read_bytes().replace(b"name: Account", "name: Prämie".encode("latin-1")))
    return ws.validate()


@case("plan-bom", "plans", "a plan saved with a UTF-8 byte-order mark (Windows Notepad)", 0,
      "ok  ae-2026", handling="read as UTF-8; the mark is ignored", shows_in="stdout")
def _(ws: Workspace) -> list[str]:
    path = ws.plans / "ae-2026.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return ws.validate()


@case("plan-empty-file", "plans", "an empty plan file", 2, "plans/ae-2026.yaml: file is empty")
def _(ws: Workspace) -> list[str]:
    ws.write("plans/ae-2026.yaml", "")
    return ws.validate()


@case("plan-not-a-mapping", "plans", "a plan file that is a list", 2,
      "plans/ae-2026.yaml: a plan file must be a mapping")
def _(ws: Workspace) -> list[str]:
    ws.write("plans/ae-2026.yaml", "- plan: ae-2026\n")
    return ws.validate()


case("plan-bad-yaml", "plans", "broken YAML (a tab for indentation)", 2, "plans/ae-2026.yaml:",
     "not valid YAML",
     make=replacing("plans/ae-2026.yaml", "    value: amount", "\tvalue: amount", "validate"))


case("plan-value-is-text", "plans", "a measure valued on a text column (value: stage)", 2,
     "deals.csv: column 'stage' does not hold numbers (needed by plan ae-2026, "
     "measures.bookings.value)",
     make=replacing("plans/ae-2026.yaml", "value: amount", "value: stage", "run"))


@case("plans-folder-empty", "plans", "a plans folder with no plan files", 2,
      "no plan files (*.yaml) found")
def _(ws: Workspace) -> list[str]:
    shutil.rmtree(ws.plans)
    ws.plans.mkdir()
    return ws.run()


@case("plans-folder-missing", "plans", "a plans folder that does not exist", 2,
      "plans: no such file or folder")
def _(ws: Workspace) -> list[str]:
    shutil.rmtree(ws.plans)
    return ws.run()


# -- scenarios ---------------------------------------------------------------------------

case("scenario-bad-path", "scenarios", "a change to a plan field that does not exist", 2,
     "scenarios/spiff-1000.yaml:", "spiff_multiyear.amout",
     make=replacing("scenarios/spiff-1000.yaml", "spiff_multiyear.amount", "spiff_multiyear.amout",
                    "simulate"))


case("scenario-unknown-plan", "scenarios", "a change to a plan that is not loaded", 2,
     "scenarios/spiff-1000.yaml:", "ae-2025",
     make=replacing("scenarios/spiff-1000.yaml", "plan: ae-2026", "plan: ae-2025", "simulate"))


case("scenario-invalid-result", "scenarios", "a change that makes the plan invalid (rate -1)", 2,
     "scenarios/spiff-1000.yaml: the changed plan ae-2026 is not valid: "
      "components[1].schedule.tiers[1].rate: Input should be greater than or equal to 0",
     make=replacing("scenarios/spiff-1000.yaml", "components.spiff_multiyear.amount: 1000",
                    "components.commission.schedule.tiers.1.rate: -1", "simulate"))


case("scenario-breaks-plan-rule", "scenarios",
     "a change that points a component at a measure the plan does not have", 2,
     "scenarios/spiff-1000.yaml: the changed plan ae-2026 is not valid: "
      "components[1].measure: unknown measure 'nope' (defined: bookings)",
     make=replacing("scenarios/spiff-1000.yaml", "components.spiff_multiyear.amount: 1000",
                    "components.commission.measure: nope", "simulate"))


@case("scenario-bad-factor", "scenarios", "a scale factor that is text", 2,
      "scenarios/bookings-plus-10.yaml:", "factor")
def _(ws: Workspace) -> list[str]:
    shutil.copy(ROOT / "scenarios" / "bookings-plus-10.yaml", ws.scenarios)
    ws.replace("scenarios/bookings-plus-10.yaml", "factor: 1.10", "factor: ten percent")
    return ws.simulate()


@case("scenario-astronomic-factor", "scenarios", "a scale factor of 1e12 (bounded at 1000)",
      2, "scenarios/bookings-plus-10.yaml:", "less than or equal to 1000")
def _(ws: Workspace) -> list[str]:
    shutil.copy(ROOT / "scenarios" / "bookings-plus-10.yaml", ws.scenarios)
    ws.replace("scenarios/bookings-plus-10.yaml", "factor: 1.10", "factor: 1e12")
    return ws.simulate()


@case("scenario-scaled-past-bounds", "scenarios", "a scale that makes amounts past 1e12", 2,
      "deals.amount x 1000 gives", "outside -1e+12..1e+12 (the bounds of an input cell)")
def _(ws: Workspace) -> list[str]:
    shutil.copy(ROOT / "scenarios" / "bookings-plus-10.yaml", ws.scenarios)
    ws.replace("scenarios/bookings-plus-10.yaml", "factor: 1.10", "factor: 1000")
    frame = ws.frame("deals.csv")
    frame["amount"] = "5000000000"
    ws.save("deals.csv", frame)
    return ws.simulate()


case("scenario-renames-plan", "scenarios", "a scenario that sets the plan id (ae-2026 paid "
     "nobody)", 2, "scenarios/spiff-1000.yaml:", "the plan id is not settable",
     make=replacing("scenarios/spiff-1000.yaml", "components.spiff_multiyear.amount: 1000",
                    "plan: mgr-2026", "simulate"))


@case("scenario-link-outside", "scenarios", "replace_table through a link to a file outside "
      "the folder", 2, "replace_table: 'quotas.csv' leads outside the scenario's folder")
def _(ws: Workspace) -> list[str]:
    (ws.scenarios / "quotas.csv").symlink_to(ws / "quotas.csv")
    ws.write("scenarios/swap.yaml", "scenario: swap\ndata:\n"
             "  - replace_table: {table: quotas, file: quotas.csv}\n")
    return ws.simulate()


case("scenario-tag", "scenarios", "a YAML tag in a scenario file", 2,
     "scenarios/spiff-1000.yaml:1:", "not allowed",
     make=replacing("scenarios/spiff-1000.yaml", "scenario: spiff-1000",
                    "scenario: !!python/name:os.system", "simulate"))


@case("scenario-path-escape", "scenarios", "a replace-table file outside the scenario folder", 2,
      "scenarios/swap.yaml:", "file")
def _(ws: Workspace) -> list[str]:
    ws.write("scenarios/swap.yaml", "scenario: swap\ndata:\n"
             "  - replace_table: {table: quotas, file: ../quotas.csv}\n")
    return ws.simulate()


@case("scenario-duplicate-name", "scenarios", "two scenario files with the same name", 2,
      "scenarios/", "already")
def _(ws: Workspace) -> list[str]:
    shutil.copy(ws.scenarios / "spiff-1000.yaml", ws.scenarios / "spiff-copy.yaml")
    return ws.simulate()


# -- roster ------------------------------------------------------------------------------

case("roster-missing-column", "roster", "no payee_id column", 2,
     "roster.csv:1: missing required column(s) payee_id",
     make=without_column("roster.csv", "payee_id", "run", renamed="employee"))


case("roster-misspelt-column", "roster", "target_incentive misspelt target_incentve", 2,
     "roster.csv:1: no column 'target_incentive' (needed by plan ae-2026, "
     "components.commission.target.column; ", "did you mean 'target_incentve' for "
     "'target_incentive'?",
     make=without_column("roster.csv", "target_incentive", "run", renamed="target_incentve"))


case("roster-without-salary", "roster", "no base_salary column (it paid no salary)", 2,
     "roster.csv:1: no column 'base_salary' (needed by plan ae-2026, "
     "components.base_salary.column; ",
     make=without_column("roster.csv", "base_salary", "run"))


case("roster-without-dates", "roster", "no start_date column", 2,
     "roster.csv:1: missing required column(s) start_date",
     make=without_column("roster.csv", "start_date", "run"))


@case("roster-duplicate-column", "roster", "the plan column twice in the header", 2,
      "roster.csv:", "plan: column appears more than once")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("roster.csv")
    frame["plan_2"] = frame["plan"]
    ws.save("roster.csv", frame)
    ws.replace("roster.csv", "plan_2", "plan")
    return ws.run()


case("roster-duplicate-payee", "roster", "the same payee_id on two rows", 2,
     "roster.csv: row 4, payee_id: duplicate payee_id='AE01'",
     make=setting("roster.csv", 4, "payee_id", "AE01", "run"))


case("roster-unknown-plan", "roster", "a plan id no plan file defines", 2,
     "roster.csv: row 3, plan: unknown plan id 'ae-2025'",
     make=setting("roster.csv", 3, "plan", "ae-2025", "run"))


case("roster-empty-payee", "roster", "an empty payee_id", 2,
     "roster.csv: row 5, payee_id: is empty; a value is required",
     make=setting("roster.csv", 5, "payee_id", "", "run"))


case("roster-negative-salary", "roster", "a negative base salary", 2,
     "roster.csv: row 3, base_salary: -90000 is outside 0..1e+12",
     make=setting("roster.csv", 3, "base_salary", "-90000", "run"))


case("roster-huge-salary", "roster", "a base salary of 1e13 (a paste error)", 2,
     "roster.csv: row 3, base_salary: 1e+13 is outside 0..1e+12",
     make=setting("roster.csv", 3, "base_salary", "1e13", "run"))


case("roster-salary-text", "roster", "a salary written as \"90k\"", 2,
     "roster.csv: row 3, base_salary: '90k' is not a finite number",
     make=setting("roster.csv", 3, "base_salary", "90k", "run"))


case("roster-salary-nan", "roster", "a salary of NaN", 2,
     "roster.csv: row 3, base_salary: 'NaN' is not a finite number",
     make=setting("roster.csv", 3, "base_salary", "NaN", "run"))


case("roster-us-date", "roster", "a start date in US format (01/15/2026)", 2,
     "roster.csv: row 3, start_date: '01/15/2026' is not a date (YYYY-MM-DD)",
     make=setting("roster.csv", 3, "start_date", "01/15/2026", "run"))


case("roster-impossible-date", "roster", "a date that does not exist (2026-02-30)", 2,
     "roster.csv: row 3, start_date: '2026-02-30' is not a date (YYYY-MM-DD)",
     make=setting("roster.csv", 3, "start_date", "2026-02-30", "run"))


case("roster-end-before-start", "roster", "an end date before the start date", 2,
     "roster.csv: row 3, end_date: end_date is before start_date",
     make=setting("roster.csv", 3, "end_date", "2023-01-01", "run"))


case("roster-manager-cycle", "roster", "a cycle in the manager hierarchy (A -> B -> A)", 2,
     "roster.csv:", "manager_id", "cycle",
     make=setting("roster.csv", 2, "manager_id", "AE01", "run"))


case("roster-self-manager", "roster", "a payee who is their own manager", 2, "roster.csv:",
     "manager_id", "cycle",
     make=setting("roster.csv", 3, "manager_id", "AE01", "run"))


case("roster-unknown-manager", "roster", "a manager_id that is not in the roster", 0,
     "manager_id 'MGR99' is not in the roster: no roll-up to it", shows_in="exceptions.csv",
     handling="an exception line; the payee is paid, nothing rolls up",
     make=setting("roster.csv", 3, "manager_id", "MGR99", "run"))


@case("roster-empty-file", "roster", "an empty roster file (0 bytes)", 2,
      "roster.csv: file is empty: expected a header row")
def _(ws: Workspace) -> list[str]:
    ws.write("roster.csv", "")
    return ws.run()


@case("roster-header-only", "roster", "a roster with a header and no rows", 2,
      "roster.csv:", "no rows")
def _(ws: Workspace) -> list[str]:
    ws.write("roster.csv", ws.text("roster.csv").splitlines()[0] + "\n")
    return ws.run()


@case("roster-latin1", "roster", "a roster saved as Latin-1 (\"Zoë\")", 2,
      "roster.csv: not UTF-8 text (byte")
def _(ws: Workspace) -> list[str]:
    text = ws.text("roster.csv").replace("Ada Okafor", "Zoë Okafor")
    (ws / "roster.csv").write_bytes(text.encode("latin-1"))
    return ws.run()


@case("roster-bom", "roster", "a roster saved by Excel as \"CSV UTF-8\" (with a BOM)", 0,
      "payout lines", shows_in="stdout", handling="read as UTF-8; the mark is ignored")
def _(ws: Workspace) -> list[str]:
    (ws / "roster.csv").write_bytes(b"\xef\xbb\xbf" + (ws / "roster.csv").read_bytes())
    return ws.run()


@case("roster-two-plans", "roster", "a payee on two rows with two plans", 2,
      "roster.csv: row 16, payee_id: duplicate payee_id='AE01' (each must appear once; a payee "
      "on a second plan goes in --assignments)")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("roster.csv")
    extra = frame[frame["payee_id"] == "AE01"].assign(plan="inside-2026")
    ws.save("roster.csv", pd.concat([frame, extra], ignore_index=True))
    return ws.run()


@case("assignments-overlap", "roster", "assignments putting a payee on one plan twice at once",
      2, "assignments.csv: row 3, start_date: payee 'AE01' is assigned to ae-2026 twice")
def _(ws: Workspace) -> list[str]:
    ws.write("assignments.csv", "payee_id,plan,start_date,end_date\n"
             "AE01,ae-2026,2026-01-01,2026-12-31\nAE01,ae-2026,2026-06-01,2026-12-31\n")
    return [*ws.run(), "--assignments", str(ws / "assignments.csv")]


case("roster-missing-quota", "roster", "an AE without the quota the plan requires", 2,
     "roster.csv: row 3, quota:",
     make=setting("roster.csv", 3, "quota", "", "run"))


case("roster-zero-quota", "roster", "an AE with a zero quota", 2, "roster.csv: row 3, quota:",
     make=setting("roster.csv", 3, "quota", "0", "run"))


# -- deals -------------------------------------------------------------------------------

case("deals-missing-column", "deals", "no amount column", 2,
     "deals.csv:1: missing required column(s) amount",
     make=without_column("deals.csv", "amount", "run"))


case("deals-without-cancel-date", "deals", "no cancel_date column (nothing was clawed back)",
     2, "deals.csv:1: no column 'cancel_date' (needed by plan ae-2026, "
     "measures.bookings.clawback.cancel_column; ",
     make=without_column("deals.csv", "cancel_date", "run"))


case("deals-without-stage", "deals", "no stage column (every filter read it as blank)", 2,
     "deals.csv:1: no column 'stage' (needed by plan ae-2026, measures.bookings.filter; ",
     make=without_column("deals.csv", "stage", "run"))


case("deals-without-term", "deals", "no term_months column (a SPIFF filter reads it)", 2,
     "deals.csv:1: no column 'term_months' (needed by plan ae-2026, "
     "components.spiff_multiyear.filter",
     make=without_column("deals.csv", "term_months", "run"))


@case("deals-short-row", "deals", "a row with 4 of the header's 13 cells (it was padded)", 2,
      "deals.csv:207: the row has 4 cells, the header has 13: expected one cell per column")
def _(ws: Workspace) -> list[str]:
    ws.write("deals.csv", ws.text("deals.csv") + "D9,AE01,,100000\n")
    return ws.run()


@case("deals-fifo", "deals", "a deals file that is a named pipe (it hung the run)", 2,
      "deals.csv: is not a regular file (a device, a pipe or a socket): expected a file")
def _(ws: Workspace) -> list[str]:
    (ws / "deals.csv").unlink()
    os.mkfifo(ws / "deals.csv")
    return ws.run()


@case("deals-duplicate-column", "deals", "the amount column twice in the header", 2,
      "deals.csv: amount: column appears more than once in the header")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("deals.csv")
    frame.insert(1, "amount_2", frame["amount"])
    ws.save("deals.csv", frame)
    ws.replace("deals.csv", "amount_2", "amount")
    return ws.run()


@case("deals-extra-columns", "deals", "columns compplan does not know (a CRM's own fields)", 0,
      "payout lines", shows_in="stdout",
      handling="kept: plans may filter on them; credits.csv carries them")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("deals.csv")
    frame["Region__c"] = "EMEA"
    ws.save("deals.csv", frame)
    return ws.run()


case("deals-amount-text", "deals", "an amount with a currency sign (\"$1,200\")", 2,
     "deals.csv: row 4, amount: '$1,200' is not a finite number",
     make=setting("deals.csv", 4, "amount", "$1,200", "run"))


case("deals-amount-inf", "deals", "an amount of inf", 2,
     "deals.csv: row 4, amount: 'inf' is not a finite number",
     make=setting("deals.csv", 4, "amount", "inf", "run"))


case("deals-amount-huge", "deals", "an amount of 1e308", 2,
     "deals.csv: row 4, amount: 1e+308 is outside -1e+12..1e+12",
     make=setting("deals.csv", 4, "amount", "1e308", "run"))


case("deals-amount-empty", "deals", "a Closed Won deal with no amount", 0,
     "no amount: nothing to credit", shows_in="exceptions.csv",
     handling="an exception line per measure that would credit it",
     make=setting("deals.csv", 2, "amount", "", "run"))


case("deals-negative-amount", "deals", "a negative amount (a credit memo)", 0, "payout lines",
     shows_in="stdout", handling="credited as a negative credit: it lowers attainment and pay",
     make=setting("deals.csv", 2, "amount", "-5000", "run"))


case("deals-date-format", "deals", "a close date as 2026/02/01", 2,
     "deals.csv: row 2, close_date: '2026/02/01' is not a date (YYYY-MM-DD)",
     make=setting("deals.csv", 2, "close_date", "2026/02/01", "run"))


case("deals-date-excel-serial", "deals", "a close date as an Excel serial number (46054)", 2,
     "deals.csv: row 2, close_date: '46054' is not a date (YYYY-MM-DD)",
     make=setting("deals.csv", 2, "close_date", "46054", "run"))


case("deals-date-empty", "deals", "a Closed Won deal with no close date", 0,
     "no close_date: cannot date the credit", shows_in="exceptions.csv",
     handling="an exception line per measure that would credit it",
     make=setting("deals.csv", 2, "close_date", "", "run"))


@case("deals-split-sum", "deals", "splits of a deal that do not sum to 1", 0,
      "split_pct of deal sums to", shows_in="exceptions.csv",
      handling="credited as given, and an exception line for each of the deal's rows")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("deals.csv")
    row = frame.iloc[[0]].copy()
    frame.loc[0, "split_pct"] = "0.6"
    row["split_pct"] = "0.6"
    row["owner_id"] = "AE02"
    ws.save("deals.csv", pd.concat([frame, row], ignore_index=True))
    return ws.run()


case("deals-split-range", "deals", "a split of 60 (percent, not a share)", 2,
     "deals.csv: row 2, split_pct: 60 is outside 0..1",
     make=setting("deals.csv", 2, "split_pct", "60", "run"))


def eur_deal(ws: Workspace, pay_currency: bool) -> None:
    """The first deal in EUR (the plans are in USD), and every payee paid in USD."""
    frame = ws.frame("deals.csv")
    frame["currency"] = ""
    frame.loc[0, "currency"] = "EUR"
    ws.save("deals.csv", frame)
    if pay_currency:
        roster = ws.frame("roster.csv")
        roster["currency"] = "USD"
        ws.save("roster.csv", roster)


@case("fx-missing-rate", "currencies", "a EUR deal with no FX table given", 2,
      "no FX table: EUR->USD rates are needed for credits of plan")
def _(ws: Workspace) -> list[str]:
    eur_deal(ws, pay_currency=True)
    return ws.run()


@case("fx-rate-before-table", "currencies", "a EUR deal dated before the FX table's first "
      "rate", 2, "fx.csv: no EUR->USD rate on or before")
def _(ws: Workspace) -> list[str]:
    eur_deal(ws, pay_currency=True)
    ws.write("fx.csv", "date,from,to,rate\n2030-01-01,EUR,USD,1.1\n")
    return [*ws.run(), "--fx", str(ws / "fx.csv")]


@case("roster-currency-missing", "currencies", "a run in two currencies whose roster gives "
      "no pay currency", 2, "roster.csv:1: no column 'currency': this run holds")
def _(ws: Workspace) -> list[str]:
    eur_deal(ws, pay_currency=False)
    return ws.run()


case("roster-currency-unknown", "currencies", "a pay currency that is not ISO 4217", 2,
     "roster.csv: row 2, currency: 'ABC' is not an ISO 4217 currency code",
     make=setting("roster.csv", 2, "currency", "ABC", "run"))


case("deals-unknown-owner", "deals", "an owner who is not in the roster", 0, "payee not in roster",
     shows_in="exceptions.csv", handling="an exception line: the credit has no payee",
     make=setting("deals.csv", 2, "owner_id", "AE99", "run"))


@case("deals-cancel-before-close", "deals", "a cancel date before the close date", 0,
      "cancel_date is before close_date: data error, no clawback", shows_in="exceptions.csv",
      handling="credited, not clawed back; an exception line")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("deals.csv")
    i = int(frame.index[(frame["stage"] == "Closed Won") & (frame["close_date"] > "2026-02")][0])
    frame.loc[i, "cancel_date"] = "2026-01-01"
    ws.save("deals.csv", frame)
    return ws.run()


@case("deals-ragged-row", "deals", "a row with more cells than the header", 2,
      "deals.csv:207: the row has 15 cells, the header has 13")
def _(ws: Workspace) -> list[str]:
    ws.write("deals.csv", ws.text("deals.csv")
             + "D9,AE01,,1,1,Closed Won,,2026-03-01,,12,A,,new,extra,more\n")
    return ws.run()


@case("deals-unclosed-quote", "deals", "a quote that never closes", 2,
      "deals.csv:207: a quoted cell opened on this line is never closed")
def _(ws: Workspace) -> list[str]:
    ws.write("deals.csv", ws.text("deals.csv") + "D9,\"AE01,,1,1\n")
    return ws.run()


@case("deals-xlsx-formula", "deals", "an XLSX whose amount is a formula never calculated", 2,
      "deals.xlsx: row 3, amount:", "formula")
def _(ws: Workspace) -> list[str]:
    wb, sheet, columns = ws.deals_workbook()
    sheet.cell(row=3, column=columns.index("amount") + 1, value="=1000*2")
    wb.save(ws / "deals.xlsx")
    return ws.swap(ws.run(), "--deals", str(ws / "deals.xlsx"))


@case("deals-xlsx-merged-header", "deals", "an XLSX with merged header cells", 2,
      "deals.xlsx:", "header")
def _(ws: Workspace) -> list[str]:
    wb, sheet, _ = ws.deals_workbook()
    sheet.merge_cells(start_row=1, start_column=3, end_row=1, end_column=4)
    wb.save(ws / "deals.xlsx")
    return ws.swap(ws.run(), "--deals", str(ws / "deals.xlsx"))


@case("deals-parquet-text-amount", "deals", "a Parquet file whose amount column is text", 2,
      "deals.parquet: row 4, amount: 'lots' is not a finite number")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("deals.csv")
    frame.loc[2, "amount"] = "lots"
    frame.to_parquet(ws / "deals.parquet", index=False)
    return ws.swap(ws.run(), "--deals", str(ws / "deals.parquet"))


@case("deals-missing-file", "deals", "a deals file that does not exist", 2,
      "deals.csv: no such file")
def _(ws: Workspace) -> list[str]:
    (ws / "deals.csv").unlink()
    return ws.run()


case("deals-formula-text", "deals", "a deal id that is a spreadsheet formula", 0, "'=HYPERLINK",
     shows_in="credits.csv", handling="stored as text with a leading ' in every CSV and workbook",
     make=setting("deals.csv", 2, "deal_id", "=HYPERLINK(\"http://x.invalid\",\"open\")", "run"))


# -- quotas ------------------------------------------------------------------------------

@case("quotas-not-given", "quotas", "SDRs on the roster but no --quotas", 2,
      "plan sdr-2026, quotas.pipeline (source: file): reads table 'quotas', which was not "
      "given (pass --quotas)")
def _(ws: Workspace) -> list[str]:
    argv = ws.run()
    at = argv.index("--quotas")
    return argv[:at] + argv[at + 2:]


case("quotas-negative", "quotas", "a negative monthly quota", 2, "quotas.csv: row 3, quota:",
     make=setting("quotas.csv", 3, "quota", "-1000", "run"))


case("quotas-zero", "quotas", "a zero monthly quota", 0,
     "quota for pipeline is zero or negative: pays nothing on it", shows_in="exceptions.csv",
     handling="an exception line: the month pays nothing on that measure",
     make=setting("quotas.csv", 3, "quota", "0", "run"))


case("quotas-bad-period", "quotas", "a period that is not a month (2026-13)", 2,
     "quotas.csv: row 3, period:",
     make=setting("quotas.csv", 3, "period", "2026-13", "run"))


@case("quotas-duplicate", "quotas", "the same payee, measure and month twice", 2,
      "quotas.csv: row 4, payee_id, measure, period: duplicate")
def _(ws: Workspace) -> list[str]:
    frame = ws.frame("quotas.csv")
    frame.loc[2] = frame.loc[1]
    ws.save("quotas.csv", frame)
    return ws.run()


case("quotas-unknown-payee", "quotas", "a quota for a payee not in the roster", 0,
     "payee not in roster: quota not used", shows_in="exceptions.csv",
     handling="an exception line: the quota is not used",
     make=setting("quotas.csv", 2, "payee_id", "SDR99", "run"))


case("quotas-unknown-measure", "quotas", "a quota for a measure no plan has", 0,
     "no plan of this payee takes this measure's quota", shows_in="exceptions.csv",
     handling="an exception line: the quota is not used",
     make=setting("quotas.csv", 2, "measure", "pipline", "run"))


# -- accounts ----------------------------------------------------------------------------

@case("accounts-duplicate", "accounts", "one account on two rows (two owners)", 2,
      "accounts.csv: row 3, account_id: duplicate account_id=")
def _(ws: Workspace) -> list[str]:
    ws.edit_cell("accounts.csv", 3, "account_id", ws.frame("accounts.csv").loc[0, "account_id"])
    return ws.run()


case("accounts-missing-column", "accounts", "no account_id column", 2,
     "accounts.csv:1: missing required column(s) account_id",
     make=without_column("accounts.csv", "account_id", "run", renamed="id"))


@case("accounts-unknown-owner", "accounts", "an account owned by someone not in the roster", 0,
      "payee not in roster", shows_in="exceptions.csv",
      handling="an exception line for each credit the owner would get")
def _(ws: Workspace) -> list[str]:
    ws.save("accounts.csv", ws.frame("accounts.csv").assign(kam_id="KAM99"))
    return ws.run()


@case("accounts-not-given", "accounts", "a plan reads accounts but --accounts is not given", 2,
      "plan kam-2026", "--accounts")
def _(ws: Workspace) -> list[str]:
    argv = ws.run()
    i = argv.index("--accounts")
    return argv[:i] + argv[i + 2:]


# -- territories (compplan quotas) -------------------------------------------------------

case("territories-negative-potential", "territories", "a negative potential", 2,
     "territories.csv: row 3, potential: -5 is outside 0..1e+12",
     make=setting("territories.csv", 3, "potential", "-5", "quotas"))


case("territories-empty-potential", "territories", "an empty potential (crashed the solver)",
     2, "territories.csv: row 3, potential: is empty; a value is required",
     make=setting("territories.csv", 3, "potential", "", "quotas"))


case("territories-duplicate", "territories", "a territory on two rows", 2,
     "territories.csv: row 3, territory_id: duplicate",
     make=setting("territories.csv", 3, "territory_id", "TER-AE01", "quotas"))


case("territories-missing-column", "territories", "no potential column", 2,
     "territories.csv:1: missing required column(s) potential",
     make=without_column("territories.csv", "potential", "quotas"))


@case("territories-infeasible", "territories", "a target the growth bounds cannot reach", 4,
      "infeasible")
def _(ws: Workspace) -> list[str]:
    argv = ws.quotas()
    argv[argv.index("--target") + 1] = "900000000"
    return argv


# -- mappings ----------------------------------------------------------------------------

@case("mapping-unknown-preset", "mappings", "a mapping preset that does not exist", 2,
      "--mapping: 'zoho' is neither a preset (hubspot, salesforce, "
      "salesforce-opportunities) nor a mapping file")
def _(ws: Workspace) -> list[str]:
    return [*ws.run(), "--mapping", "zoho"]


@case("mapping-unknown-key", "mappings", "a mapping file with a misspelt key", 2,
      "map.yaml:3: deals.colums: unknown key")
def _(ws: Workspace) -> list[str]:
    ws.write("map.yaml", "# my CRM\ndeals:\n  colums: {Amount: amount}\n")
    return [*ws.run(), "--mapping", str(ws / "map.yaml")]


@case("mapping-unknown-table", "mappings", "a mapping whose table key is misspelt (dealz)", 2,
      "map.yaml:2: dealz: no table 'dealz': expected one of accounts, assignments, deals")
def _(ws: Workspace) -> list[str]:
    ws.write("map.yaml", "# my CRM\ndealz:\n  columns: {Amount: amount}\n")
    return [*ws.run(), "--mapping", str(ws / "map.yaml")]


@case("mapping-fifo", "mappings", "a mapping that is a named pipe (it hung the run)", 2,
      "map.yaml: is not a regular file (a device, a pipe or a socket): expected a file")
def _(ws: Workspace) -> list[str]:
    os.mkfifo(ws / "map.yaml")
    return [*ws.run(), "--mapping", str(ws / "map.yaml")]


@case("mapping-bad-date-format", "mappings", "a date format that is not a strftime format", 2,
      "map.yaml:", "date_format", "strftime")
def _(ws: Workspace) -> list[str]:
    ws.write("map.yaml", "deals:\n  date_format: MM/DD/YYYY\n")
    return [*ws.run(), "--mapping", str(ws / "map.yaml")]


@case("mapping-tag", "mappings", "a YAML tag in a mapping file", 2, "map.yaml:1:", "not allowed")
def _(ws: Workspace) -> list[str]:
    ws.write("map.yaml", "deals: !!python/object/apply:os.system [id]\n")
    return [*ws.run(), "--mapping", str(ws / "map.yaml")]


# -- command line ------------------------------------------------------------------------

@case("cli-year-text", "CLI", "--year 2O26 (a letter O)", 2, "Invalid value for '--year'")
def _(ws: Workspace) -> list[str]:
    argv = ws.run()
    argv[argv.index("--year") + 1] = "2O26"
    return argv


@case("cli-format", "CLI", "--format xml", 2, "--format: 'xml': expected csv or parquet")
def _(ws: Workspace) -> list[str]:
    return [*ws.run(), "--format", "xml"]


@case("cli-engine", "CLI", "--engine spark", 2, "--engine: 'spark': expected memory or dask")
def _(ws: Workspace) -> list[str]:
    return [*ws.run(), "--engine", "spark"]


@case("cli-table-spec", "CLI", "--table without NAME=PATH", 2,
      "--table: 'calls.csv': expected NAME=PATH")
def _(ws: Workspace) -> list[str]:
    return [*ws.run(), "--table", "calls.csv"]


@case("cli-draws", "CLI", "--draws -5", 2, "expected --draws >= 0")
def _(ws: Workspace) -> list[str]:
    return [*ws.simulate(), "--draws", "-5"]


@case("cli-period", "CLI", "payroll --period 2026-13", 2, "--period", "2026-13")
def _(ws: Workspace) -> list[str]:
    argv = ws.payroll()
    argv[argv.index("--period") + 1] = "2026-13"
    return argv


@case("cli-period-other-year", "CLI", "payroll --period in another year than --year", 2,
      "--period", "2025-03")
def _(ws: Workspace) -> list[str]:
    argv = ws.payroll()
    argv[argv.index("--period") + 1] = "2025-03"
    return argv


def _paid(ws: Workspace, *months: str, close: bool = True) -> list[str]:
    """Pay (and close) months in a ledger of their own, paid.db; the payroll command of
    the case, on that ledger, is returned with ``--period`` left for the case to set."""
    paid = str(ws / "paid.db")
    for month in months:
        argv = ws.swap(ws.swap(ws.payroll(), "--ledger", paid), "--out", str(ws / month))
        assert CliRunner().invoke(app, ws.swap(argv, "--period", month)).exit_code == 0
        if close:
            assert CliRunner().invoke(app, ["close", "--period", month, "--ledger",
                                            paid]).exit_code == 0
    return ws.swap(ws.payroll(), "--ledger", paid)


@case("ledger-before-first-month", "ledger", "payroll of a month before the ledger's first", 2,
      "--period: 2026-01 comes before 2026-03, the ledger's first month: months are paid in "
      "order")
def _(ws: Workspace) -> list[str]:
    return ws.swap(_paid(ws, "2026-03", close=False), "--period", "2026-01")


@case("ledger-earlier-month-open", "ledger", "payroll while an earlier month is not closed", 2,
      "--period: close 2026-01 before paying 2026-03: months are paid in order")
def _(ws: Workspace) -> list[str]:
    return _paid(ws, "2026-01", close=False)


@case("ledger-month-skipped", "ledger", "payroll of March when February was never paid", 2,
      "--period: pay and close 2026-02 before paying 2026-03: months are paid in order")
def _(ws: Workspace) -> list[str]:
    return _paid(ws, "2026-01")


case("roster-id-too-long", "roster", "a payee_id of 250 characters (a database refuses it)", 2,
     "roster.csv: row 3, payee_id: is 250 characters long: expected at most 200",
     make=setting("roster.csv", 3, "payee_id", "X" * 250, "payroll"))


case("deals-nul", "deals", "a NUL character in a deal id", 2,
     "deals.csv: row 5, deal_id: holds a NUL character: expected text without control "
     "characters", make=setting("deals.csv", 5, "deal_id", "D\x00X", "run"))


@case("cli-missing-option", "CLI", "run without --deals", 2, "Missing option '--deals'")
def _(ws: Workspace) -> list[str]:
    argv = ws.run()
    i = argv.index("--deals")
    return argv[:i] + argv[i + 2:]


@case("cli-seasonality", "CLI", "quotas --seasonality with a word", 2,
      "'0.1,x': expected numbers separated by commas")
def _(ws: Workspace) -> list[str]:
    return [*ws.quotas(), "--seasonality", "0.1,x"]


@case("cli-year-range", "CLI", "--year 1026 (a typo for 2026)", 2,
      "Invalid value for '--year': Input should be greater than or equal to 1970")
def _(ws: Workspace) -> list[str]:
    return ws.swap(ws.run(), "--year", "1026")


@case("cli-statement-payee", "CLI", "statements --payee for someone not in the roster", 2,
      "--payee: 'AE99': not in the roster, or on no plan in 2026")
def _(ws: Workspace) -> list[str]:
    return ["statements", *ws.inputs(), "--out", str(ws.out), "--payee", "AE99"]


@case("cli-out-is-file", "CLI", "--out naming an existing file", 3,
      "out.txt: cannot create output folder")
def _(ws: Workspace) -> list[str]:
    ws.write("out.txt", "not a folder\n")
    argv = ws.run()
    argv[argv.index("--out") + 1] = str(ws / "out.txt")
    return argv


# -- accounting policy ---------------------------------------------------------------

POLICY_TEXT = """capitalize:
  - plan: ae-2026
    components: [commission]
    benefit: contract
"""


def amortizing(policy: str) -> Make:
    """A case that runs ``compplan amortize`` with ``policy`` as accounting.yaml."""
    def make(ws: Workspace) -> list[str]:
        ws.write("accounting.yaml", policy)
        return ["amortize", *ws.inputs(), "--policy", str(ws / "accounting.yaml"),
                "--out", str(ws.out)]
    return make


case("policy-unknown-component", "accounting", "a policy naming a component its plan "
     "does not have", 2, "accounting.yaml:3: capitalize[0].components[0]: plan ae-2026 "
     "has no component 'comission'",
     make=amortizing(POLICY_TEXT.replace("[commission]", "[comission]")))
case("policy-salary", "accounting", "a policy capitalizing a base salary", 2,
     "accounting.yaml:3: capitalize[0].components[0]: base_salary is a salary: not a "
     "cost of obtaining a contract",
     make=amortizing(POLICY_TEXT.replace("[commission]", "[base_salary]")))
case("policy-benefit", "accounting", "a benefit period of 0 months", 2,
     "accounting.yaml:4: capitalize[0].benefit: benefit of 0 months: give 1 to 600, "
     "or contract", make=amortizing(POLICY_TEXT.replace("benefit: contract", "benefit: 0")))



def forecasting(*more: str, pipeline: bool = True, drop: str = "", rates: str = "") -> Make:
    """A case that runs ``compplan forecast`` as of 30 September; ``pipeline``: the open
    deals given expected dates in pipeline.csv (``drop``: less that column); ``rates``:
    a win_rates.csv with these lines."""
    def make(ws: Workspace) -> list[str]:
        args = ["forecast", *ws.inputs(), "--as-of", "2026-09-30", "--out", str(ws.out),
                "--draws", "20"]
        if pipeline:
            deals = ws.frame("deals.csv")
            open_ = deals[deals["stage"].astype(str) == "Qualified"].assign(
                close_date="2026-11-15", stage="Proposal")
            ws.save("pipeline.csv", open_.drop(columns=[drop]) if drop else open_)
            args += ["--pipeline", str(ws / "pipeline.csv")]
        if rates:
            ws.write("win_rates.csv", "stage,win_rate\n" + rates)
            args += ["--win-rates", str(ws / "win_rates.csv")]
        return [*args, *more]
    return make


case("forecast-no-expected-date", "forecast", "open deals without an expected close date "
     "and no pipeline file", 2, "open deal row(s) with no expected close date",
     make=forecasting(pipeline=False, rates="Qualified,0.3\n"))
case("forecast-no-win-rates", "forecast", "a forecast with neither win rates nor a stage "
     "history", 2, "no win rates: give --win-rates", make=forecasting())
case("forecast-stage-without-rate", "forecast", "an open deal in a stage the win rates "
     "lack", 2, "no win rate for stage 'Proposal'", make=forecasting(rates="Qualified,0.3\n"))
case("forecast-win-rate-range", "forecast", "a win rate above 1", 2, "win_rate",
     make=forecasting(rates="Proposal,1.5\n"))
case("forecast-pipeline-column", "forecast", "a pipeline file without a column the deals "
     "table has", 2, "no column 'margin'", make=forecasting(drop="margin",
                                                           rates="Proposal,0.3\n"))
case("forecast-slippage", "forecast", "slippage probabilities that do not add up to 1", 2,
     "--slip-months: '0.5,0.4'", make=forecasting("--slip-months", "0.5,0.4",
                                                   rates="Proposal,0.3\n"))
case("forecast-as-of", "forecast", "an as-of date outside the plan year", 2,
     "--as-of: '2025-12-31': expected a date of the plan year 2026",
     make=forecasting("--as-of", "2025-12-31", rates="Proposal,0.3\n"))

if __name__ == "__main__":
    main()
