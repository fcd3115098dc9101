"""``compplan serve``: every page and action through FastAPI's test client, as each
role; the scope test walks every payee route as every role against every payee."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from compplan.commands.demo import default_plans
from compplan.inputs.sample import make_company, write_company
from compplan.ledger.store import open_ledger
from compplan.web.app import create_app
from compplan.web.company import Company
from compplan.web.config import WebConfig, load_config
from compplan.web.serve import DEMO_USERS, demo_config
from compplan.web.users import add_user

PASSWORD = "correct horse battery"


def demo_site(folder: Path) -> WebConfig:
    """The demo company in ``folder``, its compplan.toml, one user of each role (and a
    second rep, AE02) with ``PASSWORD``."""
    write_company(make_company(7, 2026, currencies=True), str(folder / "input"))
    config = load_config(demo_config(folder, 2026, default_plans()))
    engine = open_ledger(config.ledger)
    for email, role, payee in [*DEMO_USERS, ("rep2@demo.example", "rep", "AE02")]:
        add_user(engine, email, role, payee, PASSWORD)
    return config


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Company]:
    config = demo_site(tmp_path_factory.mktemp("web"))
    return config, Company.load(config)


def client(setup: tuple[object, Company]) -> TestClient:
    config, company = setup
    return TestClient(create_app(config, company), follow_redirects=False)  # type: ignore[arg-type]


def csrf(c: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert found is not None
    return found.group(1)


def logged_in(setup: tuple[object, Company], email: str) -> TestClient:
    c = client(setup)
    res = c.post("/login", data={"email": email, "password": PASSWORD, "csrf": csrf(c)})
    assert res.status_code == 303, res.text
    return c


def test_login_needs_the_form_token_and_the_password(setup: tuple[object, Company]) -> None:
    c = client(setup)
    assert c.get("/me").status_code == 303  # to the login page
    assert c.post("/login", data={"email": "rep@demo.example", "password": PASSWORD}
                  ).status_code == 403  # no CSRF token
    res = c.post("/login", data={"email": "rep@demo.example", "password": "wrong",
                                 "csrf": csrf(c)})
    assert res.status_code == 401 and "Wrong e-mail or password" in res.text
    res = c.post("/login", data={"email": "rep@demo.example", "password": PASSWORD,
                                 "csrf": csrf(c)})
    assert res.status_code == 303 and res.headers["location"] == "/me"
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_logins_are_rate_limited(setup: tuple[object, Company]) -> None:
    config, _ = setup
    add_user(open_ledger(config.ledger), "victim@demo.example", "finance", None,  # type: ignore[attr-defined]
             PASSWORD)
    c = client(setup)
    for _ in range(5):
        assert c.post("/login", data={"email": "victim@demo.example", "password": "guess",
                                      "csrf": csrf(c)}).status_code == 401
    res = c.post("/login", data={"email": "victim@demo.example", "password": PASSWORD,
                                 "csrf": csrf(c)})
    assert res.status_code == 429  # even the right password, for 15 minutes


def test_a_rep_reads_a_month_opens_a_line_and_asks(setup: tuple[object, Company]) -> None:
    c = logged_in(setup, "rep@demo.example")
    assert c.get("/me").headers["location"] == "/payees/AE01"
    page = c.get("/payees/AE01?period=2026-03")
    assert page.status_code == 200 and "Cleo Rossi" in page.text
    assert "How it was computed" in page.text and "Deals credited, 2026-" in page.text
    token = csrf(c, "/payees/AE01")
    res = c.post("/payees/AE01/inquiries", data={
        "period": "2026-03", "component": "commission", "question": "Why not more?",
        "csrf": token})
    assert res.status_code == 303
    assert "Why not more?" in c.get("/payees/AE01").text
    book = c.get("/payees/AE01/statement.xlsx")
    assert book.status_code == 200 and book.content[:2] == b"PK"


def test_a_manager_answers_their_reports_inquiry(setup: tuple[object, Company]) -> None:
    rep = logged_in(setup, "rep2@demo.example")  # AE02 reports to MGR02
    rep.post("/payees/AE02/inquiries", data={"period": "2026-04", "component": "commission",
                                             "question": "Is April right?",
                                             "csrf": csrf(rep, "/payees/AE02")})
    mgr = logged_in(setup, "manager@demo.example")
    listing = mgr.get("/inquiries").text
    assert "Is April right?" in listing and "Why not more?" not in listing  # AE01 is MGR01's
    found = re.search(r'action="/inquiries/(\d+)/answer"', listing)
    assert found is not None
    mgr.post(f"/inquiries/{found.group(1)}/answer", data={"text": "Yes, see the tiers.",
                                                          "csrf": csrf(mgr, "/inquiries")})
    assert "Yes, see the tiers." in rep.get("/payees/AE02").text


def test_payroll_runs_february_closes_it_and_cannot_run_it_again(
        setup: tuple[object, Company]) -> None:
    c = logged_in(setup, "payroll@demo.example")
    assert c.post("/payroll/run", data={"period": "2026-02", "csrf": csrf(c, "/payroll")}
                  ).status_code == 303
    page = c.get("/payroll").text
    total = re.search(r'placeholder="([^"]+)"', page)
    assert total is not None and "payroll.csv" in page
    wrong = c.post("/payroll/close", data={"period": "2026-02", "confirm": "1",
                                           "csrf": csrf(c, "/payroll")})
    assert wrong.status_code == 400
    assert c.post("/payroll/close", data={"period": "2026-02", "confirm": total.group(1),
                                          "csrf": csrf(c, "/payroll")}).status_code == 303
    page = c.get("/payroll").text
    row = re.search(r'<tr id="month-2026-02">.*?</tr>', page, re.S)
    assert row is not None and "closed" in row.group(0) and "Run" not in row.group(0)
    again = c.post("/payroll/run", data={"period": "2026-02", "csrf": csrf(c, "/payroll")})
    assert again.status_code == 409
    fin = logged_in(setup, "finance@demo.example")
    log = fin.get("/audit").text
    assert "month closed" in log and "payroll run" in log and "payroll@demo.example" in log


def test_the_audit_log_is_append_only(setup: tuple[object, Company]) -> None:
    config, _ = setup
    engine = open_ledger(config.ledger)  # type: ignore[attr-defined]
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit"))
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET actor = 'someone else'"))


def _ids(company: Company) -> dict[str, str]:
    roster = company.roster
    return dict(zip(roster["payee_id"].astype(str), roster["name"].astype(str), strict=True))


PAGES = ["/me", "/team", "/inquiries", "/finance", "/audit", "/payroll", "/quotas",
         "/scenarios"]


@pytest.mark.parametrize("email", [e for e, _, _ in DEMO_USERS] + ["rep2@demo.example"])
def test_no_user_sees_a_payee_outside_their_scope(setup: tuple[object, Company],
                                                  email: str) -> None:
    """Every payee route with every payee id: 404 outside the user's scope; and no page
    the user can open shows a payee id or name outside it."""
    _, company = setup
    c = logged_in(setup, email)
    user = next((u for u in DEMO_USERS if u[0] == email), (email, "rep", "AE02"))
    role, own = user[1], user[2]
    from compplan.web.scope import reports_of

    everyone = _ids(company)
    allowed = (set(everyone) if role in ("finance", "payroll", "admin")
               else {own} | (reports_of(company.roster, own) if role == "manager" else set()))
    token = csrf(c, "/inquiries")
    for payee in everyone:
        for path in (f"/payees/{payee}", f"/payees/{payee}?period=2026-03",
                     f"/payees/{payee}/statement.xlsx"):
            code = c.get(path).status_code
            assert (code == 200) == (payee in allowed), (path, code)
        if payee not in allowed:
            res = c.post(f"/payees/{payee}/inquiries", data={
                "period": "2026-03", "component": "commission", "question": "x",
                "csrf": token})
            assert res.status_code == 404, payee
    foreign = {p: n for p, n in everyone.items() if p not in allowed}
    bodies = [c.get(p).text for p in PAGES] + [c.get(f"/payees/{p}").text for p in allowed]
    for body in bodies:
        for payee, name in foreign.items():
            assert not re.search(rf"\b{re.escape(payee)}\b", body), (email, payee)
            assert name not in body, (email, name)


def test_a_manager_overrides_a_quota_submits_and_finance_approves(
        setup: tuple[object, Company]) -> None:
    config, _ = setup
    mgr = logged_in(setup, "manager@demo.example")
    page = mgr.get("/quotas").text
    first = re.search(r'<tr id="territory-(TER-[^"]+)">', page)
    total = re.search(r"The team's total stays ([\d,]+)", page)
    assert first is not None and total is not None
    territory = first.group(1)
    outside = logged_in(setup, "rep@demo.example")
    assert outside.get("/quotas").status_code == 403
    # AE01 is not below MGR02: their territory is not the manager's to change
    res = mgr.post("/quotas/override", data={"territory_id": "TER-AE01", "quota": "900000",
                                             "reason": "not mine", "csrf": csrf(mgr, "/quotas")})
    assert res.status_code == 404
    res = mgr.post("/quotas/override", data={"territory_id": territory, "quota": "850000",
                                             "reason": "new key account signed",
                                             "csrf": csrf(mgr, "/quotas")})
    assert res.status_code == 303, res.text
    page = mgr.get("/quotas").text
    row = re.search(rf'<tr id="territory-{territory}">.*?</tr>', page, re.S)
    assert row is not None and "850,000" in row.group(0) and "new key account" in row.group(0)
    assert f"The team's total stays {total.group(1)}" in page  # the others absorbed it
    assert mgr.post("/quotas/submit", data={"csrf": csrf(mgr, "/quotas")}).status_code == 303
    again = mgr.post("/quotas/override", data={"territory_id": territory, "quota": "800000",
                                               "reason": "second thoughts",
                                               "csrf": csrf(mgr, "/quotas")})
    assert again.status_code == 409  # submitted: locked
    fin = logged_in(setup, "finance@demo.example")
    assert "submitted" in fin.get("/quotas").text
    assert fin.post("/quotas/MGR02/approve", data={"csrf": csrf(fin, "/quotas/MGR02")}
                    ).status_code == 303
    out = Path(config.out) / "quotas"  # type: ignore[attr-defined]
    quotas = (out / "quotas.csv").read_text()
    assert f"{territory},{territory[4:]},bookings,2026,850000.00" in quotas
    assert (out / "roster.csv").is_file()
    assert "Approved quotas are in this run" in fin.get("/finance").text
    page = fin.get(f"/payees/{territory[4:]}").text  # the run now uses the approved quota
    assert re.search(r"<td>bookings</td><td class=\"num\">850,000.00</td>", page)
    log = fin.get("/audit").text
    assert "quota override" in log and "quotas approved" in log


def test_finance_runs_a_scenario_with_draws(setup: tuple[object, Company]) -> None:
    fin = logged_in(setup, "finance@demo.example")
    assert "spiff-1000.yaml" in fin.get("/scenarios").text
    res = fin.post("/scenarios/run", data={"scenario": "spiff-1000.yaml", "draws": "40",
                                           "csrf": csrf(fin, "/scenarios")})
    assert res.status_code == 200, res.text
    table = re.search(r'<table id="side-by-side">.*?</table>', res.text, re.S)
    assert table is not None and "baseline" in table.group(0)
    assert "spiff-1000" in table.group(0) and '<svg id="distribution"' in res.text
    bad = fin.post("/scenarios/run", data={"scenario": "../plans/ae-2026.yaml", "draws": "0",
                                           "csrf": csrf(fin, "/scenarios")})
    assert bad.status_code == 404  # a name from the folder's list only
    rep = logged_in(setup, "rep@demo.example")
    assert rep.get("/scenarios").status_code == 403


def test_a_one_time_password_must_be_changed_first(setup: tuple[object, Company]) -> None:
    config, _ = setup
    once = add_user(open_ledger(config.ledger), "new@demo.example", "rep", "AE03")  # type: ignore[attr-defined]
    c = client(setup)
    res = c.post("/login", data={"email": "new@demo.example", "password": once,
                                 "csrf": csrf(c)})
    assert res.headers["location"] == "/password"
    assert c.get("/payees/AE03").headers["location"] == "/password"  # nothing else first
    token = csrf(c, "/password")
    short = c.post("/password", data={"new": "short", "again": "short", "csrf": token})
    assert short.status_code == 400 and "12 characters" in short.text
    done = c.post("/password", data={"new": "a much longer one", "again": "a much longer one",
                                     "csrf": token})
    assert done.status_code == 303 and c.get("/payees/AE03").status_code == 200
    c2 = client(setup)
    assert c2.post("/login", data={"email": "new@demo.example", "password": once,
                                   "csrf": csrf(c2)}).status_code == 401  # once only
