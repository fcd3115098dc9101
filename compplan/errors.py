"""One error hierarchy for compplan.

Problems are collected as :class:`Issue` records (file, line or row, field, message)
and raised together, so a user fixes a whole file in one pass instead of one mistake
per run. Only the CLI turns an error into an exit code; the codes are stable API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_OUTPUT = 3
EXIT_INFEASIBLE = 4
EXIT_CLUSTER = 5


_SECRET = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):[^@\s]*@")


def masked(text: str) -> str:
    """Text with the password of any URL in it replaced by ``***``: a ledger's
    ``postgresql://user:password@host/db`` is shown in no message, log or file.

    >>> masked("cannot open postgresql://comp:S3cret@db:5432/pay: refused")
    'cannot open postgresql://comp:***@db:5432/pay: refused'
    >>> masked("ledger.db")
    'ledger.db'
    """
    return _SECRET.sub(r"\g<head>:***@", text)


@dataclass(frozen=True)
class Issue:
    """A single problem, located as precisely as the source allows."""

    file: str
    message: str
    line: int | None = None
    field: str = ""
    severity: str = "error"
    column: int | None = None

    def render(self) -> str:
        """Render as ``file:line[:column]: field: message`` (what is known).

        >>> Issue("plans/a.yaml", "must increase", 23, "tiers[2].from").render()
        'plans/a.yaml:23: tiers[2].from: must increase'
        """
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        where += f":{self.column}" if self.column is not None and self.line is not None else ""
        field = f" {self.field}:" if self.field else ""
        return masked(f"{where}:{field} {self.message}")


class CompplanError(Exception):
    """Base of every error compplan reports to a user."""

    exit_code = EXIT_INTERNAL

    def __init__(self, issues: Iterable[Issue] | str) -> None:
        if isinstance(issues, str):
            issues = [Issue("compplan", issues)]
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("\n".join(i.render() for i in self.issues))


class PlanError(CompplanError):
    """A plan or scenario file is not valid."""

    exit_code = EXIT_INPUT


class InputError(CompplanError):
    """An input table (roster, deals, quotas, ...) or argument is not valid."""

    exit_code = EXIT_INPUT


class OutputError(CompplanError):
    """Results could not be written."""

    exit_code = EXIT_OUTPUT


class InfeasibleError(CompplanError):
    """A quota plan has no solution (bounds cannot meet the target) or the solver failed."""

    exit_code = EXIT_INFEASIBLE


class ClusterError(CompplanError):
    """The Dask engine is not installed, its scheduler cannot be reached, or it failed."""

    exit_code = EXIT_CLUSTER


def raise_if(issues: list[Issue], kind: type[CompplanError]) -> None:
    """Raise ``kind`` carrying every error-severity issue, if there is any."""
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise kind(errors)
