"""``asyncshell progress``: the report, ``--json`` for a teacher, and ``--reset [LESSON]`` that asks first."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from asyncshell import __version__
from asyncshell.cli import parse
from asyncshell.course import progress_command
from asyncshell.course.progress import ProgressStore
from asyncshell.course.progress_json import IDLE_CAP_S
from course.conftest import FakeClock
from course.lesson_shell import GREET, Shell
from support import child_env, installed_asyncshell


def asyncshell(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The installed command, as a teacher's script or a student runs it."""
    return subprocess.run([installed_asyncshell(), *args], capture_output=True, text=True, timeout=60,
                          env=child_env(home))


def progress_json(lessons: Path, home: Path) -> dict[str, Any]:
    """``asyncshell progress --json`` parsed: it must be JSON alone on stdout, and nothing on stderr."""
    result = asyncshell("progress", "--json", "--lessons-dir", str(lessons), home=home)
    assert (result.returncode, result.stderr) == (0, "")
    return json.loads(result.stdout)


def _lesson(document: dict[str, Any], lesson_id: str) -> dict[str, Any]:
    return next(lesson for lesson in document["lessons"] if lesson["id"] == lesson_id)


def test_asyncshell_progress_reset_asks_first(asyncshell_home: Path) -> None:
    with ProgressStore.open() as store:
        store.mark_done("demo", "text-1")
    out = io.StringIO()
    assert progress_command.progress_command(parse(["progress", "--reset"]), out=out, ask=lambda question: "n") == 1
    assert "Nothing was changed." in out.getvalue()
    with ProgressStore.open() as store:
        assert store.step_status("demo")["text-1"].done
    assert progress_command.progress_command(parse(["progress", "--reset"]), out=out, ask=lambda question: "yes") == 0
    with ProgressStore.open() as store:
        assert store.recent_lessons() == []


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


def test_the_totals_count_only_the_lessons_shown(lessons: Path, asyncshell_home: Path) -> None:
    with ProgressStore.open() as store:
        store.record_attempt("demo", "greet", "pass", GREET)
        store.mark_done("demo", "greet")
        for step in ("a", "b", "c"):  # a lesson loaded only with another --lessons-dir
            store.record_attempt("elsewhere", step, "fail", "x")
            store.record_quiz("elsewhere", step, True, "1")
            store.mark_done("elsewhere", step)
        store.mark_done("demo", "a step the lesson no longer has")

    result = asyncshell("progress", "--lessons-dir", str(lessons), home=asyncshell_home)

    assert result.returncode == 0
    assert "In all: 1 step done, 1 check run (1 passed), 0 quiz answers (0 right)." in result.stdout
    assert "elsewhere" not in result.stdout


# -- --json


