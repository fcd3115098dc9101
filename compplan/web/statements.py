"""A payee's statement in the browser: pay by component and month, attainment against
quota, the plan in words, each line opened to how it was computed and the deals
credited; the statement workbook; inquiries on a line and their answers; the team."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from compplan.excel.statements import statement_name, write_statement
from compplan.ledger.store import inquiries, locked
from compplan.outputs.stamp import run_info
from compplan.reports.describe import describe
from compplan.reports.explain import explain_components
from compplan.web.audit import now, record
from compplan.web.company import Company
from compplan.web.pages import Posted, current_user, page, role
from compplan.web.scope import can_see, visible
from compplan.web.users import User

router = APIRouter()
PAGE = 100
CurrentUser = Annotated[User, Depends(current_user)]
ANSWERERS = ("manager", "finance", "admin")
TEAM_VIEWERS = ("manager", "finance", "payroll", "admin")
Answerer = Annotated[User, Depends(role(*ANSWERERS))]


def _company(request: Request) -> Company:
    company: Company = request.app.state.company
    return company


def _seen(request: Request, user: User, payee_id: str) -> Company:
    """The company, if the user may see the payee; else the same 404 as no such payee."""
    company = _company(request)
    known = payee_id in set(company.result.seats["payee_id"].astype(str))
    if not known or not can_see(user, company.roster, payee_id):
        raise HTTPException(404, "no such payee")
    return company


@router.get("/me")
def me(user: CurrentUser) -> Response:
    if user.payee_id is None:
        raise HTTPException(404, "your user has no payee")
    return RedirectResponse(f"/payees/{user.payee_id}", status_code=303)


def _grid(lines: pd.DataFrame, months: list[str]) -> tuple[list[dict[str, object]], str]:
    """Rows of (plan, component, cents by month, total), and the payee's currency."""
    code = str(lines["currency"].iloc[0]) if len(lines) else "USD"
    wide = lines.pivot_table(index=["plan", "component"], columns="period", values="cents",
                             aggfunc="sum", fill_value=0).reindex(columns=months, fill_value=0)
    rows = [{"plan": plan, "component": comp, "months": [int(v) for v in values],
             "total": int(values.sum())}
            for (plan, comp), values in zip(wide.index, wide.to_numpy(), strict=True)]
    return rows, code


def _window(period: str, month: int) -> tuple[int, int]:
    """The months whose credits a line of ``month`` is paid on: the month, its quarter,
    or the year to date."""
    if period == "quarter":
        return month - month % 3, month
    if period in ("year", "ytd"):
        return 0, month
    return month, month


def _measures_of(comp: object) -> set[str]:
    """The measures a component reads: its own, its condition's or gate's, its goals'."""
    found = {str(m) for m in [getattr(comp, "measure", None)] if m}
    for cond in (getattr(comp, "condition", None), getattr(comp, "gate", None)):
        if cond is not None:
            found |= set(cond.weight_map())
    found |= {str(g.measure) for g in getattr(comp, "goals", None) or []}
    return found


@router.get("/payees/{payee_id}")
def statement(request: Request, payee_id: str, user: CurrentUser,
              period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None
              ) -> Response:
    company = _seen(request, user, payee_id)
    result = company.result
    months = company.months()
    lines = result.lines[result.lines["payee_id"].astype(str) == payee_id]
    paid = sorted(lines["period"].astype(str).unique())
    period = period if period in months else (paid[-1] if paid else months[0])
    rows, code = _grid(lines, months)
    month_lines = lines[lines["period"].astype(str) == period]
    notes = {(p, c): text for p, c, text in explain_components(result, payee_id, period,
                                                                private=True)}
    credits = company.credits_of(payee_id)
    month = months.index(period)
    detail = []
    sums = month_lines.groupby(["plan", "component"], sort=False)["cents"].sum()
    for (plan_id, comp), cents in zip(sums.index, sums.to_numpy(), strict=True):
        plan = result.plans[str(plan_id)]
        component = next(c for c in plan.components if c.id == comp)
        first, last = _window(str(getattr(component, "period", "month")), month)
        at = credits["month"].to_numpy()
        deals = credits[(credits["plan"].astype(str) == plan_id).to_numpy()
                        & credits["measure"].isin(_measures_of(component)).to_numpy()
                        & (at >= first) & (at <= last)]
        detail.append({"plan": plan_id, "component": comp, "cents": int(cents),
                       "how": notes.get((str(plan_id), str(comp)), []),
                       "window": months[first] if first == last else f"{months[first]} to "
                                                                     f"{months[last]}",
                       "deals": [{"date": str(d.date()), "deal_id": str(i), "measure": str(m),
                                  "kind": str(k), "value": float(v)} for d, i, m, k, v in zip(
                           deals["credit_date"], deals["deal_id"], deals["measure"],
                           deals["credit_kind"], deals["credit_value"], strict=True)]})
    att = company.attainment
    att = att[(att["payee_id"].astype(str) == payee_id).to_numpy()
              & (att["period_kind"] == "year").to_numpy()]
    plans = sorted(set(lines["plan"].astype(str)) | set(
        result.seats.loc[result.seats["payee_id"].astype(str) == payee_id, "plan"].astype(str)))
    words = [(p, [(c.id, describe(c)) for c in result.plans[p].components]) for p in plans]
    with request.app.state.engine.connect() as conn:
        asked = conn.execute(sa.select(inquiries).where(inquiries.c.payee_id == payee_id)
                             .order_by(inquiries.c.inquiry_id.desc())).mappings().all()
    return page(request, "statement.html", user, payee_id=payee_id,
                name=company.name_of(payee_id), months=months, period=period, rows=rows,
                code=code, total=int(lines["cents"].sum()), detail=detail,
                attainment=att.to_dict("records"), words=words, asked=asked,
                can_ask=user.payee_id == payee_id)


