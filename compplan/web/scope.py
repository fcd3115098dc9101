"""Whose pay a user may see: a rep their own, a manager theirs and everyone below them
in the hierarchy (``manager_id``, followed down), finance, payroll and admin everyone.

Every page and download asks :func:`visible` on the server; a payee outside it is "not
found", exactly as a payee that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import pandas as pd

from compplan.web.users import User

EVERYONE = ("finance", "payroll", "admin")


def reports_of(roster: pd.DataFrame, manager: str) -> set[str]:
    """Everyone below ``manager`` in the hierarchy (a cycle in the roster stops)."""
    if "manager_id" not in roster:
        return set()
    edges = roster[["payee_id", "manager_id"]].astype(str)
    below: set[str] = set()
    frontier = {manager}
    while frontier:
        nxt = set(edges.loc[edges["manager_id"].isin(frontier), "payee_id"]) - below - {manager}
        below |= nxt
        frontier = nxt
    return below


def visible(user: User, roster: pd.DataFrame) -> set[str] | None:
    """The payees the user may see; None for everyone."""
    if user.role in EVERYONE:
        return None
    if user.payee_id is None:
        return set()
    if user.role == "manager":
        return {user.payee_id} | reports_of(roster, user.payee_id)
    return {user.payee_id}


def can_see(user: User, roster: pd.DataFrame, payee_id: str) -> bool:
    seen = visible(user, roster)
    return seen is None or payee_id in seen
