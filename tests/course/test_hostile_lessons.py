"""Lesson files written to hurt: each is refused in one plain line, quickly, or loads as it should.

Aliases that multiply a file, tags that would build objects, text that is not
text, timeouts out of range, and ``requires`` chains longer than Python's stack.
"""

from __future__ import annotations

import time

import pytest

from asyncshell.course.catalog import load_lessons
from asyncshell.course.loader import load_lesson
from asyncshell.errors import LessonError
from course.test_loader import EXERCISE, HEAD  # HEAD is six lines, so the exercise starts on line 7

def refused(write_lesson, text: str) -> str:
    with pytest.raises(LessonError) as caught:
        load_lesson(write_lesson(text))
    return str(caught.value)


# -- aliases


def test_an_alias_repeated_until_the_lesson_is_huge_is_refused_at_once(write_lesson):
    big = "x" * 300_000
    hints = ", ".join(["*big"] * 1000)
    text = HEAD + EXERCISE.replace("body: Write greet.", f"body: &big {big}").replace("hints: [one, two]",
                                                                                      f"hints: [{hints}]")
    started = time.perf_counter()
    message = refused(write_lesson, text)
    assert time.perf_counter() - started < 2
    assert message == ("lesson.yaml:10: steps[0].hints: its aliases make it more than 1,000,000 characters long; "
                       "a lesson may hold no more than a file may")


def test_nested_aliases_that_multiply_are_refused_at_once(write_lesson):
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 12)]
    started = time.perf_counter()
    message = refused(write_lesson, "\n".join(levels) + "\n")
    assert time.perf_counter() - started < 2
    assert message.startswith("lesson.yaml:6: a5: its aliases make it more than 1,000,000 characters long")


def test_an_alias_inside_what_it_names_is_refused(write_lesson):
    message = refused(write_lesson, HEAD + EXERCISE.replace("hints: [one, two]", "hints: &h [one, *h]"))
    assert message == "lesson.yaml:10: steps[0].hints[1]: an alias inside the very list or mapping it names"


def test_aliases_that_stay_small_still_work(write_lesson):
    text = HEAD + EXERCISE.replace("hints: [one, two]", "hints: [&one one, *one, two]")
    assert load_lesson(write_lesson(text)).exercises[0].hints == ("one", "one", "two")


# -- tags


@pytest.mark.parametrize(("value", "tag"), [
    ('!!python/object/apply:os.system ["echo hi"]', "!!python/object/apply:os.system"),
    ("!!python/object:os.system x", "!!python/object:os.system"),
    ("!!binary aGk=", "!!binary"),
    ("!!set {a, b}", "!!set"),
    ("!mine x", "!mine"),
])
def test_a_tag_that_would_build_an_object_is_refused_by_name(write_lesson, value, tag):
    message = refused(write_lesson, HEAD.replace("title: T", f"title: {value}"))
    assert message == (f"lesson.yaml:3: title: the tag {tag} is refused; "
                       "a lesson holds plain values only (text, numbers, true/false, lists, mappings)")


def test_plain_tags_are_fine(write_lesson):
    lesson = load_lesson(write_lesson(HEAD.replace("title: T", "title: !!str 42") + EXERCISE))
    assert lesson.title == "42"


# -- text that is not text


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d\\ude00"])
def test_a_lone_surrogate_is_refused(write_lesson, escape):
    message = refused(write_lesson, HEAD.replace("summary: S", f'summary: "ok {escape}"') + EXERCISE)
    assert message.startswith(f"lesson.yaml:4: summary: contains U+{escape[2:6].upper()}, half of a UTF-16 pair")


# -- timeouts


def test_a_timeout_past_the_cap_is_one_line(write_lesson):
    message = refused(write_lesson, HEAD + EXERCISE + "    timeout: 1.0e+10\n")
    assert message == "lesson.yaml:16: steps[0].timeout: must be at most 300 seconds, got 1e+10"


@pytest.mark.parametrize(("written", "seconds"), [("1e-3", 0.001), ("2E1", 20.0), ("300", 300.0), (".5e1", 5.0)])
def test_a_timeout_in_exponent_form_is_a_number(write_lesson, written, seconds):
    lesson = load_lesson(write_lesson(HEAD + EXERCISE + f"    timeout: {written}\n"))
    assert lesson.exercises[0].timeout == seconds


def test_a_quoted_timeout_is_still_a_string(write_lesson):
    message = refused(write_lesson, HEAD + EXERCISE + '    timeout: "1e-3"\n')
    assert message == "lesson.yaml:16: steps[0].timeout: expected a number, got a string"


# -- requires chains


def _chain(write_lesson, count: int, *, cycle: bool = False) -> None:
    """l0 requires l1, which requires l2, and so on; with ``cycle`` the last requires l0."""
    for n in range(count):
        requires = f"[l{n + 1}]" if n + 1 < count else ("[l0]" if cycle else "[]")
        write_lesson(HEAD.replace("id: intro", f"id: l{n}").replace("steps:", f"requires: {requires}\nsteps:")
                     + "  - type: text\n    body: hi\n", f"chain/l{n}.yaml")


def test_a_requires_chain_longer_than_the_stack_loads(write_lesson, lesson_dir):
    _chain(write_lesson, 1100)
    started = time.perf_counter()
    loaded = load_lessons([lesson_dir / "chain"])
    assert time.perf_counter() - started < 10
    assert loaded.errors == () and len(loaded.lessons) == 1100


def test_a_requires_cycle_longer_than_the_stack_is_one_line_per_lesson(write_lesson, lesson_dir):
    _chain(write_lesson, 1100, cycle=True)
    loaded = load_lessons([lesson_dir / "chain"])
    assert loaded.lessons == () and len(loaded.errors) == 1100
    first = next(str(e) for e in loaded.errors if e.path.name == "l0.yaml")
    assert first == (f"{lesson_dir / 'chain' / 'l0.yaml'}:6: requires[0]: lessons require each other "
                            "in a cycle: l0 -> l1 -> l2 -> … -> l1099 -> l0 (1,100 lessons)")
