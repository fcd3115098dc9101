"""Read YAML as plain data, remembering the line of every value.

Plans and scenarios are data. We therefore never let a YAML library construct
objects: the document is only *composed* into nodes, and we build dicts, lists and
scalars ourselves from the core tags. Any explicit tag (``!!python/object``,
``!include``...) is refused, aliases count against a node budget so an alias bomb
stops early, and each value's line is kept so errors can say ``file:line``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compplan.errors import Issue

Path = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_MAX_NODES = 100_000
_MAX_CHARS = 4_000_000
"""Characters of text a document may expand to, aliases counted each time they are
used: a 1 MB string aliased 15,000 times is 15 GB of text downstream."""
_MAX_DEPTH = 64
_MAX_ITEMS = 20_000


class _RefusedError(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


@dataclass
class SourceDoc:
    """A YAML document as plain Python data with the line of each path."""

    file: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    columns: dict[Path, int] = field(default_factory=dict)
    """1-based column where each scalar value's text starts (inside its quotes)."""

    def line_of(self, path: Path) -> int | None:
        """Line of the deepest known prefix of ``path`` (1-based)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


def render_path(path: Path) -> str:
    """Render a field path the way users read it.

    >>> render_path(("components", 1, "tiers", 2, "from"))
    'components[1].tiers[2].from'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_MAX_DIGITS = 40


def _scalar(node: ScalarNode) -> Any:
    tag = str(node.tag)
    value: str = node.value
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return value.lower() in ("true", "yes", "on")
    if tag in (_CORE + "int", _CORE + "float"):
        return _number(value, tag == _CORE + "int", node.start_mark.line + 1)
    return value


def _number(value: str, integer: bool, line: int) -> int | float:
    """A YAML number as Python's, or refused: an amount of 10**100000 digits, 1e99999
    (infinity) or .nan is a typo or an attack, never a rate or an amount."""
    text = value.replace("_", "")
    refused = _RefusedError(line, f"{value[:40]!r} is not a usable number")
    if len(text) > _MAX_DIGITS:
        raise refused
    try:
        number: int | float = (int(text, 0) if integer and text[:2].lower() in ("0x", "0o", "0b")
                               else int(text) if integer else float(text.lower()))
    except ValueError:
        raise refused from None
    if isinstance(number, float) and not math.isfinite(number):
        raise refused
    return number


class _Builder:
    def __init__(self, lines: dict[Path, int], columns: dict[Path, int]) -> None:
        self.lines = lines
        self.columns = columns
        self.count = 0
        self.chars = 0

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > _MAX_NODES:
            raise _RefusedError(line, f"document has more than {_MAX_NODES} values (alias bomb?)")
        if len(path) > _MAX_DEPTH:
            raise _RefusedError(line, f"document is nested deeper than {_MAX_DEPTH} levels")
        self.lines.setdefault(path, line)
        tag = str(node.tag)
        if not tag.startswith(_CORE) or tag[len(_CORE) :] not in _ALLOWED:
            raise _RefusedError(
                line, f"YAML tag {tag!r} is not allowed: plan files are data, not code")
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                if not isinstance(key, (str, int, float, bool)):
                    raise _RefusedError(key_node.start_mark.line + 1,
                                        "mapping keys must be scalars")
                skey = str(key)
                if skey in out:
                    raise _RefusedError(key_node.start_mark.line + 1, f"duplicate key {skey!r}")
                self.lines[(*path, skey)] = key_node.start_mark.line + 1
                out[skey] = self.build(value_node, (*path, skey))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if not isinstance(node, ScalarNode):
            raise _RefusedError(line, "unsupported YAML node")
        self.chars += len(node.value)
        self.columns[path] = node.start_mark.column + 1 + (node.style in ("'", '"'))
        if self.chars > _MAX_CHARS:
            raise _RefusedError(line, f"document expands to more than {_MAX_CHARS:,} characters "
                                "of text (an alias of a long string used many times?)")
        return _scalar(node)


_ALLOWED = {"map", "seq", "str", "int", "float", "bool", "null", "timestamp"}


def _too_deep(text: str) -> int | None:
    """The line where brackets nest deeper than the limit, if they do.

    The YAML reader recurses once per level, and 50,000 nested ``[`` take it half a
    minute to refuse; counting brackets over the bytes takes milliseconds. Brackets in
    quoted text count too, which only matters for text no plan has.
    """
    raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    step = (np.isin(raw, _OPEN).astype(np.int32) - np.isin(raw, _CLOSE).astype(np.int32))
    depth = np.cumsum(step)
    over = np.flatnonzero(depth > _MAX_DEPTH)
    if not over.size:
        return None
    return int(np.count_nonzero(raw[: over[0]] == ord("\n"))) + 1


_OPEN = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSE = np.frombuffer(b"]}", dtype=np.uint8)


def parse_yaml(text: str, file: str) -> tuple[SourceDoc | None, list[Issue]]:
    """Parse one YAML document safely; problems come back as issues, never raised."""
    deep = _too_deep(text)
    if deep is not None:
        return None, [Issue(file, f"document is nested deeper than {_MAX_DEPTH} levels", deep)]
    items = text.count("\n") + text.count(",")
    if items > _MAX_ITEMS:  # the reader takes about a second per 10,000: refuse first
        return None, [Issue(file, f"document has more than {_MAX_ITEMS} lines and items: "
                                  "a plan, scenario or mapping is far smaller")]
    yaml = YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():  # a reused anchor is legal YAML; keep stderr clean
            warnings.simplefilter("ignore")
            node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return None, [Issue(file, f"not valid YAML: {exc.problem or exc}", line)]
    except RecursionError:
        return None, [Issue(file, f"document is nested deeper than {_MAX_DEPTH} levels")]
    except Exception as exc:  # the composer raises a few non-marked errors
        return None, [Issue(file, f"not valid YAML: {exc}")]
    if node is None:
        return None, [Issue(file, "file is empty")]
    lines: dict[Path, int] = {}
    columns: dict[Path, int] = {}
    try:
        data = _Builder(lines, columns).build(node, ())
    except _RefusedError as refused:
        return None, [Issue(file, refused.message, refused.line)]
    return SourceDoc(file, data, lines, columns), []
