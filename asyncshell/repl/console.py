"""How the shell writes to the user: values, errors and notes, with or without colour.

Output goes to the streams captured when the shell started, so user code that
replaces or closes ``sys.stdout`` cannot take the shell's own voice away.
"""

from __future__ import annotations

import os
import textwrap
from typing import Protocol

from asyncshell.text import paint, terminal_width



class Stream(Protocol):
    """What the console writes to: a text file, or the terminal front end's stand-in for one."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> None: ...

    def isatty(self) -> bool: ...


def _is_terminal(stream: Stream) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError, AttributeError):
        return False


def color_wanted(no_color_flag: bool, stream: Stream) -> bool:
    """Colour unless asked not to (--no-color, NO_COLOR) or not writing to a terminal."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    return _is_terminal(stream)


class Console:
    """The shell's writer.  Write failures (closed stream, broken pipe) are swallowed: the shell goes on."""

    def __init__(self, out: Stream, err: Stream | None = None, *, color: bool = False, notes_to_err: bool = False) -> None:
        self.out = out
        self.err = err if err is not None else out
        self.color = color
        # Scripts (-c, FILE) keep the shell's remarks out of the program's own output.
        self.notes_to_err = notes_to_err
        self._fresh_line = False

    def style(self, text: str, kind: str) -> str:
        return paint(text, kind) if self.color else text

    def write(self, text: str) -> None:
        """Plain output: displayed values, tables, lesson text."""
        self._emit(self.out, text)

    def error(self, text: str) -> None:
        """A traceback or error block; its last line (the exception) stands out."""
        body, _, last = text.rstrip("\n").rpartition("\n")
        styled = (body + "\n" if body else "") + self.style(last, "bold-error")
        self._emit(self.err, styled + "\n")

    def note(self, text: str) -> None:
        """A short, dim message from the shell itself; wrapped in a terminal."""
        self._emit(self.err if self.notes_to_err else self.out, self.style(self.wrap(text), "note") + "\n")

    def explain(self, text: str) -> None:
        """A friendly explanation: a note, set apart only by what it says."""
        self.note(text)

    def wrap(self, text: str) -> str:
        """In a terminal, ``text`` wrapped at word boundaries to its width (a line's indent carries on); elsewhere as is.

        A pipe keeps one line per line, for scripts and tests that read it.
        """
        if not _is_terminal(self.out):
            return text
        width = max(40, terminal_width() - 1)
        lines = []
        for line in text.splitlines():
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False,
                                       break_on_hyphens=False) if line.strip() else line)
        return "\n".join(lines)

    def fresh_line(self) -> None:
        """Start the next message on a line of its own (after a ^C the terminal echoed mid-line)."""
        self._fresh_line = True

    def _emit(self, stream: Stream, text: str) -> None:
        if self._fresh_line:
            self._fresh_line = False
            text = "\n" + text
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass
