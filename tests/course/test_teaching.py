"""Explanations point to the lesson that teaches the mistake: the first in course order whose ``teaches:`` lists it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from asyncshell.course.catalog import load_lessons
from asyncshell.course.model import LoadResult
from asyncshell.course.teaching import LessonLinks
from asyncshell.course.tutor import Tutor
from asyncshell.insight.explain import install_explanations
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.session import Session
from support import run_inputs

LESSON = """\
format: 1
id: {id}
title: {title}
summary: A lesson that teaches a few mistakes.
order: {order}
teaches: [{teaches}]
steps:
  - type: text
    body: Read this.
"""

FETCH = "async def fetch():\n    return 1\n"
NEVER_AWAITED = "async def main():\n    fetch()\n"  # then "await main()"
NOT_AWAITABLE = "await fetch"
RUN_IN_LOOP = "def go():\n    return asyncio.run(fetch())\n"  # then "go()"


class Course:
    """The lessons in a folder, loaded as the catalog would be; counts how often they were loaded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loads = 0

    def add(self, id: str, title: str, order: int, teaches: list[str]) -> None:
        text = LESSON.format(id=id, title=title, order=order, teaches=", ".join(teaches))
        (self.folder / f"{id}.yaml").write_text(text, encoding="utf-8")

    def load(self) -> LoadResult:
        self.loads += 1
        result = load_lessons([self.folder])
        assert not result.errors, result.errors
        return result


@pytest.fixture
def course(tmp_path: Path) -> Course:
    course = Course(tmp_path)
    course.add("basics", "Coroutine basics", 1, ["never-awaited", "not-awaitable"])
    course.add("more", "More about awaiting", 2, ["never-awaited"])
    return course


class Learner:
    """A session with the explanations linked to ``course``; ``type`` returns what the shell added on stdout."""

    def __init__(self, course: Course) -> None:
        self.out = io.StringIO()
        console = Console(self.out, io.StringIO(), color=False)
        self.session = Session(Evaluator(write=console.write), console, interactive=False)
        install_explanations(self.session, lesson_link=LessonLinks(self.session, load=course.load))

    async def type(self, *inputs: str) -> str:
        start = self.out.tell()
        await run_inputs(inputs, session=self.session)
        return self.out.getvalue()[start:]

    async def start_lesson(self, course: Course, lesson_id: str) -> None:
        tutor = self.session.features.get_or_make(Tutor, lambda: Tutor(self.session, load=course.load))
        await tutor.learn(lesson_id)


async def test_an_explanation_links_the_first_lesson_in_course_order_that_teaches_the_mistake(course: Course) -> None:
    out = await Learner(course).type(FETCH, NEVER_AWAITED, "await main()", NOT_AWAITABLE)
    assert out.count("Lesson 'Coroutine basics' covers this: %learn basics") == 2
    assert "%learn more" not in out


async def test_no_link_to_the_lesson_the_learner_is_in(course: Course) -> None:
    learner = Learner(course)
    await learner.start_lesson(course, "basics")
    out = await learner.type(FETCH, NEVER_AWAITED, "await main()")
    assert "Lesson 'More about awaiting' covers this: %learn more" in out  # the next lesson that teaches it
    out = await learner.type(NOT_AWAITABLE)
    assert "`await` needs an awaitable" in out and "covers this" not in out  # only the lesson they are in does


async def test_no_link_when_no_lesson_teaches_the_mistake(course: Course) -> None:
    out = await Learner(course).type(FETCH, RUN_IN_LOOP, "go()")
    assert "asyncio.run() starts a new event loop" in out and "covers this" not in out


async def test_the_lessons_are_read_only_when_a_first_link_is_wanted_and_then_once(course: Course) -> None:
    learner = Learner(course)
    await learner.type(FETCH, "print(await fetch())")
    assert course.loads == 0
    await learner.type(NOT_AWAITABLE, NOT_AWAITABLE)
    assert course.loads == 1
