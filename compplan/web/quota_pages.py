"""The quota review pages: a manager overrides and submits, finance approves
(:mod:`compplan.web.quota_desk` does the planning and writing)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from compplan.errors import CompplanError
from compplan.ledger.store import locked, quota_reviews
from compplan.quotas.planner import QuotaPlan
from compplan.web.audit import record
from compplan.web.company import Company
from compplan.web.pages import Posted, page, role
from compplan.web.quota_desk import Desk, review_of, save_review, write_approved
from compplan.web.users import User

router = APIRouter()
Manager = Annotated[User, Depends(role("manager"))]
Reviewer = Annotated[User, Depends(role("manager", "finance", "admin"))]
Finance = Annotated[User, Depends(role("finance", "admin"))]


def _desk(request: Request) -> Desk:
    desk: Desk | None = getattr(request.app.state, "desk", None)
    if desk is None:
        raise HTTPException(404, "no quota review is configured ([quota_review] in "
                                 "compplan.toml)")
    return desk


def _rows(plan: QuotaPlan, company: QuotaPlan, mask: pd.Series) -> list[dict[str, object]]:
    """One row per territory: the company's proposal, the quota now, quarters, flags."""
    f = plan.territories.frame
    proposed = company.allocation.annual[mask.to_numpy()]
    quarters = plan.allocation.months.reshape(len(f), 4, 3).sum(axis=2)
    failed = plan.smart[~plan.smart["passed"].astype(bool)]
    flags = failed.groupby("territory_id")["check"].apply(lambda c: ", ".join(sorted(set(c))))
    return [{"territory_id": str(t), "payee_id": str(p), "potential": float(pot),
             "last_year": float(ly), "proposed": float(pr), "quota": float(q),
             "quarters": [float(x) for x in qs], "months": [float(x) for x in ms],
             "flags": str(flags.get(t, "")),
             "override": not math.isnan(ov), "reason": str(r)}
            for t, p, pot, ly, pr, q, qs, ms, ov, r in zip(
                f["territory_id"], f["payee_id"], f["potential"], f["last_year"], proposed,
                plan.allocation.annual, quarters, plan.allocation.months,
                plan.territories.fixed, plan.territories.reasons, strict=True)]


def _review_page(request: Request, user: User, manager: str) -> Response:
    desk = _desk(request)
    company: Company = request.app.state.company
    with request.app.state.engine.connect() as conn:
        state, overrides = review_of(conn, manager)
    planned = desk.manager_plan(company.roster, manager, overrides)
    if planned is None:
        raise HTTPException(404, "no territories below this manager")
    mask = pd.Series(desk.mask(company.roster, manager))
    return page(request, "quotas.html", user, manager=manager, name=company.name_of(manager),
                state=state, rows=_rows(planned, desk.company, mask),
                total=float(planned.allocation.annual.sum()),
                editable=user.role == "manager" and state == "draft",
                approvable=user.role in ("finance", "admin") and state == "submitted")


@router.get("/quotas")
def quotas(request: Request, user: Reviewer) -> Response:
    if user.role == "manager":
        assert user.payee_id is not None
        return _review_page(request, user, user.payee_id)
    _desk(request)
    with request.app.state.engine.connect() as conn:
        rows = conn.execute(sa.select(quota_reviews).order_by(quota_reviews.c.manager_id)
                            ).mappings().all()
    company: Company = request.app.state.company
    return page(request, "quota_reviews.html", user, rows=[
        {**r, "name": company.name_of(str(r["manager_id"]))} for r in rows])


@router.get("/quotas/{manager}")
def review(request: Request, user: Finance, manager: str) -> Response:
    return _review_page(request, user, manager)


@router.post("/quotas/override")
def override(request: Request, user: Manager, _: Posted,
             territory_id: Annotated[str, Form(max_length=200)],
             quota: Annotated[float, Form(ge=0, le=1e12)],
             reason: Annotated[str, Form(min_length=3, max_length=400)]) -> Response:
    desk = _desk(request)
    company: Company = request.app.state.company
    assert user.payee_id is not None
    mine = set(desk.territories.frame.loc[desk.mask(company.roster, user.payee_id),
                                          "territory_id"].astype(str))
    if territory_id not in mine:
        raise HTTPException(404, "no such territory in your team")
    with locked(request.app.state.engine) as conn:
        state, overrides = review_of(conn, user.payee_id)
        if state != "draft":
            raise HTTPException(409, f"your quotas are {state}: they no longer change")
        trial = {**overrides, territory_id: (quota, reason)}
        try:  # the others must absorb it within their bounds
            desk.manager_plan(company.roster, user.payee_id, trial)
        except CompplanError as exc:
            raise HTTPException(400, "; ".join(i.message for i in exc.issues)) from None
        save_review(conn, user.payee_id, "draft", trial)
        record(conn, user.email, "quota override", territory_id, f"{quota:,.2f}: {reason}")
    return RedirectResponse("/quotas", status_code=303)


@router.post("/quotas/submit")
def submit(request: Request, user: Manager, _: Posted) -> Response:
    _desk(request)
    assert user.payee_id is not None
    with locked(request.app.state.engine) as conn:
        state, overrides = review_of(conn, user.payee_id)
        if state != "draft":
            raise HTTPException(409, f"your quotas are already {state}")
        save_review(conn, user.payee_id, "submitted", overrides)
        record(conn, user.email, "quotas submitted", user.payee_id,
               f"{len(overrides)} override(s)")
    return RedirectResponse("/quotas", status_code=303)


@router.post("/quotas/{manager}/approve")
def approve(request: Request, user: Finance, _: Posted, manager: str) -> Response:
    desk = _desk(request)
    company: Company = request.app.state.company
    out = Path(request.app.state.config.out) / "quotas"
    with locked(request.app.state.engine) as conn:
        state, overrides = review_of(conn, manager)
        if state != "submitted":
            raise HTTPException(409, f"{manager}'s quotas are {state}, not submitted")
        approved = {str(r.manager_id): review_of(conn, str(r.manager_id))[1] for r in
                    conn.execute(sa.select(quota_reviews.c.manager_id).where(
                        quota_reviews.c.state == "approved"))}
        approved[manager] = overrides
        write_approved(desk, company.roster, approved, out)  # before the commit: both or none
        save_review(conn, manager, "approved", overrides, user.email)
        record(conn, user.email, "quotas approved", manager,
               f"{len(overrides)} override(s); written to {out / 'quotas.csv'}")
    company.reload()  # the app's run takes the approved quotas from now on
    return RedirectResponse(f"/quotas/{manager}", status_code=303)
