"""Faults: a run killed while writing, a full disk, a read-only folder.

Each kill test starts the real command in a child process, lets it reach a named
fault point (see :mod:`compplan.core.faults`) and kills it there with SIGKILL: no cleanup
code runs, as after a power cut or the OOM killer.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compplan.cli import app
from compplan.inputs.synth import Size, make, write
from tests.conftest import CLI, input_args, kill_at

DETAIL = ("payouts.csv", "credits.csv", "exceptions.csv")


def _company(folder: Path, seed: int) -> list[str]:
    write(make(Size(12, 150, seed=seed)), folder, ("csv",))
    return input_args(folder)


def _run(inputs: list[str], out: Path) -> None:
    res = CliRunner().invoke(app, ["run", *inputs, "--out", str(out), "--no-excel"])
    assert res.exit_code == 0, res.output


def _contents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Two companies' inputs and the complete results of each."""
    root = tmp_path_factory.mktemp("runs")
    old, new = _company(root / "old", 1), _company(root / "new", 2)
    _run(old, root / "old-out")
    _run(new, root / "new-out")
    return {"old": old, "new": new, "old_files": _contents(root / "old-out"),
            "new_files": _contents(root / "new-out")}


POINTS = [f"write:{n}" for n in DETAIL] + [f"move:{n}" for n in (*DETAIL, "run.json")]


@pytest.mark.parametrize("point", POINTS)
def test_a_killed_run_leaves_whole_files_of_one_run_or_the_other(
        runs: dict[str, object], tmp_path: Path, point: str) -> None:
    out = tmp_path / "out"
    _run(runs["old"], out)  # type: ignore[arg-type]
    before = _contents(out)
    old, new = runs["old_files"], runs["new_files"]
    assert isinstance(old, dict) and isinstance(new, dict)
    kill_at(["run", *runs["new"], "--out", str(out), "--no-excel"],  # type: ignore[misc]
             point, tmp_path / "marker")
    now = _contents(out)
    for name, data in now.items():
        if name == "run.json":
            continue
        # every file is whole: byte for byte the old run's or the new run's, never a part
        assert data in (old[name], new[name]), f"{name} is torn"
    if point.startswith("write:"):
        assert now == before, "nothing may move before every file is written"
    elif point == "move:run.json":
        assert {k: v for k, v in now.items() if k != "run.json"} == {
            k: v for k, v in new.items() if k != "run.json"}
        assert "run.json" not in now  # not yet: the folder does not claim to be complete
    else:
        assert "run.json" not in now  # a mix of two runs never carries a manifest
    # the next run finishes the job and sweeps the killed run's staging folder away
    _run(runs["new"], out)  # type: ignore[arg-type]
    assert sorted(p.name for p in out.iterdir()) == sorted([*DETAIL, "run.json"])
    manifest = json.loads((out / "run.json").read_text())
    assert all(manifest["files"][n] == (out / n).stat().st_size for n in DETAIL)


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_full_disk_is_exit_3_and_the_previous_results_stay(runs: dict[str, object],
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(runs["old"], out)  # type: ignore[arg-type]
    before = _contents(out)
    proc = subprocess.run([*CLI, "run", *runs["new"], "--out", str(out)],  # type: ignore[misc]
                          preexec_fn=_limit_file_size, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 3, proc.stderr
    assert f"{out}: cannot write results: File too large" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _contents(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging left


@pytest.mark.parametrize("fails", ["mkdtemp", "replace"])
def test_a_read_only_folder_is_exit_3_and_nothing_changes(
        runs: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fails: str) -> None:
    out = tmp_path / "out"
    _run(runs["old"], out)  # type: ignore[arg-type]
    before = _contents(out)

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    target = "tempfile.mkdtemp" if fails == "mkdtemp" else "pathlib.Path.replace"
    monkeypatch.setattr(target, read_only)
    res = CliRunner().invoke(app, ["run", *runs["new"], "--out", str(out)])  # type: ignore[misc]
    assert res.exit_code == 3
    verb = "cannot create output folder" if fails == "mkdtemp" else "cannot write results"
    assert f"{out}: {verb}: Read-only file system" in res.output
    monkeypatch.undo()
    assert _contents(out) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_folder_without_write_permission_is_exit_3(runs: dict[str, object],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        res = CliRunner().invoke(app, ["run", *runs["new"], "--out", str(out)])  # type: ignore[misc]
    finally:
        out.chmod(0o755)
    assert res.exit_code == 3 and "Permission denied" in res.output
