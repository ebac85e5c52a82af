"""The learner's objects, shown by the shell under a guard: a repr that raises, exits or never returns."""

from __future__ import annotations

import time

from asyncshell.repl.guard import rendered
from asyncshell.repl.tracebacks import format_error


class Forever(Exception):
    def __str__(self) -> str:
        while True:
            pass


def test_a_rendering_that_never_returns_gives_up_after_its_limit() -> None:
    started = time.monotonic()
    assert rendered(lambda: str(Forever()), limit=0.2) == "<repr failed: took too long>"
    assert time.monotonic() - started < 2


def test_a_rendering_that_exits_or_raises_is_one_odd_value() -> None:
    def leave() -> str:
        raise SystemExit(3)

    assert rendered(leave) == "<repr failed: SystemExit>"
    assert rendered(lambda: 1 / 0) == "<repr failed: ZeroDivisionError>"  # type: ignore[arg-type, return-value]


def test_a_traceback_whose_message_never_ends_still_comes_back() -> None:
    started = time.monotonic()
    try:
        raise Forever()
    except Forever as exc:
        text = format_error(exc)
    assert time.monotonic() - started < 3
    assert text.endswith("Forever: <exception str() failed>\n")  # Python's own words, once the guard stopped str()
