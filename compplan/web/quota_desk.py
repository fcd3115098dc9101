"""The quota review: each manager's territories in the company's quota plan, their
overrides (with a reason), the rest re-optimized within the manager's total by the same
model as ``compplan quotas``, submitted, then approved by finance.

The company plan is solved once when the app starts. A manager's plan is the same
model over their territories only (those of the payees below them), its target the sum
of the company plan's quotas there and no over-assignment, an override fixing its
territory: so the manager's total never moves, and the others absorb the change
within their growth bounds (an override the bounds cannot absorb is refused with the
numbers). Approval writes ``quotas.csv`` (year, quarter and month rows of every approved
manager's territories), a new roster version with their payees' annual ``quota`` (for
``compplan run``), and ``approved_quotas.csv``, all at once; the app's own run then
takes the approved quotas over the configured roster's (:func:`with_approved`) and is
evaluated again, so its statements and payrolls use them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from compplan.core.atomic import csv_writer, write_atomically
from compplan.inputs.ingest import load_table
from compplan.ledger.store import quota_reviews
from compplan.quotas.history import load_history
from compplan.quotas.params import QuotaParams, load_params
from compplan.quotas.planner import QuotaPlan, plan
from compplan.quotas.territories import Territories, prepare
from compplan.web.audit import now
from compplan.web.config import QuotaReview
from compplan.web.scope import reports_of

Overrides = dict[str, tuple[float, str]]


@dataclass(frozen=True)
class Desk:
    params: QuotaParams
    territories: Territories
    history: pd.DataFrame | None
    company: QuotaPlan

    @classmethod
    def load(cls, review: QuotaReview) -> Desk:
        params = load_params(review.plan, {})
        terr = prepare(load_table(review.territories, "territories"), None)
        history = load_history(review.history, terr) if review.history else None
        return cls(params, terr, history, plan(terr, params, history))

    def mask(self, roster: pd.DataFrame, manager: str) -> np.ndarray:
        team = reports_of(roster, manager)
        return np.asarray(self.territories.frame["payee_id"].astype(str).isin(team).to_numpy(),
                          dtype=bool)

    def manager_plan(self, roster: pd.DataFrame, manager: str, overrides: Overrides
                     ) -> QuotaPlan | None:
        """The manager's territories re-planned with their overrides (None: they have
        none)."""
        mask = self.mask(roster, manager)
        if not mask.any():
            return None
        frame = self.territories.frame[mask].reset_index(drop=True)
        ids = frame["territory_id"].astype(str).to_numpy()
        fixed = np.array([overrides[t][0] if t in overrides else np.nan for t in ids])
        reasons = np.array([overrides[t][1] if t in overrides else "" for t in ids],
                           dtype=object)
        total = float(self.company.allocation.annual[mask].sum())
        params = self.params.model_copy(update={"target": total, "over_assignment": 0.0})
        return plan(Territories(frame, fixed, reasons), params, self.history)


def review_of(conn: sa.Connection, manager: str) -> tuple[str, Overrides]:
    """A manager's review: its state (draft when none yet) and overrides."""
    row = conn.execute(sa.select(quota_reviews).where(quota_reviews.c.manager_id == manager)
                       ).mappings().first()
    if row is None:
        return "draft", {}
    found = json.loads(str(row["overrides"]))
    return str(row["state"]), {k: (float(v[0]), str(v[1])) for k, v in found.items()}


def save_review(conn: sa.Connection, manager: str, state: str, overrides: Overrides,
                decided_by: str | None = None) -> None:
    text = json.dumps({k: [v[0], v[1]] for k, v in sorted(overrides.items())})
    exists = conn.execute(sa.select(quota_reviews.c.review_id).where(
        quota_reviews.c.manager_id == manager)).first()
    values = {"state": state, "overrides": text, "updated_at": now(), "decided_by": decided_by}
    if exists is None:
        conn.execute(quota_reviews.insert().values(manager_id=manager, **values))
    else:
        conn.execute(quota_reviews.update().where(quota_reviews.c.manager_id == manager)
                     .values(**values))


def write_approved(desk: Desk, roster: pd.DataFrame, approved: dict[str, Overrides],
                   out: Path) -> list[Path]:
    """quotas.csv and roster.csv for every approved manager's plan (see the module)."""
    plans = [p for m, o in sorted(approved.items())
             if (p := desk.manager_plan(roster, m, o)) is not None]
    quotas = pd.concat([p.quotas() for p in plans], ignore_index=True)
    # the roster's quota is the annual one before a hire's ramp: the engine prorates it
    annual = {str(t): float(a) for p in plans for t, a in zip(
        p.territories.frame["payee_id"], p.allocation.annual, strict=True)}
    new_roster = roster.drop(columns=[c for c in roster.columns if c.startswith("_")])
    if "quota" in new_roster:
        ids = new_roster["payee_id"].astype(str)
        new_roster = new_roster.assign(quota=np.where(ids.isin(annual), ids.map(annual),
                                                      new_roster["quota"]))
    approved_quotas = pd.DataFrame({"payee_id": list(annual), "quota": list(annual.values())})
    return write_atomically(out, {"quotas.csv": csv_writer(quotas, {"quota"}),
                                  "roster.csv": csv_writer(new_roster, {"quota"}),
                                  APPROVED: csv_writer(approved_quotas, {"quota"})})


APPROVED = "approved_quotas.csv"
"""payee_id, quota: the annual quotas finance approved, which the app's run uses."""


def with_approved(roster: pd.DataFrame, folder: Path) -> tuple[pd.DataFrame, int]:
    """The roster with the approved annual quotas in ``quota`` (the rest as given), and
    how many payees they changed: the configured roster stays the source of everyone's
    dates and plans, approvals only set quotas."""
    path = folder / APPROVED
    if not path.is_file() or "quota" not in roster:
        return roster, 0
    approved = pd.read_csv(path, dtype={"payee_id": str})
    quota = dict(zip(approved["payee_id"], approved["quota"].astype(float), strict=True))
    ids = roster["payee_id"].astype(str)
    hit = ids.isin(quota)
    return roster.assign(quota=np.where(hit, ids.map(quota), roster["quota"])), int(hit.sum())
