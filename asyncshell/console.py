"""How the shell writes to the user: values, errors and notes, with or without colour.

Output goes to the streams captured when the shell started, so user code that
replaces or closes ``sys.stdout`` cannot take the shell's own voice away.
"""

from __future__ import annotations

import os
from typing import TextIO

_RESET = "\x1b[0m"
_STYLES = {"error": "\x1b[31m", "bold-error": "\x1b[1;31m", "note": "\x1b[2m", "ok": "\x1b[32m", "heading": "\x1b[1m"}


def color_wanted(no_color_flag: bool, stream: TextIO) -> bool:
    """Colour unless asked not to (--no-color, NO_COLOR) or not writing to a terminal."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


class Console:
    """The shell's writer.  Write failures (closed stream, broken pipe) are swallowed: the shell goes on."""

    def __init__(self, out: TextIO, err: TextIO | None = None, *, color: bool = False) -> None:
        self.out = out
        self.err = err if err is not None else out
        self.color = color

    def style(self, text: str, kind: str) -> str:
        if not self.color or not text:
            return text
        return f"{_STYLES[kind]}{text}{_RESET}"

    def write(self, text: str) -> None:
        """Plain output: displayed values, tables, lesson text."""
        self._emit(self.out, text)

    def error(self, text: str) -> None:
        """A traceback or error block; its last line (the exception) stands out."""
        body, _, last = text.rstrip("\n").rpartition("\n")
        styled = (body + "\n" if body else "") + self.style(last, "bold-error")
        self._emit(self.err, styled + "\n")

    def note(self, text: str) -> None:
        """A short, dim message from the shell itself."""
        self._emit(self.out, self.style(text, "note") + "\n")

    @staticmethod
    def _emit(stream: TextIO, text: str) -> None:
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass
