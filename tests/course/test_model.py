"""The lesson model: loaded lessons are frozen, keyed for progress, and judge quiz replies."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from asyncshell.course.loader import load_lesson
from asyncshell.course.model import (
    DEFAULT_TIMEOUT,
    Code,
    ExampleStep,
    ExerciseStep,
    Lesson,
    Location,
    PredictStep,
    QuizStep,
    TextStep,
    file_keys,
)
from asyncshell.insight.mistakes import MISTAKES


@pytest.fixture
def lesson(write_lesson, full_lesson):
    return load_lesson(write_lesson(full_lesson()))


def test_full_lesson_loads_every_field(lesson):
    assert (lesson.id, lesson.title, lesson.order) == ("intro", "First steps", 1)
    assert lesson.summary == "Coroutines, awaiting, and your first exercise."
    assert (lesson.requires, lesson.needs) == ((), ())
    assert lesson.path == Path("lesson.yaml")
    text, example, choice, typed, exercise = lesson.steps
    assert isinstance(text, TextStep)
    assert text.body == "# Coroutines\nCalling an `async def` function gives you a *coroutine object*."
    assert isinstance(example, ExampleStep)
    assert example.code == Code(source="async def main():\n    return 42", line=15)
    assert example.body == "Run this and look at what `main()` returns."
    assert isinstance(choice, QuizStep) and choice.is_multiple_choice
    assert [c.text for c in choice.choices] == ["Blocks the thread", "Suspends the coroutine until the result is ready"]
    assert (choice.answers, choice.accepted) == ((2,), ())
    assert isinstance(typed, QuizStep) and not typed.is_multiple_choice
    assert (typed.choices, typed.answers, typed.accepted) == ((), (), ("asyncio.sleep", "sleep"))
    assert isinstance(exercise, ExerciseStep)
    assert exercise.id == "greet"
    assert exercise.setup == Code(source="import asyncio", line=34)
    assert exercise.starter_source == "async def greet(name):\n    ..."
    assert exercise.hints == ("It is a coroutine function.", "Use an f-string.")
    assert exercise.check.source == 'assert await greet("ada") == "hello, ada"'
    assert exercise.solution.source.startswith("async def greet(name):")
    assert exercise.timeout == 5.0
    assert exercise.location == Location(Path("lesson.yaml"), 30)
    assert str(exercise.location) == "lesson.yaml:30"


def test_loaded_lesson_cannot_be_changed(lesson):
    exercise = lesson.exercises[0]
    for thing, field in [(lesson, "title"), (lesson.steps[0], "body"), (exercise, "timeout"),
                         (exercise.check, "source"), (exercise.location, "line")]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, field, None)
    for collection in (lesson.steps, lesson.requires, lesson.needs, exercise.hints, lesson.steps[2].choices):
        assert isinstance(collection, tuple)
    assert hash(lesson) == hash(load_lesson(lesson.path))


def test_steps_are_found_by_their_progress_key(lesson):
    assert [step.key for step in lesson.steps] == ["text-1", "example-1", "quiz-1", "sleep-name", "greet"]
    assert [step.type for step in lesson.steps] == ["text", "example", "quiz", "quiz", "exercise"]
    by_key = {step.key: step for step in lesson.steps}
    assert by_key["greet"] is lesson.exercises[0]
    assert "quiz-2" not in by_key


def test_keys_survive_adding_a_step_of_another_type(write_lesson, full_lesson):
    """Inserting a text step must not move learners' progress on the quiz after it."""
    before = load_lesson(write_lesson(full_lesson()))
    grown = full_lesson().replace("  - type: quiz\n", "  - type: text\n    body: New.\n  - type: quiz\n", 1)
    after = load_lesson(write_lesson(grown, "grown.yaml"))
    assert [s.key for s in after.steps] == ["text-1", "example-1", "text-2", "quiz-1", "sleep-name", "greet"]
    quiz = {step.key: step for step in after.steps}["quiz-1"]
    assert quiz.question == {step.key: step for step in before.steps}["quiz-1"].question


def test_timeout_defaults_when_not_given(write_lesson, full_lesson):
    lesson = load_lesson(write_lesson(full_lesson().replace("    timeout: 5\n", "")))
    assert lesson.exercises[0].timeout == DEFAULT_TIMEOUT == 10.0


def test_teaches_names_kinds_of_mistake(write_lesson, full_lesson):
    text = full_lesson().replace("steps:\n", "teaches: [never-awaited, bare-coroutine]\nsteps:\n", 1)
    assert load_lesson(write_lesson(text)).teaches == ("never-awaited", "bare-coroutine")
    assert load_lesson(write_lesson(full_lesson(), "plain.yaml")).teaches == ()


FORMAT_DOC = Path(__file__).parents[2] / "docs" / "lesson-format.md"


def documented_keys(heading: str) -> set[str]:
    """The backticked keys in the first column of the first table under ``heading`` in the format doc."""
    return set(re.findall(r"^\|\s*`([a-z_-]+)`", _first_table(heading), re.MULTILINE))


def _first_table(heading: str) -> str:
    section = FORMAT_DOC.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    table = section[section.index("\n|") + 1:]
    return table.split("\n\n", 1)[0]


@pytest.mark.parametrize(("heading", "cls"), [
    ("## Lesson fields", Lesson), ("### text", TextStep), ("### example", ExampleStep),
    ("### quiz", QuizStep), ("### predict", PredictStep), ("### exercise", ExerciseStep),
])
def test_the_format_doc_describes_the_keys_the_model_reads(heading, cls):
    """The dataclasses are the schema; the doc's tables name the same keys (a step's type and id have their own paragraph)."""
    keys = set(file_keys(cls, "format" if cls is Lesson else "type"))
    assert documented_keys(heading) <= keys
    assert keys - documented_keys(heading) <= {"type", "id"}
    required = {key.name for key in file_keys(cls).values() if key.required}
    for key in keys & documented_keys(heading):
        row = re.search(rf"^\|\s*`{key}`\s*\|[^|]*\|\s*([^|]*?)\s*\|", _first_table(heading), re.MULTILINE)
        assert row is not None and (row[1] == "yes") == (key in required | {"format"}), key


def test_the_format_doc_lists_every_kind_of_mistake():
    assert sorted(documented_keys("### Mistake kinds")) == sorted(MISTAKES)


def quiz(choices=(), answers=(), accepted=()):
    return QuizStep(key="quiz-1", location=Location(Path("x.yaml"), 1), question="q",
                    choices=choices, answers=answers, accepted=accepted, explanation="e")


@pytest.mark.parametrize(("reply", "right"), [
    ("2", True), (" 2 ", True), ("1", False), ("1, 2", False), ("two", False), ("", False), ("-2", False),
])
def test_choice_quiz_wants_the_right_number(reply, right):
    assert quiz(choices=("a", "b", "c"), answers=(2,)).accepts(reply) is right


@pytest.mark.parametrize(("reply", "right"), [
    ("1, 3", True), ("3 1", True), ("1,3", True), ("1", False), ("1, 2, 3", False), ("1, 3, 3", True),
])
def test_several_right_choices_must_all_be_picked(reply, right):
    assert quiz(choices=("a", "b", "c"), answers=(1, 3)).accepts(reply) is right


@pytest.mark.parametrize(("reply", "right"), [
    ("asyncio.sleep", True), ("  Asyncio.SLEEP ", True), ("sleep", True), ("asyncio .sleep", False),
    ("time.sleep", False), ("", False),
])
def test_typed_quiz_ignores_case_and_spacing(reply, right):
    assert quiz(accepted=("asyncio.sleep", "sleep")).accepts(reply) is right


def test_typed_answer_spacing_inside_is_collapsed():
    assert quiz(accepted=("event loop",)).accepts("Event   Loop")


def test_a_typed_number_is_compared_as_a_number():
    assert quiz(accepted=("1",)).accepts("about 1 second.")


def test_importing_the_model_stays_light():
    """The shell imports the model early; YAML and pygments must wait until lessons are read or drawn."""
    code = ("import sys, asyncshell.course.model, asyncshell.course.loader;"
            "print(sorted(m for m in ('yaml', 'pygments') if m in sys.modules))")
    model_only = code.replace(", asyncshell.course.loader", "")
    run = lambda src: subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, check=True)
    assert run(model_only).stdout.strip() == "[]"
    assert run(code).stdout.strip() == "['yaml']"
