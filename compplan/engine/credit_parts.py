"""Placed credits kept as numbers, one part per plan measure; labelled only when read.

Paying needs four numbers per credit (seat, month, value, clawback or not); the readable
credit table (payee ids, deal ids, plan and measure names, source file and row) is
millions of labels that only ``credits.csv``, ``explain`` and the components paid per
credit read. So the credit stage hands over :class:`CreditParts`: each plan measure's
credits as plain arrays, labelled when first asked for, per measure
(:meth:`PlanCredits.of`) or for the whole run (:attr:`CreditParts.frame`), never on the
way to the payout lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import union_categoricals

from compplan.core.labels import constant
from compplan.core.memo import Memo
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import ROW_COLUMN

NUMBERS = ("code", "seat", "credit_date", "month", "credit_value", "credit_share",
           "clawback", "via", "source_idx", "lookup_idx", "fx_rate")
"""What a placed credit is: its payee's roster code, its seat, date and month, value,
share, whether it is a clawback, the payee it rolled up from (-1: none), its source
row and lookup row, and its rate into the plan's currency."""

SHARED = ("seat", "month", "credit_value", "credit_share", "source_idx", "lookup_idx",
          "fx_rate")
"""The numbers a part and the labelled frame hold alike (the frame keeps them as they
are; payee codes, dates, kinds and roll-up payees it holds as labels or other units)."""

CORE = ["payee_id", "plan", "measure", "seat", "credit_date", "month", "credit_value",
        "credit_share", "credit_kind", "via", "deal_id", "source_file", "source_row",
        "source_idx", "lookup_idx", "fx_rate"]
"""The columns of the labelled credits, in order (``Evaluation.credit_rows``)."""


Pick = npt.NDArray[np.bool_] | npt.NDArray[np.int64]


def repeated(value: object, n: int) -> np.ndarray:
    """One value for ``n`` credits, in no memory (a read-only broadcast): most credits
    have no split, no FX conversion, no lookup row and no roll-up payee."""
    return np.broadcast_to(np.asarray(value), (n,))


def take_rows(values: np.ndarray, rows: Pick) -> np.ndarray:
    """``values[rows]``; a :func:`repeated` value stays repeated (nothing to copy)."""
    if values.strides == (0,) and len(values):
        n = int(np.count_nonzero(rows)) if rows.dtype == np.bool_ else len(rows)
        return repeated(values[0], n)
    return values[rows]


def stack_rows(parts: list[np.ndarray]) -> np.ndarray:
    """The parts one after the other; parts that repeat one same value stay repeated."""
    if parts and all(p.strides == (0,) and len(p) for p in parts) and len(
            {p[0].item() for p in parts}) == 1:
        return repeated(parts[0][0], sum(len(p) for p in parts))
    return np.concatenate(parts)


class Gathered(Mapping[str, np.ndarray]):
    """A part's columns: its own, and the rest taken from the batch the credits were
    valued in, at their rows, when first read.

    The pay reads a credit's seat, month and value; its share, FX rate, source and
    lookup rows are read only to label it. Gathering those for millions of rolled-up
    credits on the way to the pay was a third of the credit stage.
    """

    def __init__(self, own: dict[str, np.ndarray], batch: dict[str, np.ndarray],
                 rows: Pick | None) -> None:
        self._own, self._batch, self._rows = dict(own), batch, rows

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._own:
            if name not in NUMBERS:
                raise KeyError(name)
            values = self._batch[name]
            self._own[name] = values if self._rows is None else take_rows(values, self._rows)
        return self._own[name]

    def __iter__(self) -> Iterator[str]:
        return iter(NUMBERS)

    def __len__(self) -> int:
        return len(NUMBERS)

    def settle(self, views: dict[str, np.ndarray]) -> None:
        """Take these columns from ``views`` (rows of the labelled frame) and let go of
        the batch: every column is then held once, by the frame or by this part."""
        for name in NUMBERS:
            if name not in views:
                self[name]  # gathered from the batch now, before it is let go
        self._own.update(views)
        self._batch, self._rows = {}, None

    def __reduce__(self) -> tuple[object, ...]:
        """Shipped (to a Dask client) as the part's own columns only."""
        return (dict, ({name: self[name] for name in NUMBERS},))


