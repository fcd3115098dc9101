"""Mutation testing of the core rules: how many small bugs the tests catch.

Runs mutmut (configured in pyproject.toml, ``[tool.mutmut]``: the modules to mutate and
the tests that judge them) and prints, per module, the mutants killed, survived and
not covered, and the score ``killed / (killed + survived)``. Survivors are listed with
``--survivors``; ``mutmut show NAME`` shows one. A report, not a CI step: a full run
takes minutes per module.

    python benchmarks/mutation.py               # run, then the table
    python benchmarks/mutation.py --no-run      # the table of the last run
    python benchmarks/mutation.py --survivors
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUS = re.compile(r"^\s*(\S+?): (\w[\w ]*)$")


def results() -> list[tuple[str, str]]:
    """(mutant name, status) for every mutant of the last run."""
    done = subprocess.run(["mutmut", "results", "--all", "true"], cwd=ROOT, text=True,
                          capture_output=True, check=True)
    return [(m.group(1), m.group(2)) for line in done.stdout.splitlines()
            if (m := STATUS.match(line))]


def module_of(name: str) -> str:
    """``compplan.core.money.x_to_minor__mutmut_3`` -> ``compplan/core/money.py``."""
    parts = name.split(".")
    return "/".join(parts[:-1]) + ".py"


def table(found: list[tuple[str, str]]) -> list[str]:
    by = {}
    for name, status in found:
        by.setdefault(module_of(name), Counter())[status] += 1
    out = ["| module | mutants | killed | survived | not covered | other | score |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for module, count in sorted(by.items()):
        killed, survived = count["killed"], count["survived"]
        uncovered = count["no tests"]
        other = sum(count.values()) - killed - survived - uncovered
        score = killed / (killed + survived) if killed + survived else float("nan")
        out.append(f"| {module} | {sum(count.values())} | {killed} | {survived} | "
                   f"{uncovered} | {other} | {score:.1%} |")
    return out


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--no-run", action="store_true", help="report the last run")
    args.add_argument("--survivors", action="store_true", help="list surviving mutants")
    opts = args.parse_args()
    if not opts.no_run:
        subprocess.run(["mutmut", "run", "--max-children", "2"], cwd=ROOT, check=False)
    found = results()
    print("\n".join(table(found)))
    if opts.survivors:
        for name, status in found:
            if status == "survived":
                print(name)
    sys.exit(0)


if __name__ == "__main__":
    main()
