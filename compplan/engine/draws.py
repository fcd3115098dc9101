"""Draws against commission: settle each draw period against what was earned.

Per period, with ``e`` earned and ``d`` the draw (both in cents)::

    e <  d: pay d - e on top (the top-up); a recoverable draw adds it to the balance
    e >= d: a recoverable draw recovers r = min(balance, e - d, cap), paid as -r

so the payee gets ``max(e, d) - r``. Recovery only ever comes out of earnings above the
draw, which is what separates a draw from an advance (:class:`compplan.schema.Advance`).
A balance is forgiven where ``forgive`` says (the seat's last period when it leaves,
the year's last period), else it stays owed: the payroll ledger carries it into the
next year as the next year's ``opening`` balance.

The loop runs over the 12 (or 4) periods of a year, every seat at once, because each
period's balance depends on the one before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compplan.core.money import Cents

Mask = np.ndarray


@dataclass(frozen=True)
class Settlement:
    """Per seat and draw period, in cents: what the draw line pays and why."""

    topup: Cents
    recovered: Cents
    balance: Cents  # owed at the end of the period, after any forgiveness
    forgiven: Cents

    @property
    def line(self) -> Cents:
        """The draw component's pay: top-ups less recoveries."""
        out: Cents = self.topup - self.recovered
        return out


def settle(earned: Cents, draw: Cents, *, recoverable: bool, cap: int | None,
           may_recover: Mask, forgive: Mask, opening: Cents) -> Settlement:
    """Settle every period of every seat; ``may_recover`` and ``forgive`` are masks of
    the periods where recovery may happen and where a balance is written off.

    >>> e = np.array([[0, 500, 4000, 4000]]); d = np.full((1, 4), 2000)
    >>> s = settle(e, d, recoverable=True, cap=1500, may_recover=np.ones((1, 4), bool),
    ...            forgive=np.zeros((1, 4), bool), opening=np.zeros(1, np.int64))
    >>> s.line.tolist(), s.balance.tolist()
    ([[2000, 1500, -1500, -1500]], [[2000, 3500, 2000, 500]])
    """
    short = earned < draw
    topup = np.where(short, draw - earned, 0).astype(np.int64)
    if not recoverable:
        zero = np.zeros_like(topup)
        return Settlement(topup, zero, zero, zero)
    most = np.iinfo(np.int64).max if cap is None else cap
    above = np.where(short | ~may_recover, 0, earned - draw)
    recovered = np.zeros_like(topup)
    balance = np.zeros_like(topup)
    forgiven = np.zeros_like(topup)
    owed = opening.astype(np.int64)
    for p in range(earned.shape[1]):  # each period's balance depends on the one before
        take = np.minimum(np.minimum(owed, above[:, p]), most)
        recovered[:, p] = take
        owed = owed - take + topup[:, p]
        forgiven[:, p] = np.where(forgive[:, p], owed, 0)
        owed = np.where(forgive[:, p], 0, owed)
        balance[:, p] = owed
    return Settlement(topup, recovered, balance, forgiven)
