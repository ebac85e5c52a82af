"""A lesson goes on whatever the disk does: a locked or read-only store, a data home that cannot be written.

The learner sees each check's result and moves on; what is not saved is said once.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from asyncshell.course import progress_file
from asyncshell.course.exercise import Workspace
from asyncshell.course.loader import load_lesson
from asyncshell.course.progress import ProgressStore
from asyncshell.repl.evaluator import Evaluator
from course.lesson_shell import GREET, Shell


async def test_a_check_whose_result_cannot_be_saved_is_shown_and_the_lesson_moves_on(shell: Shell, capsys,
                                                                                    monkeypatch):
    monkeypatch.setattr(progress_file, "BUSY_TIMEOUT_S", 0.1)
    await shell.type("%learn demo", "", "", "%answer 2", "")
    holder = sqlite3.connect(shell.tutor.store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the store
    try:
        out = await shell.type(GREET, "%check", "")
        assert "Passed!" in out and "step 5 of 6" in out
        out += await shell.type("%back")
        assert "step 4 of 6" in out
        out += await shell.type("%next")
        assert "step 5 of 6" in out, "the exercise counts as done though the file has not taken it"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    out += await shell.type("%back")  # the next write: the file takes what it was refused
    said = out + capsys.readouterr().err
    assert said.count("could not be saved") == 1 and said.count("Progress is saved again") == 1
    with ProgressStore.open(shell.tutor.store.path) as store:
        assert store.step_status("demo")["greet"].done


# -- %edit


def _exercise(write_lesson, full_lesson):
    return load_lesson(write_lesson(full_lesson())).exercises[0]


@pytest.fixture
def workspace():
    loop = asyncio.new_event_loop()
    yield Workspace(Evaluator(write=lambda text: None, loop=loop))
    loop.close()


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_edit_files_are_private(workspace, write_lesson, full_lesson, asyncshell_home, open_umask):
    path = workspace.edit_file("intro", _exercise(write_lesson, full_lesson))
    assert path.parent == asyncshell_home / "edits"
    assert (path.parent.stat().st_mode & 0o777, path.stat().st_mode & 0o777) == (0o700, 0o600)
    assert path.read_text() == "async def greet(name):\n    ...\n"


def test_edit_falls_back_to_a_private_temporary_file_when_the_data_home_cannot_be_written(
        workspace, write_lesson, full_lesson, tmp_path, monkeypatch, open_umask):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("ASYNCSHELL_HOME", str(tmp_path / "a-file" / "home"))  # nothing can be made under a file
    step = _exercise(write_lesson, full_lesson)
    path = workspace.edit_file("intro", step)
    assert path.read_text() == "async def greet(name):\n    ...\n"
    assert (path.parent.stat().st_mode & 0o777, path.stat().st_mode & 0o777) == (0o700, 0o600)
    path.write_text("# my work\n")
    assert workspace.edit_file("intro", step) == path, "a second %edit goes on where the first left off"
    shutil.rmtree(path.parent)


# -- a read-only data home, for real (needs a mount namespace of our own)

READ_ONLY = """\
mount --bind "$HOME_DIR" "$HOME_DIR" && mount -o remount,ro,bind "$HOME_DIR" || exit 77
exec "$@"
"""


@pytest.mark.parametrize("left_open", [False, True], ids=["closed-cleanly", "with-its-wal-left-behind"])
def test_a_read_only_data_home_with_progress_runs_the_lesson_after_one_notice(asyncshell_home, left_open):
    if shutil.which("unshare") is None or sys.platform != "linux":
        pytest.skip("needs unshare(1)")
    subprocess.run([sys.executable, "-c", WRITE_PROGRESS, "exit" if left_open else "close"], check=True,
                   env={**os.environ, "ASYNCSHELL_HOME": str(asyncshell_home)})
    assert Path(f"{asyncshell_home / progress_file.FILENAME}-wal").exists() == left_open
    args = ["unshare", "-rm", "sh", "-c", READ_ONLY, "sh", sys.executable, "-m", "asyncshell", "learn", "first-steps"]
    done = subprocess.run(args, input="%next\n%progress\n", capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME_DIR": str(asyncshell_home), "NO_COLOR": "1"})
    if done.returncode == 77 or "unshare" in done.stderr:
        pytest.skip(f"no mount namespace here: {done.stderr.strip()}")
    said = done.stdout + done.stderr
    assert re.search(r"Carrying on with 'First steps with asyncio' at step 2 of \d+", said), said
    assert re.search(r"step 3 of \d+", said), said
    assert len([line for line in said.splitlines() if "saved" in line]) == 1, said
    assert "internal error" not in said and "Traceback" not in said


WRITE_PROGRESS = """\
import os, sys
from asyncshell.course.progress import ProgressStore
store = ProgressStore.open()
store.mark_done("first-steps", "text-1")
store.set_position("first-steps", 1)
store.close() if sys.argv[1] == "close" else os._exit(0)
"""
