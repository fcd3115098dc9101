"""A run's identity: an id from what it read, and when it ran.

The id is a digest of the compplan version, the plan year, each input file's SHA-256
and each plan's digest: the same data and plans give the same id, so a printed page,
a statement or a workbook can be matched to its ``run.json`` (which holds the id and
every digest) and to the files that made it. Inputs given as frames rather than files
(notebooks, the API) are digested from their content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from compplan.engine.result import Evaluation
from compplan.excel.page import Stamp
from compplan.outputs.digest import file_digest, plan_digest


def compplan_version() -> str:
    """The installed compplan's version (``unknown`` from a bare source tree)."""
    try:
        return version("compplan")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@dataclass(frozen=True)
class RunInfo:
    """What identifies a run: its id, when it ran, and the digests behind the id."""

    run_id: str
    created_at: str
    inputs_digest: str
    files: dict[str, str]

    @property
    def run_date(self) -> str:
        """``2026-11-26 10:42 UTC``: the time of the run, to the minute."""
        stamp = datetime.fromisoformat(self.created_at)
        return stamp.strftime("%Y-%m-%d %H:%M UTC")

    def stamp(self, year: int) -> Stamp:
        """What every printed page of the run's workbooks says."""
        return Stamp(year, self.run_id, self.run_date, self.inputs_digest)


def _frame_digest(frame: pd.DataFrame) -> str:
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    names = "\x1f".join(map(str, frame.columns)).encode()
    return hashlib.sha256(names + rows.tobytes()).hexdigest()


def input_digests(result: Evaluation) -> dict[str, str]:
    """SHA-256 of each input table's file, or of its content when it is not a file."""
    tables = [*result.inputs.given(), *([result.inputs.fx] if result.inputs.fx else [])]
    out = {}
    for table in tables:
        path = Path(table.file)
        out[table.name] = (file_digest({table.name: path})[table.name] if path.is_file()
                           else _frame_digest(table.frame))
    return out


def run_info(result: Evaluation, files: dict[str, str] | None = None) -> RunInfo:
    """The run's id and time; ``files`` are the inputs' digests if already computed."""
    digests = dict(sorted((files if files is not None else input_digests(result)).items()))
    inputs = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()
    identity = {"compplan": compplan_version(), "year": result.year, "inputs": inputs,
                "plans": plan_digest(result.plans)}
    run_id = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
    return RunInfo(run_id, datetime.now(UTC).isoformat(timespec="seconds"), inputs[:16],
                   digests)
