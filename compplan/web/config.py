"""compplan.toml: where the app's inputs, ledger and outputs are, relative to the file.

    year = 2026
    ledger = "ledger.db"           # or a postgresql:// URL (COMPPLAN_LEDGER overrides)
    out = "web-out"                # payroll files, approved quotas, statements
    scenarios = "scenarios"        # optional: finance's what-if
    [inputs]
    plans = "plans"
    roster = "input/roster.csv"
    deals = "input/deals.csv"
    quotas = "input/quotas.csv"    # optional, like accounts, fx
    [quota_review]                 # optional: the managers' quota review
    plan = "plans/quotas-2026.yaml"
    territories = "input/territories.csv"
    history = "input/deals.csv"

The session key is ``COMPPLAN_SECRET``, or a random key kept beside the file in
``.compplan-secret`` (made on the first start, readable by its owner only).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compplan.errors import InputError, Issue


@dataclass(frozen=True)
class QuotaReview:
    plan: Path
    territories: Path
    history: Path | None


@dataclass(frozen=True)
class WebConfig:
    """Everything the app reads and writes, resolved."""

    file: Path
    year: int
    ledger: str
    out: Path
    plans: Path
    roster: Path
    deals: Path
    quotas: Path | None
    accounts: Path | None
    fx: Path | None
    quota_review: QuotaReview | None
    scenarios: Path | None = None
    secure_cookies: bool = False

    @property
    def inputs(self) -> dict[str, Path | None]:
        return {"roster": self.roster, "deals": self.deals, "quotas": self.quotas,
                "accounts": self.accounts, "fx": self.fx}


def _path(base: Path, table: dict[str, Any], key: str, file: str, required: bool
          ) -> Path | None:
    value = table.get(key)
    if value is None:
        if required:
            raise InputError([Issue(file, f"no {key!r}: expected a path", None, key)])
        return None
    if not isinstance(value, str):
        raise InputError([Issue(file, f"{key} = {value!r}: expected a path in quotes", None,
                                key)])
    return (base / value).resolve()


def load_config(path: Path) -> WebConfig:
    """Read compplan.toml; every path relative to its folder."""
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Issue(file, "no such file: give --config, or run compplan demo "
                                      "--serve for one")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Issue(file, f"not TOML: {exc}")]) from None
    base = path.parent.resolve()
    year = data.get("year")
    if not isinstance(year, int) or not 1970 <= year <= 2100:
        raise InputError([Issue(file, f"year = {year!r}: expected a plan year like 2026",
                                None, "year")])
    inputs = data.get("inputs", {})
    review = data.get("quota_review")
    ledger = os.environ.get("COMPPLAN_LEDGER") or str(data.get("ledger", "ledger.db"))
    if "://" not in ledger:
        ledger = str((base / ledger).resolve())
    out = _path(base, {"out": data.get("out", "web-out")}, "out", file, True)
    assert out is not None
    plans = _path(base, inputs, "plans", file, True)
    roster = _path(base, inputs, "roster", file, True)
    deals = _path(base, inputs, "deals", file, True)
    assert plans is not None and roster is not None and deals is not None
    quota_review = None
    if isinstance(review, dict):
        plan = _path(base, review, "plan", file, True)
        territories = _path(base, review, "territories", file, True)
        assert plan is not None and territories is not None
        quota_review = QuotaReview(plan, territories, _path(base, review, "history", file,
                                                            False))
    return WebConfig(path.resolve(), year, ledger, out, plans, roster, deals,
                     _path(base, inputs, "quotas", file, False),
                     _path(base, inputs, "accounts", file, False),
                     _path(base, inputs, "fx", file, False), quota_review,
                     _path(base, data, "scenarios", file, False),
                     bool(data.get("secure_cookies", False)))


def session_secret(config: WebConfig) -> str:
    """The key that signs session cookies (see the module)."""
    given = os.environ.get("COMPPLAN_SECRET")
    if given:
        return given
    keep = config.file.parent / ".compplan-secret"
    if not keep.exists():
        keep.write_text(secrets.token_hex(32), encoding="utf-8")
        keep.chmod(0o600)
    return keep.read_text(encoding="utf-8").strip()
