"""Finance's what-if: a scenario of the configured folder (or all of them) against the
run, side by side, and, with draws, the Monte Carlo distribution of variable pay drawn
as an inline SVG (no script, no CDN: the app works offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from compplan.errors import CompplanError
from compplan.ledger.store import locked
from compplan.scenarios.run import compare, with_monte_carlo
from compplan.web.audit import record
from compplan.web.company import Company
from compplan.web.pages import Posted, page, role
from compplan.web.users import User

router = APIRouter()
Finance = Annotated[User, Depends(role("finance", "admin"))]
BINS = 24


def _folder(request: Request) -> Path:
    folder: Path | None = request.app.state.config.scenarios
    if folder is None or not folder.is_dir():
        raise HTTPException(404, "no scenarios folder is configured (scenarios = ... in "
                                 "compplan.toml)")
    return folder


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.yaml"))


def histogram(draws: dict[str, np.ndarray]) -> dict[str, object]:
    """Counts per band of one shared range, for every scenario (what the SVG draws)."""
    values = np.concatenate(list(draws.values()))
    lo, hi = float(values.min()), float(values.max())
    edges = np.linspace(lo, hi + max(1e-9, (hi - lo) * 1e-9), BINS + 1)
    counts = {name: np.histogram(d, bins=edges)[0].tolist() for name, d in draws.items()}
    top = max(max(c) for c in counts.values()) or 1
    return {"edges": [float(e) for e in edges], "counts": counts, "top": int(top)}


@router.get("/scenarios")
def scenarios(request: Request, user: Finance) -> Response:
    return page(request, "scenarios.html", user, files=_files(_folder(request)), table=None)


@router.post("/scenarios/run")
def run(request: Request, user: Finance, _: Posted,
        scenario: Annotated[str, Form(max_length=200)],
        draws: Annotated[int, Form(ge=0, le=5000)] = 0) -> Response:
    folder = _folder(request)
    files = _files(folder)
    if scenario != "all" and scenario not in files:  # a name from the list: never a path
        raise HTTPException(404, "no such scenario")
    company: Company = request.app.state.company
    result = company.result
    try:
        comparison = compare(result.plans, result.inputs, result.year,
                             folder if scenario == "all" else folder / scenario)
        if draws:
            comparison = with_monte_carlo(comparison, draws, 1, "lognormal")
    except CompplanError as exc:
        raise HTTPException(400, "; ".join(i.render() for i in exc.issues)) from None
    with locked(request.app.state.engine) as conn:
        record(conn, user.email, "scenario run", scenario, f"{draws} draws")
    table = comparison.metrics
    return page(request, "scenarios.html", user, files=files, chosen=scenario, draws=draws,
                table=table.to_dict("records"),
                hist=histogram(comparison.draws) if comparison.draws else None)
