"""A new learner in the real shell (pexpect in a pseudo-terminal): walks lessons to the end, quits, and comes back."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pexpect
import pytest

from asyncshell.course.catalog import load_lessons
from asyncshell.course.model import ExerciseStep, PredictStep, QuizStep
from asyncshell.paths import builtin_lessons_dir
from support import child_env, installed_asyncshell

COURSE = load_lessons([builtin_lessons_dir()])


def spawn(home: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        installed_asyncshell(), list(args),
        env=child_env(home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1"),
        encoding="utf-8", dimensions=(50, 120), timeout=20,
    )


def at_step(child: pexpect.spawn, number: int, lesson: str = "first-steps") -> None:
    """Wait for the prompt of that step (the accepted line is redrawn with the old prompt first)."""
    total = len(COURSE.get(lesson).steps)
    child.expect(rf"\[{lesson} {number}/{total}\] >>>")


def paste(child: pexpect.spawn, code: str) -> None:
    """What a terminal sends when the learner pastes ``code`` and presses Enter (bracketed paste)."""
    child.send("\x1b[200~" + code.rstrip("\n") + "\n\x1b[201~\r")


#: The lessons walked on every run; ASYNCSHELL_E2E_LESSONS=all (or a comma-separated list) walks others.
WALKED = os.environ.get("ASYNCSHELL_E2E_LESSONS", "first-steps,tasks,limiting-concurrency")


@pytest.mark.parametrize("lesson_id", [lesson.id for lesson in COURSE.lessons] if WALKED == "all" else WALKED.split(","))
def test_a_new_learner_completes_the_lesson(asyncshell_home: Path, lesson_id: str) -> None:
    """Every step in order: read on, answer every quiz and prediction, and solve every exercise at the
    prompt: the first one is checked as it starts (it fails, saying why), then a hint, then a solution."""
    lesson = COURSE.get(lesson_id)
    if lesson is None:
        pytest.skip(f"the course has no lesson {lesson_id!r} yet")
    child = spawn(asyncshell_home, "learn", lesson_id)
    if "practice_server" in lesson.needs:
        child.expect(r"http://127\.0\.0\.1:\d+")  # the server started by itself
    first_exercise = True
    for number, step in enumerate(lesson.steps, 1):
        at_step(child, number, lesson_id)
        if isinstance(step, (QuizStep, PredictStep)):
            if isinstance(step, QuizStep):
                child.sendline("%answer " + (", ".join(map(str, step.answers)) if step.choices else step.accepted[0]))
            else:
                child.sendline("%answer " + (str(step.answers[0]) if step.choices else ", ".join(step.output.splitlines())))
            child.expect("Right")
            at_step(child, number, lesson_id)
            child.send("\r")  # answered, it stays on its step for the learner to read why: Enter goes on
        elif isinstance(step, ExerciseStep):
            if first_exercise:
                child.send("\r")  # Enter runs the untouched starter
                at_step(child, number, lesson_id)
                child.sendline("%check")
                if lesson_id == "limiting-concurrency":  # without a semaphore: the peak the server saw, said
                    child.expect("12 requests were in flight at once; the limit is 3")
                else:
                    child.expect(re.escape(step.starter_fails_with or "Not yet"))
                at_step(child, number, lesson_id)
                child.sendline("%hint")
                child.expect("hint 1 of")
                at_step(child, number, lesson_id)
                first_exercise = False
            paste(child, step.solution.source)
            at_step(child, number, lesson_id)
            child.sendline("%check")
            child.expect("Passed!")
            at_step(child, number, lesson_id)
            child.send("\r")
        else:
            child.send("\r")  # text and examples: Enter reads on
    child.expect("Lesson complete")
    child.expect(">>>")
    child.sendline("%quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_walk_the_sample_lesson_then_resume_it(asyncshell_home: Path) -> None:
    child = spawn(asyncshell_home, "learn", "first-steps")
    child.expect("A coroutine is a function call, not started yet")
    at_step(child, 1)
    child.send("\r")  # Enter on an empty line: next step
    at_step(child, 2)
    child.send("\r")
    child.expect("What do you get")
    at_step(child, 3)
    child.sendline("%answer 1")
    child.expect("Not quite")
    at_step(child, 3)
    child.sendline("%answer 2")
    child.expect("Right")
    at_step(child, 3)
    child.send("\r")
    at_step(child, 4)
    child.sendline("%answer made it, hello from inside, 1")  # a prediction: the code runs, its output beside it
    child.expect("You predicted")
    child.expect("Right")
    at_step(child, 4)
    child.send("\r")
    at_step(child, 5)
    # The starter is already in the buffer: run it as it is (a plain def), and check it.
    child.send("\r\r")
    at_step(child, 5)
    child.sendline("%check")
    child.expect("define slow_square with async def")
    at_step(child, 5)
    child.sendline("%hint")
    child.expect("hint 1 of 3")
    at_step(child, 5)
    child.send("async def slow_square(x):\r")
    child.send("await asyncio.sleep(0.1)\r")
    child.send("return x * x\r\r")
    at_step(child, 5)
    child.sendline("%check")
    child.expect("Passed!")
    at_step(child, 5)
    child.send("\r")
    at_step(child, 6)
    child.sendline("print('sy' + 'nc')")  # a fresh prompt for sure: ^D in a cooked terminal is lost
    child.expect("sync")
    at_step(child, 6)
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    again = spawn(asyncshell_home)
    again.expect("You were in the middle of 'First steps with asyncio'")
    again.expect(">>>")
    again.sendline("%learn first-steps")
    again.expect("Awaiting one by one adds up")
    at_step(again, 6)
    again.sendline("%quit")
    again.expect(pexpect.EOF)
