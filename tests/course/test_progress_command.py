"""``asyncshell progress``: the report, and ``--reset`` that asks first."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from asyncshell.cli import parse
from asyncshell.course import progress_command
from asyncshell.course.progress import ProgressStore


def test_asyncshell_progress_reset_asks_first(asyncshell_home: Path) -> None:
    with ProgressStore.open() as store:
        store.mark_done("demo", "text-1")
    out = io.StringIO()
    assert progress_command.progress_command(parse(["progress", "--reset"]), out=out, ask=lambda question: "n") == 1
    assert "Nothing was changed." in out.getvalue()
    with ProgressStore.open() as store:
        assert store.summary().steps_done == 1
    assert progress_command.progress_command(parse(["progress", "--reset"]), out=out, ask=lambda question: "yes") == 0
    with ProgressStore.open() as store:
        assert store.summary().steps_done == 0


def test_asyncshell_progress_reset_without_a_terminal_needs_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())
    out = io.StringIO()
    assert progress_command.progress_command(parse(["progress", "--reset"]), out=out) == 2
    assert "add --yes" in out.getvalue()
    assert progress_command.progress_command(parse(["progress", "--reset", "--yes"]), out=out) == 0
    assert progress_command.progress_command(parse(["progress"]), out=out) == 0
    assert "In all: 0 steps done" in out.getvalue()


def test_asyncshell_progress_lists_the_lessons_of_lessons_dir(lessons: Path) -> None:
    out = io.StringIO()
    assert progress_command.progress_command(parse(["progress", "--lessons-dir", str(lessons)]), out=out) == 0
    rows = [line.split() for line in out.getvalue().splitlines()]
    assert ["demo", "Demo", "lesson", "not", "started"] in rows
