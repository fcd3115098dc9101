"""Payroll's pages: the months and their state, a payroll of a month the ledger lets
run, its files, and the close, confirmed by typing the month's total (a closed month cannot be
run again: the ledger refuses it, and the page no longer offers it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from compplan.errors import CompplanError, InputError
from compplan.ledger.payroll import check_order
from compplan.ledger.run import close_period, payroll
from compplan.ledger.store import lines, locked, periods
from compplan.web.audit import record
from compplan.web.company import Company
from compplan.web.pages import Posted, money, page, role
from compplan.web.users import User

router = APIRouter()
Payroll = Annotated[User, Depends(role("payroll", "admin"))]
Viewer = Annotated[User, Depends(role("payroll", "finance", "admin"))]


def _months(request: Request) -> list[dict[str, object]]:
    """Each month of the year: its state and, once run, its total per currency."""
    company: Company = request.app.state.company
    engine: sa.Engine = request.app.state.engine
    with engine.connect() as conn:
        states = {r.period: r.state for r in conn.execute(sa.select(periods))}
        sums = conn.execute(
            sa.select(lines.c.pay_period, lines.c.currency, sa.func.sum(lines.c.cents))
            .join(periods, periods.c.run_id == lines.c.run_id)
            .group_by(lines.c.pay_period, lines.c.currency)).all()
    totals: dict[str, list[tuple[str, int]]] = {}
    for period, code, cents in sums:
        totals.setdefault(str(period), []).append((str(code or ""), int(cents)))
    out = []
    for month in company.months():
        state = states.get(month, "not run")
        out.append({"period": month, "state": state,
                    "totals": sorted(totals.get(month, [])),
                    "files": _files(request, month)})
    return out


def can_run(months: list[dict[str, object]]) -> set[str]:
    """The months payroll may run now: the ledger's own rule (months in order, a closed
    one never again; a new ledger may start in any month)."""
    states = {str(m["period"]): str(m["state"]) for m in months if m["state"] != "not run"}
    allowed = set()
    for m in months:
        try:
            check_order(str(m["period"]), states)
        except InputError:
            continue
        allowed.add(str(m["period"]))
    return allowed


def _folder(request: Request, period: str) -> Path:
    return Path(request.app.state.config.out) / "payroll" / period


def _files(request: Request, period: str) -> list[str]:
    folder = _folder(request, period)
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def confirmation(totals: list[tuple[str, int]]) -> str:
    """What the closer types: the month's totals, e.g. ``123,456.78 USD``."""
    return "; ".join(f"{money(cents, code)} {code}" for code, cents in totals) or "0"


@router.get("/payroll")
def payroll_page(request: Request, user: Viewer) -> Response:
    months = _months(request)
    return page(request, "payroll.html", user, months=months, runnable=can_run(months),
                confirm={str(m["period"]): confirmation(m["totals"])  # type: ignore[arg-type]
                         for m in months}, can_pay=user.role in ("payroll", "admin"))


@router.post("/payroll/run")
def run_payroll(request: Request, user: Payroll, _: Posted,
                period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")]) -> Response:
    months = _months(request)
    if period not in can_run(months):
        raise HTTPException(409, f"{period} cannot be run now: months are paid in order, "
                                 "and a closed month never changes")
    company: Company = request.app.state.company
    config = request.app.state.config
    try:
        payroll(company.result, config.ledger, period, dict(config.inputs),
                _folder(request, period))
    except CompplanError as exc:
        raise HTTPException(409, "; ".join(i.message for i in exc.issues)) from None
    with locked(request.app.state.engine) as conn:
        record(conn, user.email, "payroll run", period)
    return RedirectResponse("/payroll", status_code=303)


@router.post("/payroll/close")
def close_month(request: Request, user: Payroll, _: Posted,
                period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
                confirm: Annotated[str, Form(max_length=400)]) -> Response:
    month = next((m for m in _months(request) if m["period"] == period), None)
    if month is None or month["state"] != "open":
        raise HTTPException(409, f"{period} has no open payroll to close")
    expected = confirmation(month["totals"])  # type: ignore[arg-type]
    if confirm.strip() != expected:
        raise HTTPException(400, f"type the month's total exactly ({expected}) to close it")
    try:
        close_period(request.app.state.config.ledger, period)
    except CompplanError as exc:
        raise HTTPException(409, "; ".join(i.message for i in exc.issues)) from None
    with locked(request.app.state.engine) as conn:
        record(conn, user.email, "month closed", period, expected)
    return RedirectResponse("/payroll", status_code=303)


@router.get("/payroll/{period}/{name}")
def payroll_file(request: Request, user: Viewer, period: str, name: str) -> Response:
    if name not in _files(request, period):  # only the files the run wrote: no paths
        raise HTTPException(404, "no such file")
    return FileResponse(_folder(request, period) / name, filename=name)
