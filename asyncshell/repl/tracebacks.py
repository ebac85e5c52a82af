"""Whose code a frame is, and the traceback a learner sees: the one rule every feature uses.

Three kinds of code run in a session:

    the shell's     files inside the asyncshell package: never shown in a traceback
    libraries'      Python's own modules, installed packages and scripts, frozen modules
    the learner's   everything else: typed inputs (``<input-N>``), ``-c`` code, their
                    own files, and lesson code the shell runs in their namespace on
                    their behalf (``%run`` examples, ``%skip`` solutions, setups, checks)

The explanations, the blocking detector, the task table and the lesson checks all
ask ``is_learners_file``, so "your line" means the same thing everywhere.
"""

from __future__ import annotations

import dataclasses
import functools
import linecache
import os
import re
import sys
import sysconfig
import traceback
import types
from typing import TYPE_CHECKING, Any, Iterator

from asyncshell.repl.guard import rendered

if TYPE_CHECKING:
    import asyncio

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


@functools.cache
def _library_dirs() -> tuple[str, ...]:
    """Looked up on first use: sysconfig costs start-up time the prompt should not wait for.

    ``scripts`` holds the ``asyncshell`` console script itself, whose frame is at the bottom of every stack.
    """
    paths = sysconfig.get_paths()
    keys = ("stdlib", "platstdlib", "purelib", "platlib", "scripts")
    return tuple(os.path.join(paths[key], "") for key in keys if key in paths)


def is_shells_file(filename: str) -> bool:
    return filename.startswith(PACKAGE_DIR)


def is_learners_file(filename: str) -> bool:
    """The learner's code, as the module docstring defines it."""
    if filename.startswith("<"):
        return not filename.startswith("<frozen ")
    path = os.path.abspath(filename)
    return not path.startswith(PACKAGE_DIR) and not path.startswith(_library_dirs())


@dataclasses.dataclass(frozen=True)
class Frame:
    """A place in the learner's code: ``<input-3>:2 in worker``, with its source line."""

    filename: str
    lineno: int
    function: str
    line: str = ""

    @property
    def where(self) -> str:
        return f"{self.filename}:{self.lineno}"


def await_chain(coro: Any) -> Iterator[types.FrameType]:
    """The frames of a coroutine and of each coroutine it awaits, outermost first."""
    seen = 0
    while coro is not None and seen < 100:
        seen += 1
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            return
        yield frame
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)


def user_stack(coro: Any) -> tuple[Frame, ...]:
    """Where a suspended coroutine is, in the learner's code only, outermost first.

    A task's own ``get_stack()`` stops at the outermost frame of a suspended coroutine;
    this follows what each one awaits, down to the line that waits.
    """
    frames = []
    for frame in await_chain(coro):
        filename = frame.f_code.co_filename
        if is_learners_file(filename):
            line = linecache.getline(filename, frame.f_lineno).strip()
            frames.append(Frame(filename, frame.f_lineno, frame.f_code.co_name, line))
    return tuple(frames)


def where_suspended(task: "asyncio.Task[Any]") -> str:
    """``<input-2> line 5: `await ...``` : the learner's innermost line a task waits at, or ""."""
    stack = user_stack(task.get_coro())
    if not stack:
        return ""
    frame = stack[-1]
    return f"{frame.filename} line {frame.lineno}" + (f": `{frame.line}`" if frame.line else "")


#: How many frames Python keeps of where each coroutine was made (``sys.set_coroutine_origin_tracking_depth``).
ORIGIN_DEPTH = 8
_ORIGIN_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in ', re.MULTILINE)


def coroutine_origin(message: str) -> tuple[str, int] | None:
    """Where a never-awaited coroutine was made: the learner's innermost line, from the origin Python adds to the warning.

    Python reports the warning where the coroutine was thrown away, which is often
    the shell's code or a later input; where it was made is the line to fix.
    """
    found = None
    for frame in _ORIGIN_FRAME.finditer(message):
        if is_learners_file(frame["file"]):
            found = (frame["file"], int(frame["line"]))
    return found


def learners_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The frames of ``exc``'s traceback that are the learner's code, outermost first."""
    return [frame for frame in traceback.extract_tb(exc.__traceback__) if is_learners_file(frame.filename)]


def _without_shell_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    frames = []
    while tb is not None:
        if not is_shells_file(tb.tb_frame.f_code.co_filename):
            frames.append(tb)
        tb = tb.tb_next
    for current, following in zip(frames, frames[1:] + [None]):
        current.tb_next = following
    return frames[0] if frames else None


def format_error(exc: BaseException) -> str:
    """The traceback a user should see: never the shell's frames, across chained and grouped exceptions."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = _without_shell_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__]
        pending += list(getattr(current, "exceptions", ()))
    if isinstance(exc, SyntaxError) and exc.text is None and exc.filename and exc.lineno:
        exc.text = linecache.getline(exc.filename, exc.lineno) or None
    # str(exc) is the learner's code: it may raise SystemExit, or never return.
    return rendered(lambda: "".join(traceback.format_exception(exc)),
                    failed=lambda why: f"{type(exc).__name__}: <its message could not be shown: {why}>\n")


def remember_for_post_mortem(exc: BaseException) -> None:
    """What ``import pdb; pdb.pm()`` looks at, set as Python's own REPL sets it after an error."""
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, exc.__traceback__
    if sys.version_info >= (3, 12):
        sys.last_exc = exc


def remember_source(filename: str, source: str) -> None:
    """Keep typed code where tracebacks and ``inspect`` look for it (never evicted: mtime None)."""
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
