"""``%tasks --tree``: the learner's tasks as a tree of who awaits whom.

A task's children are the tasks it waits for: the task it awaits, each task a
``gather`` there waits for, and the tasks of a TaskGroup whose ``async with`` it is
inside.  Python 3.14 says who awaits whom itself (``asyncio.capture_call_graph``);
before that, ``repl.tasks`` reads it from asyncio's internals.  The text is the same
on every version.  Identical siblings (a hundred workers waiting on the same line)
are folded into one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, NamedTuple

from asyncshell.insight.tasktable import NO_TASKS
from asyncshell.repl.tasks import TaskWatch, owned_groups, waited_on_by
from asyncshell.repl.tracebacks import user_stack

#: How many siblings that look the same are drawn before the rest are counted.
SHOWN_ALIKE = 3


class Node(NamedTuple):
    name: str
    state: str  # pending, running
    where: str  # <input-3>:4  await asyncio.sleep(1), or ""
    children: tuple[Node, ...]

    @property
    def look(self) -> tuple[str, str, str]:
        """What makes two siblings alike: the same kind of task, waiting at the same line."""
        return self.name.rsplit("-", 1)[0], self.state, self.where


def build(watch: TaskWatch, loop: asyncio.AbstractEventLoop) -> list[Node]:
    """The learner's alive tasks as trees, roots (tasks nothing of theirs waits on) oldest first."""
    alive = watch.alive()
    members = set(alive)
    children: dict[asyncio.Task[Any], list[asyncio.Task[Any]]] = {task: [] for task in alive}
    parent: dict[asyncio.Task[Any], asyncio.Task[Any]] = {}
    for task, child in _links(alive):
        if child in members and child is not task and child not in parent:
            parent[child] = task
            children[task].append(child)
    current = asyncio.current_task(loop)

    def node(task: asyncio.Task[Any], seen: frozenset[int]) -> Node:
        kids = [] if id(task) in seen else sorted(children[task], key=lambda t: getattr(t, "serial", 0))
        inner = seen | {id(task)}
        return Node(task.get_name(), "running" if task is current else "pending", _where(task),
                    tuple(node(kid, inner) for kid in kids))

    return [node(task, frozenset()) for task in alive if task not in parent]


def _links(alive: Sequence[asyncio.Task[Any]]) -> list[tuple[asyncio.Task[Any], asyncio.Task[Any]]]:
    """(waiter, waited-for) pairs among the learner's tasks."""
    capture = getattr(asyncio, "capture_call_graph", None)
    pairs = []
    for task in alive:
        if capture is not None:  # Python 3.14+: asyncio knows who awaits each task
            graph = capture(task)
            pairs += [(by.future, task) for by in (graph.awaited_by if graph else ()) if isinstance(by.future, asyncio.Task)]
            continue
        pairs += [(task, waited) for waited in waited_on_by(task) if isinstance(waited, asyncio.Task)]
        pairs += [(task, kid) for group in owned_groups(task) for kid in group]
    return pairs


def _where(task: asyncio.Task[Any]) -> str:
    stack = user_stack(task.get_coro())
    if not stack:
        return ""
    frame = stack[-1]
    return f"{frame.where}  {frame.line}" if frame.line else frame.where


def render(roots: list[Node], *, width: int = 80) -> str:
    """The tree as text, ``width`` columns at most, identical siblings folded."""
    if not roots:
        return NO_TASKS
    lines: list[str] = []
    _draw(roots, "", lines, width, top=True)
    return "\n".join(lines) + "\n"


def _draw(nodes: tuple[Node, ...] | list[Node], prefix: str, lines: list[str], width: int, *, top: bool = False) -> None:
    entries = _folded(list(nodes))
    for index, entry in enumerate(entries):
        last = index == len(entries) - 1
        branch = "" if top else ("└── " if last else "├── ")
        if isinstance(entry, str):
            lines.append(f"{prefix}{branch}{entry}")
            continue
        text = f"{prefix}{branch}{entry.name}  {entry.state}" + (f"  {entry.where}" if entry.where else "")
        lines.append(text if len(text) <= width else text[: width - 1] + "…")
        _draw(entry.children, prefix if top else prefix + ("    " if last else "│   "), lines, width)


def _folded(nodes: list[Node]) -> list[Node | str]:
    """The siblings to draw: past ``SHOWN_ALIKE`` look-alikes without children, one line counts the rest."""
    counts: dict[tuple[str, str, str], int] = {}
    for node in nodes:
        counts[node.look] = counts.get(node.look, 0) + 1
    entries: list[Node | str] = []
    drawn: dict[tuple[str, str, str], int] = {}
    for node in nodes:
        seen = drawn.get(node.look, 0)
        if seen < SHOWN_ALIKE or node.children:
            entries.append(node)
            drawn[node.look] = seen + 1
        elif seen == SHOWN_ALIKE:
            entries.append(f"… and {counts[node.look] - SHOWN_ALIKE} more like {node.name}")
            drawn[node.look] = seen + 1
    return entries
