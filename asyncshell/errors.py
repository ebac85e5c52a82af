"""The user-facing error tree.

Everything asyncshell itself reports to a user is an ``AsyncshellError``: its
message is one line a person can act on, shown without a traceback.  Anything
else that escapes our own code is a bug, and ``cli`` says so.

    AsyncshellError
    ├── UsageError        bad command-line or %command arguments
    ├── LessonError       a lesson file that cannot be loaded (file:line: field: why)
    └── StoreError        the progress store cannot be used
"""

from __future__ import annotations

import traceback
from pathlib import Path


class AsyncshellError(Exception):
    """A problem we can explain to the user in one line."""


class UsageError(AsyncshellError):
    """Arguments that do not make sense; the message says what would."""


class LessonError(AsyncshellError):
    """A lesson file that cannot be loaded: where (``path``, ``line``, ``field``) and ``why``, as fields.

    ``line`` is None when the problem is the file as a whole (unreadable, too
    big); ``field`` is "" when it is no one field.  ``str()`` is the one line
    users read: ``path:line: field: why``.
    """

    def __init__(self, path: Path, line: int | None, field: str, why: str) -> None:
        super().__init__(path, line, field, why)
        self.path, self.line, self.field, self.why = path, line, field, why

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        line = f"{where}: {self.field}: {self.why}" if self.field else f"{where}: {self.why}"
        # A file's own words (a key, a step type, a file name) may hold a line break or an
        # escape sequence; written as Python would write them, the message stays one plain line.
        from asyncshell.text import printable

        return printable(line)


class StoreError(AsyncshellError):
    """The progress store cannot be opened or written."""


def describe_bug(exc: BaseException) -> str:
    """One line for a failure in asyncshell's own code; the traceback goes to crash.log."""
    from asyncshell.paths import ensure_data_home, private_file

    where = ""
    try:
        log = private_file(ensure_data_home() / "crash.log")
        with open(log, "a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)) + "\n")
        where = f"; details in {log}"
    except OSError:
        pass
    return f"internal error, this is a bug: {type(exc).__name__}: {exc}{where}"
