"""Where a learner stands in a lesson reads the same in every place that says it.

``asyncshell lessons``, ``%lessons``, ``%progress`` and ``asyncshell progress``
once had two vocabularies: a lesson only opened was "not started" in one and
"0 of 6" in the other, and one gone through with a step skipped was "5 of 6"
in one and "finished, 5 of 6 done" in the other.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from asyncshell.cli import main, parse
from asyncshell.course.progress_command import progress_command
from asyncshell.course.standing import Tally
from asyncshell.paths import LESSONS_ENV
from course.lesson_shell import GREET, Shell, listed_state


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LESSONS_ENV, raising=False)


async def everywhere(shell: Shell, lessons: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """How the demo lesson's progress reads in the four places that list it."""
    said = {listed_state(await shell.type("%lessons"), "demo")}
    said.add(_report_state(await shell.type("%progress")))
    capsys.readouterr()
    assert main(["lessons", "--lessons-dir", str(lessons)]) == 0
    said.add(listed_state(capsys.readouterr().out, "demo"))
    out = io.StringIO()
    assert progress_command(parse(["progress", "--lessons-dir", str(lessons)]), out=out) == 0
    said.add(_report_state(out.getvalue()))
    return said


def _report_state(report: str) -> str:
    """The state column of the demo row in a progress report (columns are two or more spaces apart)."""
    row = next(line for line in report.splitlines() if line.split()[:1] == ["demo"])
    return re.split(r"\s{2,}", row.strip())[2]


async def test_a_lesson_only_opened_is_0_of_m_everywhere(shell: Shell, lessons: Path, capsys) -> None:
    assert await everywhere(shell, lessons, capsys) == {"not started"}
    await shell.type("%learn demo")
    assert await everywhere(shell, lessons, capsys) == {"0 of 6"}


async def test_a_lesson_gone_through_with_a_step_skipped_reads_the_same_everywhere(
    shell: Shell, lessons: Path, capsys
) -> None:
    out = await shell.type("%learn demo", "", "", "%answer 2", GREET, "%check", "%skip", "")
    assert "Lesson complete: Demo lesson; 5 of 6 steps done (1 skipped)." in out
    assert await everywhere(shell, lessons, capsys) == {"finished, 5 of 6 done"}


@pytest.mark.parametrize(("tally", "state"), [
    (Tally(done=0, total=6, attempts=0, revealed=0, skipped=0, started=False, finished=False), "not started"),
    (Tally(done=0, total=6, attempts=0, revealed=0, skipped=0, started=True, finished=False), "0 of 6"),
    (Tally(done=2, total=6, attempts=1, revealed=0, skipped=0, started=True, finished=False), "2 of 6"),
    (Tally(done=5, total=6, attempts=1, revealed=0, skipped=1, started=True, finished=True), "finished, 5 of 6 done"),
    (Tally(done=6, total=6, attempts=1, revealed=0, skipped=0, started=True, finished=True), "done"),
])
def test_the_one_vocabulary(tally: Tally, state: str) -> None:
    assert tally.state == state
    assert tally.in_progress == (state in ("0 of 6", "2 of 6"))
