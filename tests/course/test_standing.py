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
from asyncshell.course import present
from asyncshell.course.catalog import load_lessons
from asyncshell.course.progress_command import progress_command
from asyncshell.course.progress import StepStatus
from asyncshell.course.standing import Tally, carry_on, next_lesson, step_state, tally
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
    out = await shell.type("%learn demo", "", "", "%answer 2", "", GREET, "%check", "", "%skip", "")
    assert "Lesson complete: Demo lesson; 5 of 6 steps done (1 skipped)." in out
    assert await everywhere(shell, lessons, capsys) == {"finished, 5 of 6 done"}


@pytest.mark.parametrize(("tally", "state", "stage"), [
    (Tally(done=0, total=6, attempts=0, revealed=0, skipped=0, started=False, finished=False), "not started", "not started"),
    (Tally(done=0, total=6, attempts=0, revealed=0, skipped=0, started=True, finished=False), "0 of 6", "started"),
    (Tally(done=2, total=6, attempts=1, revealed=0, skipped=0, started=True, finished=False), "2 of 6", "started"),
    (Tally(done=5, total=6, attempts=1, revealed=0, skipped=1, started=True, finished=True), "finished, 5 of 6 done",
     "finished"),
    (Tally(done=6, total=6, attempts=1, revealed=0, skipped=0, started=True, finished=True), "done", "done"),
])
def test_the_one_vocabulary(tally: Tally, state: str, stage: str) -> None:
    assert tally.state == state
    assert tally.stage == stage, "--json says the state without the counts, in the same words"
    assert tally.in_progress == (state in ("0 of 6", "2 of 6"))


@pytest.mark.parametrize(("status", "state"), [
    (None, "not started"),
    (StepStatus("s", done=False, revealed=False, skipped=False, attempts=0, seen=True), "started"),
    (StepStatus("s", done=False, revealed=True, skipped=False, attempts=0), "started"),
    (StepStatus("s", done=False, revealed=False, skipped=False, attempts=2), "tried"),
    (StepStatus("s", done=False, revealed=False, skipped=True, attempts=2), "skipped"),
    (StepStatus("s", done=True, revealed=True, skipped=True, attempts=2), "done"),
])
def test_a_steps_state_in_the_same_words(status: StepStatus | None, state: str) -> None:
    assert step_state(status) == state


def test_carrying_on_offers_the_most_recent_lesson_still_in_progress(write_lesson, full_lesson, lesson_dir, store, clock):
    for order, lesson_id in enumerate(["done", "through", "skipped", "opened"], 1):
        write_lesson(full_lesson(id=lesson_id, order=order), f"{lesson_id}.yaml")
    course = load_lessons([lesson_dir])
    keys = [step.key for step in course.get("done").steps]
    store.set_position("opened", 1)
    store.mark_done("opened", "text-1")
    clock.now += 60
    store.mark_skipped("skipped", "greet")  # skipped is not done: still in progress
    for key in keys:
        store.mark_done("done", key)  # complete: nothing to carry on with
    store.set_position("through", len(keys))  # gone through to the end: not offered either
    clock.now -= 3600  # the clock stepped back; "removed" is still the most recent
    store.record_attempt("removed", "greet", "fail", "x")  # a lesson the course no longer has

    assert carry_on(store, course).id == "skipped"
    assert next_lesson(store, course).id == "skipped"  # course order: the first neither complete nor gone through
    opened = course.get("opened")
    assert present.resume_offer(opened, tally(store, opened)).endswith("(1 of 5 steps done); type %learn opened to carry on.")


def test_steps_a_lesson_no_longer_has_do_not_count(write_lesson, full_lesson, lesson_dir, store):
    write_lesson(full_lesson(id="grown"))
    lesson = load_lessons([lesson_dir]).get("grown")
    store.mark_done("grown", "old-step")
    store.mark_done("grown", "text-1")
    assert tally(store, lesson).state == "1 of 5"


def test_next_follows_the_course_from_the_lesson_just_finished(write_lesson, full_lesson, lesson_dir, store):
    write_lesson(full_lesson(id="first-steps", order=1), "first.yaml")
    write_lesson(full_lesson(id="timeouts", order=110), "timeouts.yaml")
    write_lesson(full_lesson(id="polite", order=120, requires=("timeouts",)), "polite.yaml")
    write_lesson(full_lesson(id="advanced", order=130, requires=("polite",)), "advanced.yaml")
    course = load_lessons([lesson_dir])
    timeouts, polite = course.get("timeouts"), course.get("polite")
    # polite is not ready while timeouts is not complete: the first unfinished ready one is next.
    assert next_lesson(store, course, after=course.get("first-steps")).id == "timeouts"
    for step in timeouts.steps:
        store.mark_done("timeouts", step.key)
    store.set_position("timeouts", len(timeouts.steps))
    assert next_lesson(store, course, after=timeouts).id == "polite"  # not first-steps, which comes before
    for step in polite.steps:
        store.mark_done("polite", step.key)
    store.set_position("polite", len(polite.steps))
    assert next_lesson(store, course, after=polite).id == "advanced"
    store.set_position("advanced", len(polite.steps))
    assert next_lesson(store, course, after=course.get("advanced")).id == "first-steps"  # round to what is left


def test_next_counts_a_lesson_gone_through_with_skipped_steps_as_behind_the_learner(write_lesson, full_lesson, lesson_dir, store):
    write_lesson(full_lesson(id="intro", order=0), "intro.yaml")  # not taken: a "Next" going backwards picks it
    write_lesson(full_lesson(id="basics", order=1), "basics.yaml")
    write_lesson(full_lesson(id="tasks", order=2, requires=("basics",)), "tasks.yaml")
    course = load_lessons([lesson_dir])
    basics = course.get("basics")
    store.mark_skipped("basics", basics.exercises[0].key)
    store.set_position("basics", len(basics.steps))  # went through to the end, one exercise skipped
    assert next_lesson(store, course, after=basics).id == "tasks"  # not back to the start
