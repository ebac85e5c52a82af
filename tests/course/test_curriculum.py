"""Every built-in exercise accepts more than one right answer and refuses its classic mistake.

Each lesson has a file in ``curriculum/`` (named by lesson id) that gives, per
exercise, a ``second`` correct solution in another style, a plausible
``wrong`` one, and ``wrong_says``: part of what the check must tell a learner
who writes it.  They run through ``validate``'s own machinery: a fresh
namespace after the setup, on a loop of their own, with the practice server
when the lesson needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from asyncshell.course.catalog import load_lessons
from asyncshell.course.exercise import Provided, provide
from asyncshell.course.model import ExerciseStep, Lesson
from asyncshell.course.validate import _attempt, _run
from asyncshell.paths import builtin_lessons_dir

HERE = Path(__file__).parent / "curriculum"
LESSONS = load_lessons([builtin_lessons_dir()]).lessons
EXERCISES = [(lesson, exercise) for lesson in LESSONS for exercise in lesson.exercises]


def answers(lesson: Lesson) -> dict[str, Any]:
    path = HERE / f"{lesson.id}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def test_every_exercise_has_a_second_solution_and_a_wrong_one():
    missing = [f"{lesson.id}/{exercise.id}" for lesson, exercise in EXERCISES
               if not {"second", "wrong", "wrong_says"} <= set(answers(lesson).get(exercise.id, {}))]
    assert missing == []
    stale = [f"{lesson.id}/{key}" for lesson in LESSONS for key in answers(lesson)
             if key not in {exercise.id for exercise in lesson.exercises}]
    assert stale == []


async def _server_for(lesson: Lesson, stack: Any) -> Provided:
    async def own_server() -> Any:
        from asyncshell.practice_server import PracticeServer

        server = PracticeServer()
        stack.push_async_callback(server.stop)
        await server.start()
        return server

    return await provide(lesson.needs, own_server)


def _outcomes(lesson: Lesson, exercise: ExerciseStep, second: str, wrong: str) -> tuple[Any, Any]:
    import contextlib

    async def both() -> tuple[Any, Any]:
        async with contextlib.AsyncExitStack() as stack:
            provided = await _server_for(lesson, stack)
            right, _ = await _attempt(exercise, provided, second, "solution")
            mistaken, _ = await _attempt(exercise, provided, wrong, "solution", stop_on_error=False)
            return right, mistaken

    return _run(both())  # type: ignore[arg-type]  # validate's bounded runner, for any result


@pytest.mark.parametrize(("lesson", "exercise"), EXERCISES, ids=[f"{l.id}/{e.id}" for l, e in EXERCISES])
def test_a_second_style_passes_and_the_classic_mistake_fails_saying_so(lesson: Lesson, exercise: ExerciseStep):
    entry = answers(lesson).get(exercise.id)
    if entry is None:
        pytest.skip("no second solution written yet (the test above fails for it)")
    right, mistaken = _outcomes(lesson, exercise, entry["second"], entry["wrong"])
    assert right.setup_failed is None and right.answer_failed is None, right
    assert right.result is not None and right.result.passed, right.result and right.result.message
    assert mistaken.result is not None and not mistaken.result.passed, "the wrong solution passed"
    said = f"{mistaken.result.message}\n{mistaken.result.why}"
    assert entry["wrong_says"] in said, said
