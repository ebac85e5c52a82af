"""The lessons asyncshell ships: they load, ``asyncshell validate`` passes them, and the sample shows every step type."""

from __future__ import annotations

import re

import pytest

from asyncshell.paths import LESSONS_ENV
from asyncshell.course.catalog import load_lessons
from asyncshell.course.model import STEP_TYPES, ExerciseStep, PredictStep, QuizStep
from asyncshell.cli import main
from asyncshell.paths import builtin_lessons_dir
from course.lesson_shell import Shell
from support import run_inputs


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LESSONS_ENV, raising=False)


def test_every_built_in_lesson_validates(capsys):
    """The suite's one run over all built-in lessons: solutions pass, starters fail, nothing fails to load."""
    status = main(["validate"])
    out = capsys.readouterr().out
    assert status == 0, out
    ids = [lesson.id for lesson in load_lessons([builtin_lessons_dir()]).lessons]
    rows = out.splitlines()[1:1 + len(ids)]
    assert [row.split()[0] for row in rows] == ids
    assert all(row.split()[3] == "ok" for row in rows), out
    assert out.endswith(": all good.\n")


def test_the_sample_lesson_uses_every_kind_of_step():
    loaded = load_lessons([builtin_lessons_dir()])
    assert loaded.errors == ()
    sample = loaded.get("first-steps")
    assert sample is not None and sample.order == 20
    assert {type(step) for step in sample.steps} == set(STEP_TYPES)
    quizzes = [step for step in sample.steps if isinstance(step, QuizStep)]
    assert {quiz.is_multiple_choice for quiz in quizzes} == {True, False}
    for exercise in sample.steps:
        if isinstance(exercise, ExerciseStep):
            assert exercise.starter and len(exercise.hints) >= 2


def test_the_sample_lesson_is_where_explanations_of_a_forgotten_await_point():
    sample = load_lessons([builtin_lessons_dir()]).get("first-steps")
    assert sample is not None
    assert {"never-awaited", "bare-coroutine"} <= set(sample.teaches)


async def test_the_sample_examples_print_only_the_lines_their_text_compares(asyncshell_home, capsys) -> None:
    """Run as a learner would with %run, warnings shown as the shell shows them: no stray values, no warning."""
    shell = Shell(None)
    await shell.type()
    assert shell.session is not None
    collect = "import gc; _ = gc.collect()"
    await run_inputs(["%learn first-steps", "", "%run", collect, "", "%answer 2", "", "%skip", "%skip", "", "%run", collect],
                     session=shell.session)
    assert re.fullmatch(r"<coroutine object ask at 0x[0-9a-f]+>\n42\n"
                        r"one by one: 1\.5 s\n\[0\.5, 0\.5, 0\.5\]\ngathered:   0\.5 s\n", capsys.readouterr().out)
    shown = shell.stream.getvalue()
    assert "step 7 of 17" in shown and "Warning" not in shown


def test_every_wrong_choice_in_the_course_says_why_and_every_exercise_has_two_hints():
    loaded = load_lessons([builtin_lessons_dir()])
    unexplained = [f"{lesson.id}/{step.key} choice {n}" for lesson in loaded.lessons for step in lesson.steps
                   if isinstance(step, (QuizStep, PredictStep)) for n, choice in enumerate(step.choices, 1)
                   if n not in step.answers and not choice.explanation]
    assert unexplained == []
    assert all(len(step.hints) >= 2 and step.starter_fails_with for step in
               (exercise for lesson in loaded.lessons for exercise in lesson.exercises))
