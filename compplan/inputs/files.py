"""The input files of one evaluation, as one value: what every command reads.

``run``, ``explain``, ``statements``, ``payroll`` and ``simulate`` take the same input
options (from flags, the environment or ``compplan.toml``); :class:`InputFiles` holds
them once, loads them (:meth:`InputFiles.load`) and names them for ``run.json`` and the
ledger's fingerprints (:meth:`InputFiles.files`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from compplan.errors import InputError, Issue
from compplan.inputs.bundle import Inputs, load_inputs
from compplan.inputs.mapping import load_mapping


@dataclass(frozen=True)
class InputFiles:
    """Paths of the roster, deals and optional tables, with the mapping to read them."""

    roster: Path
    deals: Path
    quotas: Path | None = None
    accounts: Path | None = None
    assignments: Path | None = None
    tables: tuple[str, ...] = field(default_factory=tuple)
    """Extra lookup tables as ``NAME=PATH`` (``--table``)."""
    mapping: str | None = None
    fx: Path | None = None

    def extra(self) -> dict[str, Path]:
        """The ``--table`` specs by name; a spec that is not ``NAME=PATH`` is refused.

        >>> InputFiles(Path("r.csv"), Path("d.csv"), tables=("regions=regions.csv",)).extra()
        {'regions': PosixPath('regions.csv')}
        """
        tables: dict[str, Path] = {}
        for spec in self.tables:
            name, sep, path = spec.partition("=")
            if not sep or not name or not path:
                raise InputError([Issue("--table", f"{spec!r}: expected NAME=PATH")])
            tables[name] = Path(path)
        return tables

    def files(self) -> dict[str, Path | None]:
        """Every input by name (absent ones as None): what run.json and the ledger hash."""
        return {"roster": self.roster, "deals": self.deals, "quotas": self.quotas,
                "accounts": self.accounts, "fx": self.fx, "assignments": self.assignments,
                **self.extra()}

    def load(self) -> Inputs:
        """Read every table (typed, checked, mapped); raises :class:`InputError`."""
        mapping = load_mapping(self.mapping) if self.mapping else None
        extra: dict[str, Path | str] = {**self.extra()}
        return load_inputs(self.roster, self.deals, self.quotas, self.accounts,
                           self.assignments, extra, mapping, self.fx)