@dataclass(frozen=True)
class CreditPart:
    """One plan measure's credits placed on seats: the :data:`NUMBERS` as arrays."""

    plan: str
    measure: str
    table: str
    columns: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["seat"])

    def rows(self, pick: Pick) -> CreditPart:
        """The credits a mask or positions pick."""
        return CreditPart(self.plan, self.measure, self.table,
                          {name: take_rows(self.columns[name], pick) for name in NUMBERS})


@dataclass
class CreditParts:
    """The credits of a run (or of a partition of its payees), part by part in plan and
    measure order, with what it takes to label them."""

    parts: list[CreditPart]
    inputs: Inputs
    payees: pd.Index
    """The roster's payee ids: a credit's ``code`` is its position here."""
    _deals: Memo[pd.Categorical] = field(default_factory=Memo, repr=False, compare=False)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __iter__(self) -> Iterator[CreditPart]:
        return iter(self.parts)

    @cached_property
    def _index(self) -> dict[tuple[str, str], CreditPart]:
        return {(p.plan, p.measure): p for p in self.parts}

    def part(self, plan: str, measure: str) -> CreditPart | None:
        """A plan measure's credits (None: the plan has no seats here)."""
        return self._index.get((plan, measure))

    def of_plan(self, plan: str, local: npt.NDArray[np.int64]) -> PlanCredits:
        """One plan's credits, with ``local`` mapping a seat to its position among the
        plan's seats (:class:`compplan.engine.measures.PlanFrame`)."""
        return PlanCredits(self, [p for p in self.parts if p.plan == plan], local)

    @cached_property
    def _dtypes(self) -> dict[str, pd.CategoricalDtype]:
        """One dtype per label column for every part: stacking parts whose categories
        are the very same object is stacking codes (pandas hashes categories it has to
        compare: a second per stack at 10,000 payees)."""
        payees = pd.Index(self.payees, dtype=object)
        via = pd.Index(["", *("team:" + self.payees.to_numpy(dtype=str))], dtype=object)
        return {"payee_id": pd.CategoricalDtype(payees),
                "credit_kind": pd.CategoricalDtype(pd.Index(["credit", "clawback"],
                                                            dtype=object)),
                "via": pd.CategoricalDtype(via)}

    def _labels(self, column: str, codes: np.ndarray) -> pd.Categorical:
        return pd.Categorical.from_codes(  # type: ignore[call-overload,no-any-return]
            np.asarray(codes, dtype=np.int64), dtype=self._dtypes[column])

    def deal_ids(self, table: str) -> pd.Categorical:
        """A table's ``deal_id`` column as codes into its distinct ids ('' without one)."""
        def compute() -> pd.Categorical:
            t = self.inputs.table(table)
            assert t is not None
            return t.factor("deal_id") if "deal_id" in t.frame else constant("", len(t.frame))

        return self._deals.get(table, compute)  # one constant for a table without deal ids

    def labelled(self, part: CreditPart) -> dict[str, Any]:
        """A part's :data:`CORE` columns, labels as categoricals (no text copied)."""
        c = {name: np.ascontiguousarray(values) for name, values in part.columns.items()}
        table = self.inputs.table(part.table)
        assert table is not None
        n, src = len(part), c["source_idx"]
        return {
            "payee_id": self._labels("payee_id", c["code"]),
            "plan": constant(part.plan, n), "measure": constant(part.measure, n),
            "seat": c["seat"], "credit_date": c["credit_date"], "month": c["month"],
            "credit_value": c["credit_value"], "credit_share": c["credit_share"],
            "credit_kind": self._labels("credit_kind", c["clawback"]),
            "via": self._labels("via", c["via"] + 1),
            "deal_id": self.deal_ids(part.table).take(src),
            "source_file": constant(table.file, n),
            "source_row": table.frame[ROW_COLUMN].to_numpy()[src],
            "source_idx": src, "lookup_idx": c["lookup_idx"], "fx_rate": c["fx_rate"],
        }

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Every credit labelled, one frame: ``Evaluation.credit_rows``.

        Its number columns are then shared with the parts (each part reads its rows of
        the frame), so a run that writes its credits holds them once, not twice."""
        frame = stack_labelled([self.labelled(p) for p in self.parts])
        shared = {name: frame[name].to_numpy() for name in SHARED if name in frame}
        start = 0
        for part in self.parts:
            views = {name: values[start:start + len(part)] for name, values in shared.items()}
            if isinstance(part.columns, Gathered):
                part.columns.settle(views)
            elif isinstance(part.columns, dict):
                part.columns.update(views)
            start += len(part)
        return frame


@dataclass
class PlanCredits:
    """One plan's credits: labelled frames per measure, each made on first read."""

    run: CreditParts | None
    """The run's credits, which label these (None: a plan frame with no credits)."""
    parts: list[CreditPart]
    local: npt.NDArray[np.int64]
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def numbers(self, measure: str) -> CreditPart | None:
        return next((p for p in self.parts if p.measure == measure), None)

    def local_of(self, part: CreditPart) -> npt.NDArray[np.int64]:
        """Each credit's position among the plan's seats."""
        return np.asarray(self.local[part.columns["seat"]], dtype=np.int64)

    def of(self, measure: str) -> pd.DataFrame:
        """A measure's credits labelled (:data:`CORE` and ``local``), read by the
        components paid per credit and by reversals."""
        if measure not in self._frames:
            part = self.numbers(measure)
            if part is None or self.run is None:
                self._frames[measure] = pd.DataFrame(columns=[*CORE, "local"])
            else:
                self._frames[measure] = pd.DataFrame(
                    {**self.run.labelled(part), "local": self.local_of(part)}, copy=False)
        return self._frames[measure]

    @cached_property
    def frame(self) -> pd.DataFrame:
        """All the plan's credits labelled, measure after measure (for ``explain``)."""
        frames = [self.of(p.measure) for p in self.parts]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=[*CORE, "local"]))

    def without_rows(self) -> PlanCredits:
        """The same plan with no credits: what a Monte Carlo draw carries (it scales the
        measures; its clawbacks of earlier periods are given), light to ship to a worker."""
        return PlanCredits(None, [], self.local[:0])


def stack_labelled(parts: list[dict[str, Any]]) -> pd.DataFrame:
    """Stack labelled parts column by column into one frame, labels kept categorical.

    ``pd.concat`` would hash a table's categories (millions of deal ids) to compare
    them; parts cut from the same table share the very same categories, so their
    codes are simply stacked.
    """
    if not parts:
        return pd.DataFrame(columns=CORE)
    out: dict[str, object] = {}
    for col in parts[0]:
        values = [part[col] for part in parts]
        if all(isinstance(v, pd.Categorical) for v in values):
            out[col] = _stack_labels(values)
        else:
            out[col] = np.concatenate(values)
    return pd.DataFrame(out, copy=False)


def _stack_labels(values: list[pd.Categorical]) -> object:
    first = values[0].categories
    if all(v.categories is first for v in values):
        codes = np.concatenate([v.codes for v in values])
        return pd.Categorical.from_codes(codes, dtype=values[0].dtype)  # type: ignore[call-overload]
    try:
        return union_categoricals(values)
    except TypeError:  # categories of different kinds: plain values
        return np.concatenate([np.asarray(v, dtype=object) for v in values])