def test_progress_json_has_each_lesson_shown_and_each_step(lessons: Path, asyncshell_home: Path) -> None:
    clock = FakeClock()
    with ProgressStore.open(clock=clock) as store:
        store.record_view("demo", "text-1")
        clock.now += 12
        store.mark_done("demo", "text-1")
        store.record_view("demo", "example-1")  # never gone past: "started"
        clock.now += 8
        store.record_view("demo", "quiz-1")
        clock.now += 10
        store.record_quiz("demo", "quiz-1", False, "1")
        store.record_quiz("demo", "quiz-1", True, "2")
        store.mark_done("demo", "quiz-1")
        store.record_view("demo", "greet")
        clock.now += 60
        store.record_hint("demo", "greet", 1)
        clock.now += 3 * 3600  # lunch, then back in a new session
        store.record_hint("demo", "greet", 1)
        store.record_hint("demo", "greet", 2)
        store.record_attempt("demo", "greet", "fail", "x")
        store.mark_revealed("demo", "greet")
        clock.now += 40
        store.mark_skipped("demo", "shout")
        store.record_attempt("elsewhere", "1", "pass", "not shown, not counted")
    before = datetime.now(timezone.utc).replace(microsecond=0)

    document = progress_json(lessons, asyncshell_home)

    written = datetime.strptime(document["written"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before <= written <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert (document["schema"], document["asyncshell"]) == (1, __version__)
    shown = {lesson["id"]: lesson for lesson in document["lessons"]}
    assert "elsewhere" not in shown and "demo" in shown  # beside demo, the built-in lessons, not started
    demo = shown["demo"]
    assert {key: demo[key] for key in ("id", "title", "state", "steps_done", "steps_total")} == {
        "id": "demo", "title": "Demo lesson", "state": "started", "steps_done": 2, "steps_total": 6}
    steps = {step["id"]: step for step in demo["steps"]}
    assert list(steps) == ["text-1", "example-1", "quiz-1", "greet", "shout", "text-2"]
    assert steps["greet"] == {"id": "greet", "type": "exercise", "state": "tried", "attempts": 1, "hints_used": 2,
                              "solution_revealed": True, "seconds_spent": 60 + IDLE_CAP_S + 40}
    assert {step: steps[step]["state"] for step in steps} == {
        "text-1": "done", "example-1": "started", "quiz-1": "done", "greet": "tried", "shout": "skipped",
        "text-2": "not started"}
    assert (steps["quiz-1"]["attempts"], steps["quiz-1"]["seconds_spent"]) == (2, 10)
    assert (steps["text-1"]["seconds_spent"], steps["example-1"]["seconds_spent"]) == (12, 8)
    assert steps["text-2"] == {"id": "text-2", "type": "text", "state": "not started", "attempts": 0,
                               "hints_used": 0, "solution_revealed": False, "seconds_spent": 0}
    assert all(lesson["state"] == "not started" for lesson in shown.values() if lesson is not demo)
    assert document["totals"] == {
        "lessons": len(shown), "lessons_done": 0, "steps_done": 2,
        "steps_total": sum(lesson["steps_total"] for lesson in shown.values()), "checks_run": 1, "checks_passed": 0,
        "quiz_answers": 2, "quiz_right": 1, "attempts": 3, "hints_used": 2, "solutions_revealed": 1,
        "steps_skipped": 1, "seconds_spent": 12 + 8 + 10 + 60 + IDLE_CAP_S + 40,
    }


async def test_hints_and_a_solution_asked_for_in_the_shell_reach_the_json(shell: Shell, lessons: Path,
                                                                          asyncshell_home: Path) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", "%hint", "%hint", "%hint", "%solution", GREET, "%check", "")
    await shell.end()

    steps = {step["id"]: step for step in _lesson(progress_json(lessons, asyncshell_home), "demo")["steps"]}

    assert steps["greet"]["hints_used"] == 2, "the third %hint only said that was the last"
    assert (steps["greet"]["state"], steps["greet"]["solution_revealed"], steps["greet"]["attempts"]) == ("done", True, 1)
    assert steps["shout"]["state"] == "started", "the step after a passed check is shown"


def test_progress_json_is_json_alone_on_stdout_when_the_store_has_something_to_say(
    lessons: Path, asyncshell_home: Path
) -> None:
    asyncshell_home.mkdir()
    (asyncshell_home / "progress.sqlite3").write_text("my notes, not a database\n" * 200)

    result = asyncshell("progress", "--json", "--lessons-dir", str(lessons), home=asyncshell_home)

    assert result.returncode == 0
    assert _lesson(json.loads(result.stdout), "demo")["state"] == "not started"
    assert "is not a database" in result.stderr and len(result.stderr.splitlines()) == 1


# -- --reset LESSON


def _two_lessons_with_progress() -> None:
    with ProgressStore.open() as store:
        for lesson in ("demo", "elsewhere"):
            store.record_attempt(lesson, "greet", "pass", GREET)
            store.mark_done(lesson, "greet")
            store.set_position(lesson, 4)


def test_reset_lesson_forgets_that_lesson_alone_after_asking(lessons: Path, asyncshell_home: Path) -> None:
    _two_lessons_with_progress()
    args = parse(["progress", "--reset", "demo", "--lessons-dir", str(lessons)])
    out, asked = io.StringIO(), []

    assert progress_command.progress_command(args, out=out, ask=lambda question: asked.append(question) or "n") == 1
    assert progress_command.progress_command(args, out=out, ask=lambda question: "y") == 0

    assert asked == [f"Forget your progress in lesson 'demo' in {asyncshell_home / 'progress.sqlite3'}? [y/N] "]
    assert out.getvalue() == "Nothing was changed.\nYour progress in lesson 'demo' is forgotten.\n"
    with ProgressStore.open() as store:
        assert store.recent_lessons() == ["elsewhere"]
        assert store.step_status("elsewhere")["greet"].done and store.position("elsewhere") == 4


def test_reset_lesson_without_a_terminal_needs_yes(lessons: Path, asyncshell_home: Path) -> None:
    _two_lessons_with_progress()

    refused = asyncshell("progress", "--reset", "demo", "--lessons-dir", str(lessons), home=asyncshell_home)
    done = asyncshell("progress", "--reset", "demo", "--yes", "--lessons-dir", str(lessons), home=asyncshell_home)

    assert (refused.returncode, refused.stdout) == (2, "asyncshell progress --reset: add --yes to confirm when not at a terminal.\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "Your progress in lesson 'demo' is forgotten.\n", "")
    assert _lesson(progress_json(lessons, asyncshell_home), "demo")["state"] == "not started"


def test_reset_names_a_lesson_kept_in_the_store_even_when_it_is_not_loaded(asyncshell_home: Path) -> None:
    _two_lessons_with_progress()

    result = asyncshell("progress", "--reset", "elsewhere", "--yes", home=asyncshell_home)

    assert (result.returncode, result.stderr) == (0, "")
    with ProgressStore.open() as store:
        assert store.recent_lessons() == ["demo"]


@pytest.mark.parametrize(("name", "said"), [
    ("dmeo", "asyncshell: progress --reset: there is no lesson 'dmeo'; did you mean 'demo'?\n"),
    ("zzz", "asyncshell: progress --reset: there is no lesson 'zzz' (asyncshell lessons lists them)\n"),
])
def test_reset_of_an_unknown_lesson_is_one_line_and_changes_nothing(
    name: str, said: str, lessons: Path, asyncshell_home: Path
) -> None:
    _two_lessons_with_progress()

    result = asyncshell("progress", "--reset", name, "--yes", "--lessons-dir", str(lessons), home=asyncshell_home)

    assert (result.returncode, result.stdout, result.stderr) == (2, "", said)
    with ProgressStore.open() as store:
        assert sorted(store.recent_lessons()) == ["demo", "elsewhere"]


def test_json_and_reset_together_is_one_line(asyncshell_home: Path) -> None:
    result = asyncshell("progress", "--json", "--reset", home=asyncshell_home)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == "asyncshell progress: argument --reset: not allowed with argument --json"


def _documented_fields() -> dict[str, set[str]]:
    """The fields each table of docs/progress.md lists, by the heading above it."""
    docs = Path(__file__).parents[2] / "docs" / "progress.md"
    fields: dict[str, set[str]] = {}
    heading = ""
    for line in docs.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            heading = line[4:]
        elif line.startswith("| `"):
            fields.setdefault(heading, set()).add(line.split("`")[1])
    return fields


def test_docs_progress_md_lists_every_field_written_and_no_other(lessons: Path, asyncshell_home: Path) -> None:
    document = progress_json(lessons, asyncshell_home)
    lesson = _lesson(document, "demo")

    assert _documented_fields() == {
        "The document": set(document),
        "A lesson (each entry of `lessons`)": set(lesson),
        "A step (each entry of a lesson's `steps`)": set(lesson["steps"][0]),
        "Totals (`totals`)": set(document["totals"]),
    }
