"""The shell's writer: where notes go, and explanations wrapped only in a terminal."""

from __future__ import annotations

import io

import pytest

from asyncshell.repl.console import Console

LONG = "`asyncio.sleep(1)` made a coroutine object, but nothing awaited it, so its body never ran. " * 3


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_explanations_wrap_at_word_boundaries_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = FakeTerminal()
    Console(out).explain(LONG.strip())
    lines = out.getvalue().splitlines()
    assert len(lines) > 1 and all(len(line) <= 59 for line in lines)
    assert " ".join(lines) == LONG.strip()  # nothing cut inside a word


def test_explanations_are_one_line_each_in_a_pipe() -> None:
    out = io.StringIO()
    Console(out).explain(LONG.strip())
    assert out.getvalue() == LONG.strip() + "\n"


def test_a_script_keeps_notes_on_stderr() -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, notes_to_err=True)
    console.write("program output\n")
    console.note("a remark from the shell")
    assert (out.getvalue(), err.getvalue()) == ("program output\n", "a remark from the shell\n")


def test_writing_to_a_closed_stream_is_swallowed() -> None:
    out = io.StringIO()
    out.close()
    Console(out).write("nowhere\n")  # must not raise


def test_notes_wrap_at_word_boundaries_in_a_terminal_keeping_their_indent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = FakeTerminal()
    Console(out).note("Cancelling 2 tasks still running:\n  " + LONG.strip())
    first, *rest = out.getvalue().splitlines()
    assert first == "Cancelling 2 tasks still running:"
    assert len(rest) > 1 and all(len(line) <= 59 and line.startswith("  ") for line in rest)
    assert " ".join(line.strip() for line in rest) == LONG.strip()
