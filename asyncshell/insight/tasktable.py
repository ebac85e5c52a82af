"""The %tasks table: a snapshot of the user's tasks (alive and recently finished), and its text.

``snapshot`` reads the live loop; ``render`` is a pure function of a snapshot, a
width and nothing else, so the table can be tested as exact text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import reprlib
from typing import Any, Iterable, Literal

from asyncshell.repl.guard import rendered
from asyncshell.repl.tracebacks import Frame, user_stack
from asyncshell.repl.tasks import Task, TaskWatch, peek_exception

State = Literal["pending", "running", "done", "cancelled", "failed"]

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 40


@dataclasses.dataclass(frozen=True)
class TaskRow:
    id: int
    name: str
    state: State
    coroutine: str
    created: float
    finished: float | None = None
    outcome: str = ""  # the result's repr, or the exception, of a finished task
    stack: tuple[Frame, ...] = ()  # the user's frames, outermost first; the last is where it waits

    @property
    def where(self) -> str:
        return self.stack[-1].where if self.stack else ""


@dataclasses.dataclass(frozen=True)
class TaskSnapshot:
    now: float
    alive: tuple[TaskRow, ...]
    finished: tuple[TaskRow, ...]  # oldest first


def _coroutine_name(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    return getattr(coro, "__qualname__", type(coro).__name__) + "()"


def _outcome(task: asyncio.Task[Any]) -> tuple[State, str]:
    if task.cancelled():
        return "cancelled", ""
    exc = peek_exception(task)
    if exc is not None:
        said = rendered(lambda: str(exc))
        return "failed", f"{type(exc).__name__}: {said}" if said else type(exc).__name__
    return "done", "-> " + rendered(lambda: _REPR.repr(task.result()))


def _row(task: asyncio.Task[Any], current: asyncio.Task[Any] | None) -> TaskRow:
    serial = getattr(task, "serial", 0)
    created = getattr(task, "created", 0.0)
    if task.done():
        ending, outcome = _outcome(task)
        return TaskRow(serial, task.get_name(), ending, _coroutine_name(task), created, getattr(task, "finished_at", None), outcome)
    state: State = "running" if task is current else "pending"
    return TaskRow(serial, task.get_name(), state, _coroutine_name(task), created, stack=user_stack(task.get_coro()))


def snapshot(watch: TaskWatch, loop: asyncio.AbstractEventLoop) -> TaskSnapshot:
    current = asyncio.current_task(loop)
    alive = tuple(_row(task, current) for task in watch.alive())
    finished = tuple(_row(task, current) for task in watch.finished)
    return TaskSnapshot(loop.time(), alive, finished)


def find(watch: TaskWatch, key: str) -> list[Task]:
    """The alive tasks ``%cancel KEY`` means: ``all``, an id, or a name."""
    alive = watch.alive()
    if key == "all":
        return alive
    return [task for task in alive if key == str(task.serial) or key == task.get_name()]


# --- text -------------------------------------------------------------------------------------


def format_age(seconds: float) -> str:
    """A short duration: 850ms, 4.2s, 3m05s, 2h10m."""
    seconds = max(seconds, 0.0)
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


def _clip(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]], width: int, right: frozenset[int], least: list[int]) -> list[str]:
    """Columns as wide as their content (and ``least``); the last is cut to fit ``width``."""
    rows = list(rows)
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
    widths = [max(w, m) for w, m in zip(widths, least + [0] * len(widths))]
    fixed = sum(widths[:-1]) + 2 * (len(header) - 1) + 2
    widths[-1] = max(min(widths[-1], width - fixed), 8)
    lines = []
    for cells in [header, *rows]:
        parts = [
            _clip(cell, w).rjust(w) if i in right else _clip(cell, w).ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths))
        ]
        lines.append(("  " + "  ".join(parts)).rstrip())
    return lines


NO_TASKS = "No tasks: nothing you started is running. asyncio.create_task(...) starts one.\n"
ALIVE_HEADER = ("id", "name", "state", "coroutine", "age", "waiting at")
FINISHED_HEADER = ("id", "name", "state", "coroutine", "ended", "result")


def render(snap: TaskSnapshot, *, width: int = 80, verbose: bool = False) -> str:
    """The %tasks text for a snapshot: alive tasks, then the recently finished ones."""
    if not snap.alive and not snap.finished:
        return NO_TASKS
    alive = [(str(r.id), r.name, r.state, r.coroutine, format_age(snap.now - r.created), _waiting_at(r)) for r in snap.alive]
    finished = [
        (str(r.id), r.name, r.state, r.coroutine, format_age(snap.now - r.finished) + " ago" if r.finished is not None else "", r.outcome or r.state)
        for r in snap.finished
    ]
    # The two tables line up on every column but the last.
    shared = [max(len(cells[i]) for cells in [ALIVE_HEADER, FINISHED_HEADER, *alive, *finished]) for i in range(5)]
    right = frozenset({0, 4})
    lines: list[str] = []
    if snap.alive:
        count = len(snap.alive)
        lines.append(f"{count} task{'s' if count != 1 else ''} alive:")
        table = _table(ALIVE_HEADER, alive, width, right, shared)
        lines.append(table[0])
        for row, line in zip(snap.alive, table[1:]):
            lines.append(line)
            if verbose:
                lines += _stack_lines(row, width)
    else:
        lines.append("No tasks alive.")
    if snap.finished:
        lines.append("Finished recently:")
        lines += _table(FINISHED_HEADER, finished, width, right, shared)
    return "\n".join(lines) + "\n"


def _waiting_at(row: TaskRow) -> str:
    """Where a task waits, with the line of code: input numbers alone mean little, the prompt never shows them."""
    if not row.stack:
        return "-"
    frame = row.stack[-1]
    return f"{frame.where}  {frame.line}" if frame.line else frame.where


def _stack_lines(row: TaskRow, width: int) -> list[str]:
    if not row.stack:
        return ["        (not in your code)"]
    lines = []
    for frame in row.stack:
        text = f"{frame.where} in {frame.function}"
        if frame.line:
            text += f": {frame.line}"
        lines.append(_clip("        " + text, width))
    return lines
