"""Workbooks to PDF through LibreOffice, for people without Excel and for layout tests.

LibreOffice prints a workbook as its page setup says (print areas, fit to page,
repeated rows, footers), so the PDF is what a printed copy looks like. It is an
optional program, not a Python dependency: without it, asking for a PDF is an error
that says what to install, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from compplan.errors import Issue, OutputError

PROGRAMS = ("soffice", "libreoffice")
TIMEOUT_S = 600


def office() -> str | None:
    """The LibreOffice program on the PATH, if any."""
    return next((found for name in PROGRAMS if (found := shutil.which(name))), None)


def require_office() -> str:
    """The LibreOffice program, or the error that says what to install."""
    program = office()
    if program is None:
        raise OutputError([Issue("--pdf", "PDF needs LibreOffice: install it "
                                          "(Debian: apt-get install libreoffice-calc-nogui)")])
    return program


def to_pdf(workbooks: Sequence[Path], out: Path) -> list[Path]:
    """Convert ``workbooks`` to PDF files of the same stems in ``out``, in one LibreOffice
    run (it starts in seconds; once for many files, not once per file)."""
    program = require_office()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compplan-office-") as profile:
        # a profile of its own: a user's open LibreOffice or a parallel run cannot block it
        command = [program, f"-env:UserInstallation=file://{profile}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(out), *map(str, workbooks)]
        try:
            done = subprocess.run(command, capture_output=True, text=True,  # noqa: S603
                                  timeout=TIMEOUT_S, check=False,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired:
            raise OutputError([Issue("--pdf", f"LibreOffice took more than {TIMEOUT_S} s")]
                              ) from None
    made = [out / f"{Path(book).stem}.pdf" for book in workbooks]
    missing = [p.name for p in made if not p.is_file()]
    if done.returncode != 0 or missing:
        said = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        raise OutputError([Issue("--pdf", f"LibreOffice made no {', '.join(missing) or 'PDF'}"
                                          f" (exit {done.returncode}): {said[0]}")])
    return made
