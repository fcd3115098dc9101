"""Starting the app: ``compplan serve``, ``compplan users add`` and ``compplan demo
--serve`` (the demo company with a compplan.toml and one user of each role)."""

from __future__ import annotations

from pathlib import Path

from compplan.commands.samples import sample_path
from compplan.errors import InputError, Issue
from compplan.ledger.store import open_ledger, reported
from compplan.web.config import WebConfig, load_config
from compplan.web.users import add_user

DEMO_USERS = (("rep@demo.example", "rep", "AE01"), ("manager@demo.example", "manager", "MGR02"),
              ("finance@demo.example", "finance", None), ("payroll@demo.example", "payroll", None),
              ("admin@demo.example", "admin", None))


def demo_config(folder: Path, year: int, plans: Path, fx: bool = True,
                quota_review: bool = True) -> Path:
    """Write compplan.toml for the demo's inputs in ``folder`` (``fx``: with its FX
    table; ``quota_review``: with its territories)."""
    review = f"""
[quota_review]
plan = "{(plans / 'quotas-2026.yaml').resolve().as_posix()}"
territories = "input/territories.csv"
history = "input/deals.csv"
""" if quota_review else ""
    path = folder / "compplan.toml"
    path.write_text(f"""# the demo company, for compplan serve
year = {year}
ledger = "ledger.db"
out = "web-out"
scenarios = "{sample_path('scenarios').resolve().as_posix()}"

[inputs]
plans = "{plans.resolve().as_posix()}"
roster = "input/roster.csv"
deals = "input/deals.csv"
quotas = "input/quotas.csv"
accounts = "input/accounts.csv"
""" + ('fx = "input/fx.csv"\n' if fx else "") + review, encoding="utf-8")
    return path


def add_demo_users(config: WebConfig) -> list[tuple[str, str, str]]:
    """One user of each role; their e-mail, role and one-time password. The demo starts
    over: its folder's ledger (made by an earlier demo) is replaced by a new one."""
    if "://" not in config.ledger:
        Path(config.ledger).unlink(missing_ok=True)
    engine = open_ledger(config.ledger)
    return [(email, role, add_user(engine, email, role, payee, actor="compplan demo"))
            for email, role, payee in DEMO_USERS]


def users_add(config_path: Path, email: str, role: str, payee: str | None) -> str:
    """``compplan users add``: the payee must be on the roster; returns the password."""
    config = load_config(config_path)
    if payee is not None:
        from compplan.inputs.ingest import load_table  # noqa: PLC0415

        roster = load_table(config.roster, "roster").frame
        if payee not in set(roster["payee_id"].astype(str)):
            raise InputError([Issue("--payee", f"{payee!r} is not in {config.roster}")])
    with reported(config.ledger):
        return add_user(open_ledger(config.ledger), email, role, payee)


def serve(config: WebConfig, host: str, port: int) -> None:
    """Evaluate the run, then serve the app until stopped."""
    import uvicorn  # noqa: PLC0415

    from compplan.web.app import create_app  # noqa: PLC0415

    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
