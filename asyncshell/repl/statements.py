"""Where one input ends: the Enter key's decision, and grouping piped lines into inputs.

Both follow how a person pastes a tutorial: blank lines inside a function do not
end it, and a new unindented line does, even without a blank line before it.
"""

from __future__ import annotations

import ast
import codeop
import enum
import warnings

_CONTINUATION_KEYWORDS = ("else", "elif", "except", "finally")
# Compound statements that a following unindented line may still continue.
_CONTINUABLE = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, getattr(ast, "TryStar", ast.Try))


class Status(enum.Enum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    INVALID = "invalid"


def _compiler() -> codeop.CommandCompiler:
    compiler = codeop.CommandCompiler()
    compiler.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    return compiler


def input_status(text: str) -> Status:
    """Is ``text`` a whole input, the start of one, or an error to show now?"""
    if not text.strip() or is_command(text):
        return Status.COMPLETE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the real compile will show them once
        try:
            code = _compiler()(text, "<input>", "exec")
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return Status.INVALID  # a line nested too deep for the compiler is an error for that input alone
    return Status.INCOMPLETE if code is None else Status.COMPLETE


def is_command(text: str) -> bool:
    """A ``%command`` line: never valid Python at the start of a line."""
    return text.lstrip().startswith("%")


def should_submit(text: str) -> bool:
    """What Enter does at the end of the buffer: run it, or open a new line.

    Like Python's REPL, an open indented block needs a blank line to finish,
    so the user can keep adding to it; anything else runs once it is complete.
    """
    status = input_status(text)
    if status is not Status.COMPLETE:
        return status is Status.INVALID
    lines = text.split("\n")
    if len(lines) == 1 or not lines[-1].strip():
        return True
    return not lines[-1][:1].isspace()


def next_indent(text: str) -> str:
    """Indentation for the line after ``text``: keep the block, open one after ``:``."""
    last = text.split("\n")[-1]
    indent = last[: len(last) - len(last.lstrip())]
    stripped = last.strip()
    if stripped.endswith(":"):
        return indent + "    "
    first_word = stripped.split(" ", 1)[0]
    if first_word in ("return", "pass", "break", "continue", "raise"):
        return indent[:-4] if len(indent) >= 4 else ""
    return indent


class StatementSplitter:
    """Turns a stream of lines into inputs, the way a paste would be read.

    ``feed`` returns the inputs that a line completes; ``flush`` returns what is
    left at end of input.  A line that completes a simple statement is released
    at once, so piped commands run as soon as they arrive.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []

    def feed(self, line: str) -> list[str]:
        ready: list[str] = []
        if self._lines and self._starts_statement(line) and self._buffer_status() is not Status.INCOMPLETE:
            ready.append(self._take())
        self._lines.append(line if line.endswith("\n") else line + "\n")
        if len(self._lines) == 1 and is_command(line):
            ready.append(self._take())
        elif self._starts_statement(line) and self._can_release_now():
            ready.append(self._take())
        return self._nonblank(ready)

    def flush(self) -> list[str]:
        return self._nonblank([self._take()])

    @staticmethod
    def _starts_statement(line: str) -> bool:
        stripped = line.strip()
        if not stripped or line[0].isspace() or stripped.startswith("#"):
            return False
        word = stripped.split(None, 1)[0].rstrip(":")
        return word not in _CONTINUATION_KEYWORDS

    def _buffer_status(self) -> Status:
        return input_status("".join(self._lines))

    def _can_release_now(self) -> bool:
        """True when no later line could belong to this input."""
        text = "".join(self._lines)
        if input_status(text) is not Status.COMPLETE:
            return False
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return False
        return not tree.body or not isinstance(tree.body[-1], _CONTINUABLE)

    def _take(self) -> str:
        text = "".join(self._lines)
        self._lines = []
        return text

    @staticmethod
    def _nonblank(chunks: list[str]) -> list[str]:
        return [chunk for chunk in chunks if chunk.strip()]
