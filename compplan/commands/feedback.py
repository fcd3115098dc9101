"""Progress on stderr for work that can take more than a couple of seconds.

A rich progress display with one line per stage as it finishes (seconds, and a count
where the stage has one) and a bar for counted work (Monte Carlo draws). It draws only
on a terminal and never on stdout, so files, exit codes and ``--json`` output are the
same with or without it; ``--quiet`` turns it off.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

STAGE_WORDS = {"load": "inputs read", "seats": "seats placed", "credit": "credits built",
               "measure": "measures summed", "component": "components evaluated",
               "assemble": "pay lines assembled", "write": "files written",
               "cluster": "cluster started", "engine (dask)": "evaluated on the cluster"}


class Feedback:
    """Stages and counted work of one command, shown on stderr while it runs."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=console, transient=True, disable=not self.enabled)
        self._stage = self.progress.add_task("working", total=None)
        self._since = time.perf_counter()
        self._seen: dict[str, int] = {}

    def stage(self, name: str) -> None:
        """A stage ended: say so once per stage (measures and components repeat per plan)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        self._seen[name] = self._seen.get(name, 0) + 1
        if self._seen[name] == 1:
            self.progress.console.print(
                f"[dim]{STAGE_WORDS.get(name, name)} ({now - self._since:.1f} s)[/dim]")
        self.progress.update(self._stage, description=STAGE_WORDS.get(name, name))
        self._since = now

    def counted(self, what: str, total: int) -> TaskID:
        """A bar for ``total`` units of work; advance it with :meth:`advance`."""
        return self.progress.add_task(what, total=total)

    def advance(self, task: TaskID, units: int) -> None:
        self.progress.advance(task, units)


@contextmanager
def feedback(console: Console, enabled: bool) -> Iterator[Feedback]:
    """Show progress for the duration of a command (nothing when not a terminal)."""
    shown = Feedback(console, enabled)
    with shown.progress:
        yield shown
