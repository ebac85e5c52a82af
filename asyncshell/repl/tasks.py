"""The user's tasks on the live loop: readable names, who is still running, failures nobody awaited.

A task is the user's when user code created it: the running input, or any task
that one of the user's tasks started.  Tasks of the shell and of prompt_toolkit
are never listed, cancelled at exit, or reported.

This is the only module that reads asyncio's private attributes: every other
module asks ``peek_exception``, ``error_unseen``, ``waited_on_by`` and
``owned_groups``, so a Python release that renames them breaks one place.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import re
import weakref
from typing import Any, Callable, Coroutine, TypeGuard

from asyncshell.repl.tracebacks import await_chain, user_stack

FailureReporter = Callable[["asyncio.Task[Any]", BaseException], None]
#: Wraps a coroutine as its task is made: ``(coro, name, users) -> coro``.
CoroWrapper = Callable[[Coroutine[Any, Any, Any], Any, bool], Coroutine[Any, Any, Any]]

#: ``TaskWatch._on_done()`` in a task's repr, with the comma that joins it to any other callback.
_OUR_CALLBACK = re.compile(r"TaskWatch\._on_done\(\)(, )?")

#: How many finished user tasks ``TaskWatch.finished`` remembers.
FINISHED_KEPT = 10


class Task(asyncio.Task[Any]):
    """A user task; keeps its readable name where Python 3.13.0 would rename it "None"."""

    serial = 0  # creation order, for listing; also the task's short id
    created = 0.0  # loop time
    finished_at: float | None = None  # loop time

    def set_name(self, value: object) -> None:
        if value is not None:
            super().set_name(value)

    def __repr__(self) -> str:
        """What Python shows for a task, without the shell's own bookkeeping callback."""
        return _OUR_CALLBACK.sub("", super().__repr__()).replace(" cb=[]", "")


class TaskWatch:
    """Installed as the loop's task factory; knows the user's tasks."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_failure: FailureReporter | None = None) -> None:
        self._loop = loop
        self.on_failure: FailureReporter = on_failure or (lambda task, exc: None)
        self._roots: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self._user: weakref.WeakSet[Task] = weakref.WeakSet()
        self._counters: collections.Counter[str] = collections.Counter()
        self._serials = itertools.count(1)
        self._failed: list[asyncio.Task[Any]] = []
        self._input_running = False
        #: The last user tasks to finish, oldest first, with their result or exception.
        self.finished: collections.deque[Task] = collections.deque(maxlen=FINISHED_KEPT)
        #: Set by a teaching feature to wrap coroutines as tasks are made (the timeline
        #: times their steps); called for every task while set.  None costs nothing.
        self.wrap_coro: CoroWrapper | None = None
        #: While a list, every user task made is appended to it (the timeline reads names and endings).
        self.made: list[Task] | None = None

    def install(self) -> None:
        # typeshed's factory type leaves out the name= and context= keywords the loop passes.
        self._loop.set_task_factory(self._create_task)  # type: ignore[arg-type]

    def start_input(self, task: asyncio.Task[Any]) -> None:
        """Mark ``task`` as running user code; failures wait until it ends, when an await may have seen them."""
        self._roots.add(task)
        self._input_running = True

    def end_input(self) -> None:
        self._input_running = False
        self._loop.call_soon(self._report_unretrieved)

    def alive(self) -> list[Task]:
        """The user's tasks that have not finished, oldest first."""
        tasks = [task for task in self._user if not task.done()]
        return sorted(tasks, key=lambda task: task.serial)

    def is_users(self, task: asyncio.Task[Any] | None) -> TypeGuard[asyncio.Task[Any]]:
        return task is not None and (task in self._user or task in self._roots)

    def _create_task(self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any) -> asyncio.Task[Any]:
        if not self.is_users(asyncio.current_task(loop)):
            if self.wrap_coro is not None:
                coro = self.wrap_coro(coro, kwargs.get("name"), False)
            return asyncio.Task(coro, loop=loop, **kwargs)
        base = getattr(coro, "__qualname__", type(coro).__name__).rsplit(".", 1)[-1]
        self._counters[base] += 1
        kwargs.setdefault("name", f"{base}-{self._counters[base]}")
        if self.wrap_coro is not None:
            coro = self.wrap_coro(coro, kwargs["name"], True)
        task = Task(coro, loop=loop, **kwargs)
        task.serial = next(self._serials)
        task.created = loop.time()
        if self.made is not None:
            self.made.append(task)
        self._user.add(task)
        task.add_done_callback(self._on_done)
        return task

    def _on_done(self, task: Task) -> None:
        task.finished_at = self._loop.time()
        self.finished.append(task)
        if task.cancelled() or not error_unseen(task):
            return
        self._failed.append(task)
        if not self._input_running:
            # Let the callbacks of whoever awaits it run first; they retrieve the error.
            self._loop.call_soon(self._report_unretrieved)

    def _report_unretrieved(self) -> None:
        failed, self._failed = self._failed, []
        for task in failed:
            if error_unseen(task):
                exc = task.exception()  # marks it retrieved, so asyncio does not log it again
                if exc is not None:
                    self.on_failure(task, exc)


def describe_task(task: "asyncio.Task[Any]") -> str:
    """One line: the task's name, its coroutine, and the learner's line where it waits (as %tasks says)."""
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", type(coro).__name__)
    stack = user_stack(coro)
    where = f" at {stack[-1].where}" if stack else ""
    return f"{task.get_name()} ({name}(){where})"


def peek_exception(task: "asyncio.Future[Any]") -> BaseException | None:
    """A finished task's exception, without counting as handling it.

    ``task.exception()`` marks the error retrieved, and then the "failed and
    nothing awaited it" report would never come; looking (``%tasks``, the
    timeline) must not change what the learner is told.
    """
    return getattr(task, "_exception", None)


def error_unseen(task: "asyncio.Future[Any]") -> bool:
    """Has the task an exception nobody has retrieved yet?  asyncio's own flag, which it logs at garbage collection."""
    return bool(getattr(task, "_log_traceback", False))


def waited_on_by(task: "asyncio.Task[Any]") -> list["asyncio.Future[Any]"]:
    """The futures ``task`` is suspended on right now: the one it awaits, or each one a ``gather`` there waits for.

    On Python 3.14 asyncio says who awaits whom itself (``capture_call_graph``);
    before that, a task keeps what it waits on in ``_fut_waiter``, and a gather's
    future keeps its children in ``_children``.
    """
    waiter = getattr(task, "_fut_waiter", None)
    if waiter is None:
        return []
    children = getattr(waiter, "_children", None)
    return list(children) if isinstance(children, list) else [waiter]


def owned_groups(task: "asyncio.Task[Any]") -> list[set["asyncio.Task[Any]"]]:
    """The tasks of each TaskGroup whose ``async with`` ``task`` is inside (found in its coroutines' locals)."""
    groups = []
    for frame in await_chain(task.get_coro()):
        for value in list(frame.f_locals.values()):
            if isinstance(value, asyncio.TaskGroup) and getattr(value, "_parent_task", None) is task:
                groups.append(set(getattr(value, "_tasks", ())))
    return groups
