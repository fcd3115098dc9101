"""``compplan init DIR``: a working folder that runs with no flags.

It holds ``compplan.toml``, the sample plans (all of them, or one ``--template``),
the sample scenarios that apply to them, a small sample of each input in ``data/``, a
``.gitignore`` for outputs and ledgers, and a README saying what to edit first.
Nothing is overwritten: a folder that already has any of these files is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from compplan.commands.project import FILE_NAME
from compplan.commands.samples import sample_path
from compplan.core.yamlsource import parse_yaml
from compplan.errors import InputError, Issue
from compplan.inputs.sample import make_company

TOML = """# compplan project file: every command run in this folder reads it.
# Flags override it, then environment variables (COMPPLAN_LEDGER), then this file.
[project]
plans = "plans"
year = {year}
out = "out"
ledger = "ledger.db"       # or a postgresql:// URL; or remove it and set COMPPLAN_LEDGER
scenarios = "scenarios"
territories = "data/territories.csv"

[inputs]
roster = "data/roster.csv"
deals = "data/deals.csv"
quotas = "data/quotas.csv"
accounts = "data/accounts.csv"
"""

GITIGNORE = """# compplan outputs and ledgers
out/
demo-out/
what-if/
payroll/
*.db
*.db-journal
"""

README = """# {name}: a compplan working folder

Run the plans on the sample data (no flags needed: `compplan.toml` holds them):

    compplan run
    compplan explain --payee AE01 --period {year}-03
    compplan simulate --out what-if

What to edit first:

1. `data/roster.csv` and `data/deals.csv`: replace the samples with your CRM export
   (`--mapping salesforce` or `hubspot` reads the exports as they come; see the
   mapping documentation).
2. `plans/*.yaml`: the sample plans are a start; `compplan validate plans` checks them
   with file, line and field.
3. `compplan.toml`: the year, the input files, the ledger.
"""


def templates() -> list[str]:
    """The sample plans ``--template`` can name (``ae`` for ``ae-2026.yaml``...)."""
    return sorted(p.stem.rsplit("-", 1)[0] for p in sample_path("plans").glob("*.yaml")
                  if not p.stem.startswith("quotas"))


def _plans(template: str | None) -> list[Path]:
    every = sorted(sample_path("plans").glob("*.yaml"))
    if template is None:
        return every
    chosen = [p for p in every if p.stem.rsplit("-", 1)[0] == template]
    if not chosen:
        raise InputError([Issue("--template", f"{template!r}: expected one of "
                                f"{', '.join(templates())}")])
    return [*chosen, *(p for p in every if p.stem.startswith("quotas"))]


def _named_plans(path: Path, key: str) -> set[str]:
    """The plans a sample file names: a scenario's ``plans:`` changes, a policy's
    ``capitalize:`` entries (copied only when every plan it names is there)."""
    doc, _ = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    entries = doc.data.get(key, []) if doc is not None and isinstance(doc.data, dict) else []
    return {str(e.get("plan")) for e in entries if isinstance(e, dict)}


def init_project(folder: Path, template: str | None = None, year: int = 2026,
                 seed: int = 7) -> list[Path]:
    """Write a working folder; returns the files written."""
    plans = _plans(template)
    ids = {p.stem for p in plans}
    planned = [folder / FILE_NAME, folder / ".gitignore", folder / "README.md",
               folder / "plans", folder / "scenarios", folder / "data",
               folder / "accounting.yaml"]
    there = [p for p in planned if p.exists()]
    if there:
        raise InputError([Issue(str(there[0]), "already exists: compplan init writes into a "
                                "new or empty folder and overwrites nothing")])
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    (folder / "plans").mkdir()
    for plan in plans:
        written.append(Path(shutil.copy(plan, folder / "plans" / plan.name)))
    (folder / "scenarios").mkdir()
    for scenario in sorted(sample_path("scenarios").glob("*.yaml")):
        if _named_plans(scenario, "plans") <= ids:
            written.append(Path(shutil.copy(scenario, folder / "scenarios" / scenario.name)))
    policy = sample_path("policies") / "accounting.yaml"
    if _named_plans(policy, "capitalize") <= ids:  # compplan amortize --policy accounting.yaml
        written.append(Path(shutil.copy(policy, folder / "accounting.yaml")))
    written.extend(_data(folder / "data", ids, year, seed))
    for name, text in ((FILE_NAME, TOML.format(year=year)), (".gitignore", GITIGNORE),
                       ("README.md", README.format(name=folder.resolve().name, year=year))):
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def _data(folder: Path, ids: set[str], year: int, seed: int) -> list[Path]:
    """The sample company's inputs, its roster cut to the payees of the chosen plans."""
    company = make_company(seed, year)
    roster = company.roster[company.roster["plan"].isin(ids).to_numpy()]
    folder.mkdir()
    tables: dict[str, pd.DataFrame] = {
        "roster": roster, "deals": company.deals, "quotas": company.quotas,
        "accounts": company.accounts, "territories": company.territories}
    out = []
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        out.append(folder / f"{name}.csv")
    return out
