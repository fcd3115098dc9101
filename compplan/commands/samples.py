"""The sample plans, scenarios, schema, notebooks and accounting policy that ship with
compplan.

In a wheel they are package data under ``compplan/_samples``; in a checkout (or an
editable install) they are the repository's own ``plans/``, ``scenarios/``... beside
the package. Either way callers get a real folder to read, copy or run from.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = ("plans", "scenarios", "schema", "notebooks", "policies")


def sample_path(kind: str) -> Path:
    """The folder of a kind of sample (``plans``, ``scenarios``, ``schema``,
    ``notebooks``, ``policies``).

    >>> sample_path("plans").joinpath("ae-2026.yaml").is_file()
    True
    """
    if kind not in KINDS:
        raise ValueError(f"{kind!r}: expected one of {', '.join(KINDS)}")
    packaged = Path(str(files("compplan"))) / "_samples" / kind
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / kind
