"""Arithmetic for derived measures: ``+ - * /``, numbers, names and parentheses.

A plan is data, so an expression is parsed into a small tree by a recursive-descent
parser (never ``eval``) and evaluated over whole arrays. Names are columns of the
credited row (``row:``) or other measures (``period:``). Division by zero gives NaN
(no pay) and is flagged where the numerator is not zero, for an exception line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

MAX_LENGTH = 500
MAX_DEPTH = 40


class ExpressionError(ValueError):
    """A mistake in an expression, at a character offset (0-based) of its text."""

    def __init__(self, text: str, offset: int, expected: str) -> None:
        self.offset = offset
        super().__init__(f"column {offset + 1} of {text!r}: {expected}")


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Num | Name | Neg | Binary

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) for each token: num, name or op; an end token last."""
    out = []
    for match in _TOKEN.finditer(text):
        number, name, other = match.groups()
        start = match.start(match.lastindex or 0)
        if number is not None:
            out.append(("num", number, start))
        elif name is not None:
            out.append(("name", name, start))
        elif other is not None:
            if other not in "+-*/()":
                raise ExpressionError(text, start, f"unexpected {other!r}: expressions hold "
                                      "numbers, names, + - * / and parentheses")
            out.append(("op", other, start))
    out.append(("end", "", len(text.rstrip())))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.at]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self, depth: int) -> Node:
        node = self.term(depth)
        while self.peek()[:2] in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = Binary(op, node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.factor(depth)
        while self.peek()[:2] in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            node = Binary(op, node, self.factor(depth))
        return node

    def factor(self, depth: int) -> Node:
        kind, text, offset = self.take()
        if depth > MAX_DEPTH:
            raise ExpressionError(self.text, offset, f"nested deeper than {MAX_DEPTH} levels")
        if kind == "num":
            return Num(float(text))
        if kind == "name":
            return Name(text)
        if (kind, text) == ("op", "-"):
            return Neg(self.factor(depth + 1))
        if (kind, text) == ("op", "("):
            node = self.expression(depth + 1)
            kind, text, offset = self.take()
            if (kind, text) != ("op", ")"):
                raise ExpressionError(self.text, offset, "expected ')'")
            return node
        what = "the end" if kind == "end" else repr(text)
        raise ExpressionError(self.text, offset,
                              f"expected a number, a name, '-' or '(' but found {what}")


def parse(text: str) -> Node:
    """Parse an expression, or raise :class:`ExpressionError` naming the column.

    >>> parse("margin / (amount - discount)")
    Binary(op='/', left=Name(name='margin'), right=Binary(op='-', left=Name(name='amount'), right=Name(name='discount')))
    >>> parse("margin / / amount")
    Traceback (most recent call last):
    ...
    compplan.schema.expressions.ExpressionError: column 10 of 'margin / / amount': expected a number, a name, '-' or '(' but found '/'
    """  # noqa: E501
    if len(text) > MAX_LENGTH:
        raise ExpressionError(text[:40] + "...", MAX_LENGTH, f"longer than {MAX_LENGTH} "
                              "characters")
    parser = _Parser(text)
    node = parser.expression(0)
    kind, token, offset = parser.peek()
    if kind != "end":
        raise ExpressionError(text, offset, f"expected an operator or the end, found {token!r}")
    return node


def names(node: Node) -> list[str]:
    """The names an expression reads, in order of appearance, each once."""
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Num):
        return []
    if isinstance(node, Neg):
        return names(node.operand)
    return list(dict.fromkeys([*names(node.left), *names(node.right)]))


def is_ratio(node: Node) -> bool:
    """Whether the expression divides by a name: a ratio (margin %), a level rather
    than an amount that adds up over months.

    >>> is_ratio(parse("margin / bookings")), is_ratio(parse("(amount - discount) / 2"))
    (True, False)
    """
    if isinstance(node, Num | Name):
        return False
    if isinstance(node, Neg):
        return is_ratio(node.operand)
    divides = node.op == "/" and bool(names(node.right))
    return divides or is_ratio(node.left) or is_ratio(node.right)


@dataclass(frozen=True)
class Evaluated:
    """An expression's values, and where a division by zero had a non-zero numerator."""

    values: Floats
    zero_division: npt.NDArray[np.bool_]


def evaluate(node: Node, leaf: Callable[[str], Floats]) -> Evaluated:
    """Evaluate over arrays; ``leaf`` gives a name's values. x / 0 is NaN.

    >>> e = evaluate(parse("a / b"), lambda n: {"a": np.array([1.0, 0.0, 2.0]),
    ...                                         "b": np.array([4.0, 0.0, 0.0])}[n])
    >>> e.values.tolist(), e.zero_division.tolist()
    ([0.25, nan, nan], [False, False, True])
    """
    if isinstance(node, Num):
        return Evaluated(np.asarray(node.value, dtype=np.float64), np.asarray(False))
    if isinstance(node, Name):
        return Evaluated(np.asarray(leaf(node.name), dtype=np.float64), np.asarray(False))
    if isinstance(node, Neg):
        inner = evaluate(node.operand, leaf)
        return Evaluated(-inner.values, inner.zero_division)
    left, right = evaluate(node.left, leaf), evaluate(node.right, leaf)
    flagged = left.zero_division | right.zero_division
    if node.op == "+":
        return Evaluated(left.values + right.values, flagged)
    if node.op == "-":
        return Evaluated(left.values - right.values, flagged)
    if node.op == "*":
        return Evaluated(left.values * right.values, flagged)
    zero = right.values == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(zero, np.nan, left.values / np.where(zero, 1.0, right.values))
    return Evaluated(out, flagged | (zero & (left.values != 0)))