@router.get("/payees/{payee_id}/statement.xlsx")
def statement_file(request: Request, payee_id: str, user: CurrentUser) -> Response:
    company = _seen(request, user, payee_id)
    result = company.result
    folder = Path(tempfile.mkdtemp(prefix="compplan-statement-"))
    path = folder / statement_name(payee_id)
    write_statement(result, payee_id, path, company.attainment,
                    run_info(result).stamp(result.year))

    def clean() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, filename=path.name, background=BackgroundTask(clean),
                        media_type="application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet")


@router.post("/payees/{payee_id}/inquiries")
def ask(request: Request, payee_id: str, user: CurrentUser, _: Posted,
        period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
        component: Annotated[str, Form(max_length=200)],
        question: Annotated[str, Form(min_length=1, max_length=4000)]) -> Response:
    _seen(request, user, payee_id)
    if user.payee_id != payee_id:
        raise HTTPException(403, "only the payee asks about their own pay")
    with locked(request.app.state.engine) as conn:
        conn.execute(inquiries.insert().values(
            payee_id=payee_id, period=period, component=component, question=question,
            asked_by=user.email, asked_at=now()))
        record(conn, user.email, "inquiry raised", payee_id, f"{period} {component}")
    return RedirectResponse(f"/payees/{payee_id}?period={period}#inquiries", status_code=303)


@router.get("/inquiries")
def inquiry_list(request: Request, user: CurrentUser) -> Response:
    company = _company(request)
    seen = visible(user, company.roster)
    query = sa.select(inquiries).order_by(inquiries.c.answered_at.is_not(None),
                                          inquiries.c.inquiry_id.desc())
    if seen is not None:
        query = query.where(inquiries.c.payee_id.in_(sorted(seen)))
    with request.app.state.engine.connect() as conn:
        rows = conn.execute(query.limit(500)).mappings().all()
    return page(request, "inquiries.html", user, rows=rows,
                can_answer=user.role in ANSWERERS)


@router.post("/inquiries/{inquiry_id}/answer")
def answer(request: Request, inquiry_id: int, user: Answerer, _: Posted,
           text: Annotated[str, Form(min_length=1, max_length=4000)]) -> Response:
    company = _company(request)
    with locked(request.app.state.engine) as conn:
        row = conn.execute(sa.select(inquiries).where(inquiries.c.inquiry_id == inquiry_id)
                           ).mappings().first()
        if row is None or not can_see(user, company.roster, str(row["payee_id"])) or (
                user.role == "manager" and row["payee_id"] == user.payee_id):
            raise HTTPException(404, "no such inquiry")
        conn.execute(inquiries.update().where(inquiries.c.inquiry_id == inquiry_id).values(
            answer=text, answered_by=user.email, answered_at=now()))
        record(conn, user.email, "inquiry answered", str(row["payee_id"]),
               f"inquiry {inquiry_id}")
    return RedirectResponse("/inquiries", status_code=303)


@router.get("/team")
def team(request: Request, user: Annotated[User, Depends(role(*TEAM_VIEWERS))],
         offset: Annotated[int, Query(ge=0)] = 0,
         q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The payees a user may see but themselves: attainment and pay of the year."""
    company = _company(request)
    result = company.result
    seen = visible(user, company.roster)
    seats = result.seats[["payee_id", "plan"]].astype(str).drop_duplicates()
    if seen is not None:
        seats = seats[seats["payee_id"].isin(seen - {user.payee_id})]
    if q:
        names = company.roster.set_index(company.roster["payee_id"].astype(str))
        named = names["name"].astype(str) if "name" in names else names.index.to_series()
        hit = named.str.contains(q, case=False, regex=False) | named.index.str.contains(
            q, case=False, regex=False)
        seats = seats[seats["payee_id"].isin(set(named.index[hit.to_numpy()]))]
    seats = seats.sort_values(["payee_id", "plan"], kind="stable")
    shown = seats.iloc[offset: offset + PAGE]
    pay = result.lines[result.lines["payee_id"].astype(str).isin(set(shown["payee_id"]))]
    by: dict[tuple[str, str], list[tuple[str, int]]] = {}
    sums = pay.groupby(["payee_id", "plan", "currency"], observed=True)["cents"].sum()
    for (p, plan, code), cents in zip(sums.index, sums.to_numpy(), strict=True):
        by.setdefault((str(p), str(plan)), []).append((str(code), int(cents)))
    att = company.attainment
    att = att[(att["period_kind"] == "year").to_numpy()
              & att["payee_id"].astype(str).isin(set(shown["payee_id"])).to_numpy()]
    first = att.drop_duplicates(["payee_id", "plan"])
    year = dict(zip(zip(first["payee_id"].astype(str), first["plan"].astype(str), strict=True),
                    first["attainment"], strict=True))
    rows = []
    for p, plan in zip(shown["payee_id"], shown["plan"], strict=True):
        a = year.get((p, plan), np.nan)
        rows.append({"payee_id": p, "name": company.name_of(p), "plan": plan,
                     "attainment": None if pd.isna(a) else float(a),
                     "pay": by.get((p, plan), [])})
    return page(request, "team.html", user, rows=rows, offset=offset, total=len(seats),
                size=PAGE, q=q)
