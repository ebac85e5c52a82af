"""The tutor around the steps: resuming at start-up, the progress store's notices, odd lessons, the report."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from asyncshell.features import COMMANDS, SUBCOMMANDS
from asyncshell.course.tutor import resume_hint
from asyncshell.course.progress_file import FILENAME
from asyncshell.practice_server import PracticeServer
from course.lesson_shell import GREET, SHOUT, Shell, listed_state
from course.stored import quiz_answers

TYPED = """\
format: 1
id: typed
title: Typed answers
summary: A quiz answered in words, after the demo.
order: 2
requires: [demo]
steps:
  - type: quiz
    question: Which function pauses a coroutine without blocking the loop?
    answer: asyncio.sleep
    accept: [sleep]
    explanation: time.sleep would block every task.
  - type: text
    body: Done.
"""


@pytest.fixture
def two_lessons(add_lesson) -> Path:
    return add_lesson(TYPED, "typed.yaml")


def test_every_lazy_command_and_subcommand_target_can_be_imported() -> None:
    for command in COMMANDS:
        module, _, function = command.target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), command.name
        assert command.usage.startswith(f"%{command.name}") and command.summary
    for name, summary, target in SUBCOMMANDS:
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), name


async def test_no_resume_offer_and_nothing_written_on_a_first_run(shell: Shell, asyncshell_home: Path) -> None:
    await shell.type()
    assert resume_hint(shell.session) is None
    assert not asyncshell_home.exists()


async def test_a_new_session_offers_the_lesson_left_half_done(lessons: Path) -> None:
    first = Shell(lessons)
    await first.type("%learn demo", "", "")
    first.tutor.store.close()
    second = Shell(lessons)
    await second.type()
    assert resume_hint(second.session) == ("You were in the middle of 'Demo lesson' (2 of 6 steps done); "
                                           "type %learn demo to carry on.")


async def test_a_lesson_gone_through_to_the_end_is_not_offered_again(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%skip", GREET, "%check", "", SHOUT, "%check", "", "")
    assert resume_hint(shell.session) is None
    assert listed_state(await shell.type("%lessons"), "demo") == "finished, 5 of 6 done"


async def test_a_store_problem_is_told_once(shell: Shell, asyncshell_home: Path) -> None:
    asyncshell_home.mkdir()
    (asyncshell_home / FILENAME).write_bytes(b"not a database at all" * 100)
    out = await shell.type("%lessons", "%lessons")
    assert out.count("started a fresh one") == 1
    assert listed_state(out, "demo") == "not started"


async def test_a_broken_lesson_file_is_named_and_the_others_still_listed(shell: Shell, lessons: Path) -> None:
    (lessons / "broken.yaml").write_text("format: 1\nid: broken\n", encoding="utf-8")
    out = await shell.type("%lessons")
    assert "1 lesson file failed to load:" in out and "broken.yaml:1: title: missing" in out
    assert listed_state(out, "demo") == "not started"


async def test_a_typed_answer_is_compared_loosely_and_prerequisites_are_mentioned(two_lessons: Path) -> None:
    shell = Shell(two_lessons)
    out = await shell.type("%learn typed")
    assert "This lesson builds on demo" in out
    assert "Answer with %answer YOUR ANSWER." in out
    assert "Not quite" in await shell.type("%answer time.sleep")
    out = await shell.type("%answer  Asyncio.Sleep ")
    assert "Right. time.sleep would block every task." in out and "Done." in await shell.type("")
    answers = quiz_answers(shell.tutor.store.path, "typed", "quiz-1")  # (lesson, step, at, correct, answer)
    assert [(bool(a[3]), a[4]) for a in answers] == [(False, "time.sleep"), (True, "Asyncio.Sleep")]


async def test_skipping_a_quiz_tells_the_answer(shell: Shell) -> None:
    out = await shell.type("%learn demo", "", "", "%skip")
    assert "Skipped. The answer: 2. A coroutine object. Nothing runs until it is awaited." in out
    assert shell.session.hooks.prompt_prefix == "[demo 4/6] "


async def test_the_next_lesson_is_suggested_when_one_ends(two_lessons: Path) -> None:
    shell = Shell(two_lessons)
    out = await shell.type("%learn demo", "", "", "%answer 2", "", GREET, "%check", "", SHOUT, "%check", "", "")
    assert out.rstrip().endswith("Next: %learn typed")


async def test_progress_reports_each_lesson_and_the_totals(two_lessons: Path) -> None:
    shell = Shell(two_lessons)
    out = await shell.type("%learn demo", "", "", "%answer 1", "%answer 2", "", "%check", "%progress")
    lines = out[out.index("Progress:"):].splitlines()
    assert lines[1].split() == ["demo", "Demo", "lesson", "3", "of", "6", "3", "attempts,", "0", "revealed,",
                                "0", "skipped"]
    assert lines[2].split() == ["typed", "Typed", "answers", "not", "started"]
    assert lines[3] == "In all: 3 steps done, 1 check run (0 passed), 2 quiz answers (1 right)."


SERVED = """\
format: 1
id: served
title: Against the server
summary: A lesson that needs the practice server.
order: 3
needs: [practice_server]
steps:
  - type: exercise
    id: ping
    body: Nothing to do; the check looks at the server.
    hints: [None needed., Really.]
    check: |
      assert server.url.startswith("http://127.0.0.1:")
    solution: |
      pass
"""


async def test_a_lesson_that_needs_the_practice_server_gets_it_in_its_checks(lessons: Path) -> None:
    (lessons / "served.yaml").write_text(SERVED, encoding="utf-8")
    shell = Shell(lessons)
    try:
        out = await shell.type("%learn served")
        server = shell.session.features.get(PracticeServer)
        url = server.url
        assert f"This lesson uses the practice server; it is running at {url} (BASE_URL)." in out
        assert "Passed!" in await shell.type("%check")
        assert shell.namespace["BASE_URL"] == url
    finally:
        await shell.end()
    assert not server.running


async def test_colour_marks_a_pass_green(lessons: Path) -> None:
    shell = Shell(lessons, color=True)
    out = await shell.type("%learn demo", "", "", "%answer 2", "")
    assert "\x1b[32mRight.\x1b[0m Nothing runs" in out
    assert "\x1b[32mPassed!\x1b[0m" in await shell.type(GREET, "%check")


async def test_the_shell_finds_lessons_in_the_folders_of_ASYNCSHELL_LESSONS(
    lessons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASYNCSHELL_LESSONS", str(lessons))
    shell = Shell(None)
    assert "demo" in await shell.type("%lessons")
    await shell.type("%learn demo")
    assert shell.session.hooks.prompt_prefix == "[demo 1/6] "


