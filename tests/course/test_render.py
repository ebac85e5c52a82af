"""Rendering text steps: readable without colour, wrapped to the terminal, code highlighted with colour."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncshell.course.render import render_code, render_markdown

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")

PROSE = """\
# The event loop

An `async def` function returns a **coroutine object**, which does *nothing* until
something awaits it. The loop runs one piece of code at a time, switching only at `await`.

- `asyncio.create_task(coro)` starts a coroutine running beside you, right away
- `await` waits for one result
  - nested points are indented under their parent item
1. numbered items keep their number

```python
async def main():
    results = await asyncio.gather(fetch("https://example.org/a/very/long/path"), fetch("b"))
```

## Summary
Done.
"""


def visible(text: str) -> str:
    return ESCAPE.sub("", text)


def test_without_colour_there_are_no_escape_codes_and_markup_reads_as_written():
    out = render_markdown(PROSE, 60, color=False)
    assert "\x1b" not in out
    assert out.splitlines()[:2] == ["The event loop", "══════════════"]
    assert "Summary\n───────" in out
    assert "**coroutine object**" in out and "`async def`" in out
    assert "\n    async def main():\n        results = await asyncio.gather(" in out


def test_prose_wraps_to_the_width_and_code_does_not():
    out = render_markdown(PROSE, 40, color=False)
    lines = out.splitlines()
    code = [line for line in lines if line.startswith("    ") and not line.startswith("    •")]
    assert any(len(line) > 40 for line in code), "the long code line must stay whole"
    assert all(len(line) <= 40 for line in lines if line not in code)
    assert "An `async def` function returns a" in lines


def test_list_items_hang_under_their_bullet():
    out = render_markdown(PROSE, 40, color=False)
    assert "• `asyncio.create_task(coro)` starts a\n  coroutine running beside you, right\n  away" in out
    assert "\n  • nested points are indented under\n    their parent item" in out
    assert "\n1. numbered items keep their number" in out


def test_a_word_longer_than_the_line_is_cut_rather_than_overflowing():
    out = render_markdown("see " + "x" * 50, 20, color=False)
    assert out.splitlines() == ["see", "x" * 20, "x" * 20, "x" * 10]


def test_wide_characters_count_two_columns():
    out = render_markdown("漢字 " * 12, 20, color=False)
    assert all(len(line) * 2 <= 20 + 2 for line in out.splitlines())
    assert out.splitlines()[0] == "漢字 漢字 漢字 漢字"


def test_with_colour_code_is_highlighted_and_prose_styled():
    out = render_markdown(PROSE, 60, color=True)
    code_line = next(line for line in out.splitlines() if "async def main" in visible(line))
    assert ESCAPE.search(code_line), "python code blocks are highlighted"
    assert visible(code_line) == "    async def main():"
    assert "\x1b[1mcoroutine\x1b[0m \x1b[1mobject\x1b[0m" in out
    assert "\x1b[3mnothing\x1b[0m" in out
    assert "\x1b[36masync def\x1b[0m" in out, "inline code is coloured and loses its backticks"
    assert all(len(visible(line)) <= 60 for line in out.splitlines() if "gather" not in line)


def test_colour_and_plain_say_the_same_words():
    plain = render_markdown(PROSE, 200, color=False)
    coloured = visible(render_markdown(PROSE, 200, color=True))
    assert re.sub(r"[*`]", "", plain) == re.sub(r"[*`]", "", coloured)


def test_control_characters_in_prose_never_reach_the_terminal():
    out = render_markdown("a \x1b[31mred\x07 word\n```\nx = '\x1b]0;title\x07'\n```", 40, color=False)
    assert "\x1b" not in out and "\x07" not in out
    assert "red" in out


def test_unlabelled_fences_are_not_highlighted_and_unclosed_ones_run_to_the_end():
    out = render_markdown("```\n$ asyncshell\n```\n\n```python\nx = 1", 40, color=True)
    assert out.splitlines()[0] == "    $ asyncshell"
    assert ESCAPE.search(out.splitlines()[-1]) and visible(out.splitlines()[-1]) == "    x = 1"


def test_render_code_indents_and_keeps_every_line():
    source = "async def main():\n\n    await asyncio.sleep(1)"
    assert render_code(source, color=False) == "    async def main():\n\n        await asyncio.sleep(1)"
    coloured = render_code(source, color=True)
    assert ESCAPE.search(coloured)
    assert visible(coloured) == render_code(source, color=False)
    assert render_code("x = 1", color=False, indent="") == "x = 1"


@pytest.mark.parametrize("width", [-5, 0, 1])
def test_silly_widths_still_render(width):
    assert render_markdown("Some words to wrap.", width, color=False) == "Some words to wrap."


@settings(max_examples=300, deadline=None)
@given(text=st.text(), width=st.integers(min_value=20, max_value=120))
def test_any_text_renders_without_colour_escapes_within_the_width(text, width):
    out = render_markdown(text, width, color=False)
    assert "\x1b" not in out
    outside_code = [line for line in out.splitlines() if not line.startswith("    ")]
    assert all(len(line) <= width for line in outside_code if line.isascii())


# -- time: rendering is linear in the text, whatever it holds

SLOW_BEFORE = [  # each took 10 to 50 s when the renderer was quadratic
    pytest.param("*a " * 40_000, id="stars-never-closed"),
    pytest.param("**a " * 30_000, id="double-stars-never-closed"),
    pytest.param("# x" + " " * 40_000 + "x", id="heading-with-a-sea-of-spaces"),
    pytest.param("x" * 120_000, id="one-long-word"),
    pytest.param("``a`" * 30_000, id="backticks-that-do-not-pair"),
    pytest.param("*a*" * 40_000, id="emphasis-without-spaces"),
    pytest.param("```\n" + "\n" * 200_000 + "x\n```", id="code-after-many-blank-lines"),
]


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("text", SLOW_BEFORE)
def test_hostile_text_renders_in_linear_time(text, color):
    started = time.perf_counter()
    out = render_markdown(text, 80, color)
    assert time.perf_counter() - started < 3
    assert all(len(visible(line)) <= 80 for line in out.splitlines())


def test_markup_is_read_as_before_and_code_spans_close_on_as_many_backticks():
    assert visible(render_markdown("a *b* **c** `d` *e **f*", 80, True)) == "a b c d e *f*"
    assert visible(render_markdown("``a`b``, ``c`", 80, True)) == "a`b, ``c`"
    assert render_markdown("# Title ##", 80, False) == "Title\n═════"
    assert render_markdown("## a # b", 80, False) == "a # b\n─────"
