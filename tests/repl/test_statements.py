"""Where inputs end: Enter's decision and how piped lines become inputs."""

from __future__ import annotations

import pytest

from asyncshell.repl.statements import Status, StatementSplitter, input_status, next_indent, should_submit


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("await asyncio.sleep(1)", Status.COMPLETE),
        ("async def f():", Status.INCOMPLETE),
        ("x = [1,", Status.INCOMPLETE),
        ("s = '''abc", Status.INCOMPLETE),
        ("1 +", Status.INVALID),
        ("%help", Status.COMPLETE),
        ("", Status.COMPLETE),
    ],
)
def test_input_status(text: str, status: Status) -> None:
    assert input_status(text) is status


@pytest.mark.parametrize(
    ("text", "submit"),
    [
        ("1 + 1", True),
        ("async def f():", False),
        ("async def f():\n    await asyncio.sleep(1)", False),  # the block may go on
        ("async def f():\n    await asyncio.sleep(1)\n", True),  # a blank line ends it
        ("async def f():\n    pass\n\nawait f()", True),  # a paste that ends unindented
        ("for i in range(3): print(i)", True),
        ("1 +", True),  # invalid: run it so the error shows
    ],
)
def test_enter_submits_complete_inputs_only(text: str, submit: bool) -> None:
    assert should_submit(text) is submit


def test_next_indent_opens_and_closes_blocks() -> None:
    assert next_indent("async def f():") == "    "
    assert next_indent("async def f():\n    x = 1") == "    "
    assert next_indent("def f():\n    if x:\n        return 1") == "    "
    assert next_indent("x = 1") == ""


def split(text: str) -> list[str]:
    splitter = StatementSplitter()
    chunks: list[str] = []
    for line in text.splitlines(keepends=True):
        chunks += splitter.feed(line)
    return chunks + splitter.flush()


TUTORIAL = '''import asyncio

async def say(what, delay):
    await asyncio.sleep(delay)

    print(what)
async def main():
    await say("hello", 0.1)
asyncio.run(main())
'''


def test_a_tutorial_splits_at_unindented_lines_even_without_blank_lines() -> None:
    assert split(TUTORIAL) == [
        "import asyncio\n",
        "async def say(what, delay):\n    await asyncio.sleep(delay)\n\n    print(what)\n",
        'async def main():\n    await say("hello", 0.1)\n',
        "asyncio.run(main())\n",
    ]


def test_else_and_except_continue_their_block() -> None:
    text = "if x:\n    a = 1\nelse:\n    a = 2\ntry:\n    b\nexcept NameError:\n    pass\nprint(a)\n"
    assert split(text) == [
        "if x:\n    a = 1\nelse:\n    a = 2\n",
        "try:\n    b\nexcept NameError:\n    pass\n",
        "print(a)\n",
    ]


def test_brackets_strings_and_comments_at_column_zero_stay_in_their_input() -> None:
    text = 'x = [\n1,\n]\ns = """\nhello\n"""\ndef f():\n    a = 1\n# a comment\n    return a\n'
    assert split(text) == ["x = [\n1,\n]\n", 's = """\nhello\n"""\n', "def f():\n    a = 1\n# a comment\n    return a\n"]


def test_simple_lines_are_released_as_soon_as_they_arrive() -> None:
    splitter = StatementSplitter()
    assert splitter.feed("print('ok')\n") == ["print('ok')\n"]
    assert splitter.feed("%help\n") == ["%help\n"]
    assert splitter.feed("async def f():\n") == []
    assert splitter.feed("    return 1\n") == []
    assert splitter.feed("await f()\n") == ["async def f():\n    return 1\n", "await f()\n"]


def test_a_one_line_if_waits_for_a_possible_else() -> None:
    splitter = StatementSplitter()
    assert splitter.feed("if True: x = 1\n") == []
    assert splitter.feed("else: x = 2\n") == []
    assert splitter.flush() == ["if True: x = 1\nelse: x = 2\n"]


def test_blank_lines_make_no_inputs() -> None:
    assert split("\n\n1\n\n\n2\n\n") == ["1\n", "2\n"]


def test_a_line_too_deep_for_the_compiler_is_submitted_to_show_its_error() -> None:
    # Too deep for the compiler on some Python versions (3.13 manages the first): never an exception here.
    for line in ("1" + "+1" * 3000, "-" * 100_000 + "1", "not " * 50_000 + "True"):
        assert input_status(line) is not Status.INCOMPLETE
        assert should_submit(line)
