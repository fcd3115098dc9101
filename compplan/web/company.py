"""The company as the app shows it: the run of the configured inputs, evaluated when the
app starts (and again when approved quotas change its inputs), with its roster."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.reports.attainment import attainment_table
from compplan.result import Result, evaluate
from compplan.web.config import WebConfig
from compplan.web.quota_desk import with_approved


@dataclass
class Company:
    config: WebConfig
    result: Result
    approved: int = 0
    """Payees whose quota is an approved one, not the configured roster's."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _by_payee: dict[str, Any] | None = field(default=None, repr=False)
    _attainment: pd.DataFrame | None = field(default=None, repr=False)
    _names: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, config: WebConfig) -> Company:
        result, approved = _evaluate(config)
        return cls(config, result, approved=approved)

    def reload(self) -> None:
        """Evaluate again (the inputs changed: approved quotas)."""
        fresh, approved = _evaluate(self.config)
        with self._lock:
            self.result, self._by_payee, self._attainment, self._names = fresh, None, None, None
            self.approved = approved

    @property
    def roster(self) -> pd.DataFrame:
        return self.result.inputs.roster.frame

    def name_of(self, payee_id: str) -> str:
        if self._names is None:
            r = self.roster
            names = r["name"].astype(str) if "name" in r else r["payee_id"].astype(str)
            self._names = dict(zip(r["payee_id"].astype(str), names, strict=True))
        return self._names.get(payee_id) or payee_id

    def credits_of(self, payee_id: str) -> pd.DataFrame:
        """The payee's credits (rows found once per run by an index of payees)."""
        if self._by_payee is None:
            found = self.result.credit_rows.groupby(
                self.result.credit_rows["payee_id"].astype(str), sort=False).indices
            self._by_payee = {str(k): v for k, v in found.items()}
        rows = self._by_payee.get(payee_id)
        credits = self.result.credit_rows
        return credits.iloc[rows] if rows is not None else credits.iloc[:0]

    @property
    def attainment(self) -> pd.DataFrame:
        """Every seat's attainment by measure and period (computed once per run)."""
        if self._attainment is None:
            self._attainment = attainment_table(self.result)
        return self._attainment

    def months(self) -> list[str]:
        return [f"{self.config.year}-{m:02d}" for m in range(1, 13)]


def _evaluate(config: WebConfig) -> tuple[Result, int]:
    """The run of the configured inputs, with the approved quotas (and how many payees
    they changed)."""
    inputs = load_inputs(config.roster, config.deals, config.quotas, config.accounts,
                         fx=config.fx)
    roster, changed = with_approved(inputs.roster.frame, config.out / "quotas")
    if changed:
        inputs = dataclasses.replace(inputs, roster=dataclasses.replace(inputs.roster,
                                                                        frame=roster))
    return evaluate(load_plans(config.plans), inputs, config.year), changed
