"""The files compplan reads are regular files of a bounded size, checked before reading.

A plan that is a link to ``/dev/zero`` would be read until memory runs out, a FIFO
would hang the run, and a 100 MB "plan" would be read whole before its size was
refused. ``stat`` answers all three without opening the file.
"""

from __future__ import annotations

import stat
from pathlib import Path

from compplan.errors import InputError, Issue

PLAN_BYTES = 2_000_000
"""The largest plan, scenario or mapping file: the biggest real plan is a few KB."""


def regular_file(path: Path, most: int | None = None) -> int:
    """The file's size, once it is known to be a regular file (links followed) of at
    most ``most`` bytes; else an input error naming it."""
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        raise InputError([Issue(str(path), "no such file")]) from None
    except OSError as exc:
        raise InputError([Issue(str(path), f"cannot read: {exc.strerror}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Issue(str(path), "is a folder: expected a file")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Issue(str(path), "is not a regular file (a device, a pipe or a "
                                "socket): expected a file")])
    if most is not None and info.st_size > most:
        raise InputError([Issue(str(path), f"file is larger than {most:,} bytes: expected a "
                                "plan, scenario or mapping file")])
    return info.st_size
