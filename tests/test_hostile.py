"""Hostile files: refused quickly, in bounded memory, and never able to run code.

Plans, scenarios and mappings are data passed around a team. Each document below is
built to hurt a YAML reader (object construction, exponential aliases, deep nesting,
huge scalars, very long lines); each must be refused with a located message within a
second or two and a few megabytes, measured here with tracemalloc.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from compplan.core.yamlsource import parse_yaml
from compplan.errors import InputError
from compplan.inputs.ingest import load_table
from compplan.inputs.mapping import load_mapping, parse_mapping
from compplan.plan.jsonschema import plan_schema
from compplan.plan.load import load_plan_file, load_plan_text
from compplan.scenarios.load import load_scenario
from tests.conftest import PLANS

AE = (PLANS / "ae-2026.yaml").read_text(encoding="utf-8")


def _laughs(levels: int, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]"
              for i in range(1, levels)]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "python-object": "plan: !!python/object/apply:os.system [echo owned]\n",
    "python-name": "plan: !!python/name:os.system\n",
    "python-module": "plan: !!python/module:os\n",
    "custom-tag": "plan: !include /etc/passwd\n",
    "set-tag": "plan: !!set {a, b}\n",
    "billion-laughs": _laughs(10),
    "alias-key-bomb": _laughs(8) + "b: {*a7: 1}\n",
    "deep-sequence": "plan: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "deep-mapping": "plan: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n",
    "deep-block": "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
    "huge-integer": "plan: x\nrate: " + "9" * 1_000_000 + "\n",
    "huge-float": "plan: x\nrate: 1" + "0" * 1000 + ".5e99999\n",
    "long-line": "plan: ae-2026\ndescription: " + "x" * 1_900_000 + "\n",
    "many-keys": "".join(f"k{i}: {i}\n" for i in range(120_000)),
    "many-documents": "---\nplan: a\n" * 5000,
    "aliased-long-string": (AE.replace("name: ", "name: &big " + "x" * 1_000_000 + "\n#", 1)
                            + "bomb: [" + ", ".join(["*big"] * 15_000) + "]\n"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_yaml_is_refused_quickly_in_bounded_memory(name: str) -> None:
    text = HOSTILE[name]
    tracemalloc.start()
    start = time.perf_counter()
    try:
        plan, issues = load_plan_text(text, "evil.yaml")
    finally:
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert plan is None and issues, name
    if name == "aliased-long-string":
        assert "document expands to more than 4,000,000 characters" in issues[0].message
    assert all(i.file == "evil.yaml" and i.message for i in issues)
    assert seconds < 20, f"{name} took {seconds:.1f} s"  # generous: tracemalloc slows it
    budget = 64 * 2**20 + 40 * len(text)  # what reading the text itself costs, and 64 MiB
    assert peak < budget, f"{name} peaked at {peak / 2**20:.0f} MiB"


def test_the_same_reader_guards_mappings_and_scenarios() -> None:
    for name in ("python-object", "billion-laughs", "deep-sequence"):
        with pytest.raises(InputError):
            parse_mapping(HOSTILE[name], "map.yaml")
        doc, issues = parse_yaml(HOSTILE[name], "scenario.yaml")
        assert doc is None and issues


def test_a_plan_cannot_name_a_path_or_code() -> None:
    """No field of the plan language is a path, a module or an expression: filters are
    data (a column, an operator, values), and columns are only looked up by name."""
    words = {"path", "file", "module", "import", "exec", "eval", "expr", "expression",
             "script", "command", "url"}

    def keys(node: object) -> set[str]:
        if isinstance(node, dict):
            found = set(node.get("properties", {}))
            return found | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert not keys(plan_schema()) & words


@pytest.mark.parametrize("column", ["../../etc/passwd", "__import__('os')", "$(id)",
                                    "{{7*7}}", "=cmd|' /C calc'!A0", "a\\nb"])
def test_a_filter_column_that_is_not_a_plain_name_is_refused(column: str) -> None:
    text = AE.replace("filter: {column: stage, eq: Closed Won}",
                      f"filter: {{column: {column!r}, eq: Closed Won}}")
    plan, issues = load_plan_text(text, "ae.yaml")
    assert plan is None
    assert [(i.line, i.field) for i in issues] == [(12, "measures.bookings.filter.column")]
    assert "is not a plain column name" in issues[0].message


def test_a_plain_but_odd_column_name_is_only_looked_up(tmp_path: Path) -> None:
    from tests.conftest import Case, deal, person

    text = AE.replace("filter: {column: stage, eq: Closed Won}",
                      "filter: {column: Region.Name, eq: EMEA}")
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    (plans_dir / "ae.yaml").write_text(text)
    case = Case(tmp_path)
    case.roster = [person("A", "ae-2026", base_salary=1, target_incentive=1, quota=1)]
    case.deals = [deal("D", "A", 10, "2026-02-01")]
    with pytest.raises(InputError, match=r"Region\.Name"):  # a column the deals lack
        case.run(plans_dir=plans_dir)


# -- files that are not files (issue 16) ---------------------------------------------------

def _special(tmp_path: Path, kind: str, name: str) -> Path:
    path = tmp_path / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "urandom":
        path.symlink_to("/dev/urandom")
    elif kind == "huge":
        with path.open("wb") as fh:
            fh.truncate(100 * 2**20)  # 100 MB, sparse: cheap to make, costly to read
    return path


@pytest.mark.parametrize("kind", ["fifo", "zero", "urandom", "huge"])
@pytest.mark.parametrize("reader", ["plan", "scenario", "mapping", "table"])
def test_a_file_that_is_not_a_file_is_refused_before_reading(tmp_path: Path, kind: str,
                                                            reader: str) -> None:
    if kind == "huge" and reader == "table":
        pytest.skip("tables may be large: a big CSV is read (and checked) as any other")
    path = _special(tmp_path, kind, "x.csv" if reader == "table" else "x.yaml")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        if reader == "plan":
            plan, issues = load_plan_file(path)
            assert plan is None
        elif reader == "scenario":
            scenario, issues = load_scenario(path)
            assert scenario is None
        else:
            with pytest.raises(InputError) as caught:
                (load_mapping(str(path)) if reader == "mapping" else load_table(path, "deals"))
            issues = list(caught.value.issues)
    finally:
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    said = " ".join(i.render() for i in issues)
    assert ("is not a regular file" if kind != "huge" else "larger than 2,000,000 bytes") in said
    assert seconds < 2 and peak < 16 * 2**20, (seconds, peak)


def test_a_mapping_table_key_that_names_no_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("deals:\n  columns: {Amount: amount}\ndealz:\n  columns: {Owner: owner_id}\n")
    mapping = load_mapping(str(path))
    (issue,) = mapping.unknown_tables(["activities"])
    assert issue.render() == (f"{path}:3: dealz: no table 'dealz': expected one of accounts, "
                              "activities, assignments, deals, history, overrides, quotas, "
                              "roster, territories")
