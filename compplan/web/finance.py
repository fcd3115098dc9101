"""Finance's pages: every plan's summary of the run, and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from compplan.reports.summary import summarize
from compplan.web.audit import entries
from compplan.web.company import Company
from compplan.web.pages import page, role
from compplan.web.users import User

router = APIRouter()
Finance = Annotated[User, Depends(role("finance", "admin"))]


@router.get("/finance")
def finance(request: Request, user: Finance) -> Response:
    company: Company = request.app.state.company
    table = summarize(company.result)
    return page(request, "finance.html", user, rows=table.to_dict("records"),
                payees=int(company.result.seats["payee_id"].nunique()),
                approved=company.approved)


@router.get("/audit")
def audit_log(request: Request, user: Finance,
              offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    rows = entries(request.app.state.engine, offset, 100)
    return page(request, "audit.html", user, rows=rows.to_dict("records"), offset=offset)
