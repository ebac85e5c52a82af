"""The assert rewriter: a failing assert tells what its parts were, and code still runs exactly as written."""

from __future__ import annotations

import ast
import inspect
import math
from typing import Any

import pytest

from asyncshell.course.assertions import AssertionFailed, rewrite_asserts
from asyncshell.course.differences import MAX_REPR


async def failure(source: str, **names: Any) -> AssertionFailed | None:
    """Run rewritten check code (top-level await allowed); the assert that failed, or None."""
    rewritten = rewrite_asserts(source, "<check:t>")
    code = compile(rewritten.tree, "<check:t>", "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    try:
        result = eval(code, {**names, **rewritten.names})
        if inspect.iscoroutine(result):
            await result
    except AssertionFailed as exc:
        return exc
    return None


async def explained(source: str, **names: Any) -> list[str]:
    failed = await failure(source, **names)
    assert failed is not None, "the assert should have failed"
    return failed.explanation()


async def test_outer_values_come_first_and_the_message_is_kept() -> None:
    failed = await failure('assert len(calls) == 3, f"called {len(calls)} times"', calls=["a", "b"])
    assert failed is not None
    assert failed.explanation() == ["len(calls) was 2", "calls was ['a', 'b']"]
    assert failed.message == "called 2 times"
    assert str(failed) == "called 2 times"
    assert (failed.site.line, failed.site.source) == (1, 'assert len(calls) == 3, f"called {len(calls)} times"')


async def test_a_passing_assert_passes_and_its_message_is_never_evaluated() -> None:
    def explode() -> str:
        raise RuntimeError("the message was evaluated")

    assert await failure("assert 1 + 1 == 2, explode()", explode=explode) is None


async def test_each_part_is_evaluated_once_in_order() -> None:
    seen: list[str] = []

    def note(name: str) -> str:
        seen.append(name)
        return name

    lines = await explained("assert note('a') + note('b') == note('c')", note=note)
    assert seen == ["a", "b", "c"]
    assert lines == ["note('a') was 'a'", "note('b') was 'b'", "note('c') was 'c'"]


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("assert flag and explode()", ["flag was []"]),
        ("assert explode() if flag else other", ["flag was []", "other was 0"]),
        ("assert not (ok or explode())", ["ok was 1"]),
    ],
)
async def test_short_circuited_parts_are_never_evaluated_or_shown(source: str, shown: list[str]) -> None:
    def explode() -> None:
        raise RuntimeError("short-circuit ignored")

    assert await explained(source, flag=[], ok=1, other=0, explode=explode) == shown


async def test_awaits_show_what_they_returned_not_the_coroutine() -> None:
    async def answer(question: str) -> int:
        return 41

    assert await explained("assert await answer('life') == 42", answer=answer) == ["await answer('life') was 41"]


async def test_functions_modules_and_a_bare_false_tell_nothing_and_are_left_out() -> None:
    def done() -> bool:
        return False

    assert await explained("assert done()", done=done) == []
    assert await explained("assert math.floor(x) == 3", math=math, x=2.5) == ["math.floor(x) was 2", "x was 2.5"]
    assert await explained("assert maybe()", maybe=lambda: None) == ["maybe() was None"]


async def test_long_and_broken_reprs_are_contained() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise ValueError("no repr for you")

    (long_line,) = await explained("assert big == []", big=list(range(1000)))
    assert long_line.startswith("big was [0, 1, 2") and long_line.endswith("...")
    assert len(long_line) == len("big was ") + MAX_REPR
    assert await explained("assert thing is None", thing=Broken()) == ["thing was <Broken object; repr() raised ValueError>"]


async def test_comprehensions_show_the_iterable_they_started_from() -> None:
    lines = await explained("assert all(n > 0 for n in numbers)", numbers=[3, -1])
    assert lines == ["numbers was [3, -1]"]


async def test_walrus_subscripts_attributes_and_method_calls() -> None:
    class Box:
        items = ["x"]

    lines = await explained("assert (size := len(box.items)) > 1 and box.items[0] == 'y'", box=Box())
    assert lines[0] == "len(box.items) was 1"
    assert "box.items was ['x']" in lines
    lines = await explained("assert word.upper().startswith('B')", word="abc")
    assert lines == ["word.upper() was 'ABC'", "word was 'abc'"]


async def test_asserts_in_nested_functions_and_loops_record_each_run_afresh() -> None:
    source = "def small(v):\n    assert v < 2, f'{v} is too big'\nfor i in range(5):\n    small(i)"
    failed = await failure(source)
    assert failed is not None
    assert failed.explanation() == ["v was 2"]
    assert (failed.site.line, failed.message) == (2, "2 is too big")


async def test_a_multi_line_assert_keeps_its_shape_and_first_line() -> None:
    source = "if True:\n    assert (\n        total\n        == 3\n    ), 'sum'"
    failed = await failure(source, total=4)
    assert failed is not None
    assert failed.site.line == 2
    assert failed.site.source == "assert (\n    total\n    == 3\n), 'sum'"


async def test_failures_are_assertion_errors_that_check_code_can_catch() -> None:
    source = "try:\n    assert x\nexcept AssertionError:\n    caught = True\nassert not caught"
    assert await explained(source, x=0) == ["caught was True"]


async def test_zero_argument_super_still_works_inside_rewritten_asserts() -> None:
    source = (
        "class Base:\n    def value(self):\n        return 1\n"
        "class Child(Base):\n    def check(self):\n        assert super().value() == 2\n"
        "Child().check()"
    )
    assert await explained(source) == ["super().value() was 1"]
