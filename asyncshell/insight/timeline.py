"""Recording what ran when during an input: each task's creation, its steps on the loop, how it ended.

How it is measured: while recording, ``TaskWatch.wrap_coro`` wraps the coroutine
of the input and of each task the user starts in a ``Timed``, a thin object that
speaks the coroutine protocol.  A task drives its coroutine only through it (one
``send``/``throw`` per step), so the time spent inside is exactly when that task
ran on the loop; the gaps between its steps are when it waited on an await.  The
input's own coroutine is recognised by ``Evaluator.is_input`` as the evaluator creates it.
Nothing is wrapped, and nothing costs anything, unless ``%timeline on`` attached it.
"""

from __future__ import annotations

import asyncio
import collections.abc
import dataclasses
import time
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Iterator, Literal, NamedTuple

from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.tasks import Task, peek_exception

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

Ending = Literal["done", "error", "cancelled", "alive"]

class Row(NamedTuple):
    """One task (or the input itself) during a recording.  Times are loop times.

    A named tuple rather than a dataclass: a recording may hold 100k of them, made as the input ends.
    """

    name: str
    created: float
    steps: tuple[float, ...]  # start, end, start, end...: when it ran on the loop
    end: float | None  # None: still alive when the input ended
    ending: Ending
    is_input: bool = False

    def running(self) -> Iterator[tuple[float, float]]:
        """Its steps on the loop, as (start, end) pairs in order."""
        steps = iter(self.steps)
        return zip(steps, steps)

    def waiting(self, until: float) -> list[tuple[float, float]]:
        """The gaps around its steps, from creation to its end (or ``until``): when it waited to run."""
        edges = [self.created, *self.steps, self.end if self.end is not None else until]
        return [(a, b) for a, b in zip(edges[0::2], edges[1::2]) if b > a]


@dataclasses.dataclass(frozen=True)
class Recording:
    """One input, from the moment it started to the moment it ended."""

    label: str
    start: float
    end: float
    rows: tuple[Row, ...]  # the input first, then its tasks in creation order
    coarse: bool = False  # only when each task started and ended, not when it ran

    @property
    def wall(self) -> float:
        return self.end - self.start

    def busy(self) -> float:
        """Time the loop spent running the recorded code (only one step runs at a time)."""
        start, end = self.start, self.end
        return sum(min(b, end) - max(a, start) for row in self.rows for a, b in row.running() if b > start and a < end)

    def peak_concurrency(self) -> int:
        """The most tasks (besides the input) alive at the same moment."""
        events = []
        for row in self.rows:
            if not row.is_input:
                events.append((row.created, 1))
                events.append((row.end if row.end is not None else self.end, -1))
        peak = alive = 0
        for _, step in sorted(events):  # at a tie, -1 sorts first: an end and a start do not overlap
            alive += step
            peak = max(peak, alive)
        return peak


class Tape:
    """What is noted while one input runs.  Index 0 is the input itself, then its tasks as made.

    Per step, only (index, start, end) goes onto one flat list of numbers; who each
    task was (name, creation, how it ended) is read from the tasks as the input ends.
    """

    def __init__(self, created: float) -> None:
        self.created = created  # the input's
        self.steps: list[float] = []  # index, start, end, index, start, end...
        self.tasks: list[Task] = []  # filled by TaskWatch (``made``): index i is tasks[i - 1]
        self.open = True  # until the input ends: tasks that outlive it stop being timed
        self.endings: list[tuple[str, float, Ending, float | None]] = []  # name, creation, how and when it ended

    def add(self, coro: Coroutine[Any, Any, Any], name: Any = None, users: bool = True) -> Coroutine[Any, Any, Any]:
        """``coro`` wrapped so that its steps are noted here.  Serves as ``TaskWatch.wrap_coro`` while an input runs."""
        if not users:
            return coro  # the shell's own work
        timed = _new(Timed)
        timed._coro, timed._index, timed._tape = coro, len(self.tasks) + 1, self
        return timed

    def add_input(self, coro: Coroutine[Any, Any, Any]) -> Coroutine[Any, Any, Any]:
        timed = self.add(coro)
        assert isinstance(timed, Timed)
        timed._index = 0
        return timed

    def carry_on(self, alive: list[Task]) -> None:
        """Tasks recorded by an earlier input and still running go on this tape too, so the chart shows them continuing."""
        for task in alive:
            coro = task.get_coro()
            if isinstance(coro, Timed) and coro._tape is not self:
                coro.__class__ = Timed  # a Forwarding one times its steps again
                coro._index, coro._tape = len(self.tasks) + 1, self
                self.tasks.append(task)

    def recording(self, first: Row, end: float) -> Recording:
        """The rows, made only now: a recording may hold 100k tasks, and nobody may look."""
        steps: list[list[float]] = [[] for _ in range(len(self.endings) + 1)]
        log = self.steps
        for k in range(0, len(log), 3):
            steps[int(log[k])] += (log[k + 1], log[k + 2])
        rows = [first._replace(steps=tuple(steps[0]))]
        for index, (name, created, ending, finished_at) in enumerate(self.endings, start=1):
            # It ended as its last step did; a task cancelled before it ever ran, when the watch saw it end.
            finish = (steps[index][-1] if steps[index] else finished_at) if ending != "alive" else None
            rows.append(Row(name, created, tuple(steps[index]), finish, ending))
        return Recording(first.name, first.created, end, tuple(rows))

    def close(self) -> None:
        """The input ended: note who the tasks were and let them go (they may hold big results)."""
        self.open = False
        self.endings = [(task.get_name(), task.created, _ending(task), task.finished_at) for task in self.tasks]
        self.tasks = []


def _ending(task: "asyncio.Task[Any]") -> Ending:
    if not task.done():
        return "alive"
    if task.cancelled():
        return "cancelled"
    return "error" if peek_exception(task) is not None else "done"


_new = object.__new__


class Timed(collections.abc.Coroutine):
    """A user's coroutine as its task sees it while recording: each step is noted on the tape.

    One small object per task and one method call per step.  With 100k tasks alive,
    every object more is work for the garbage collector, so there is nothing else.
    """

    __slots__ = ("_coro", "_index", "_tape")
    _coro: Coroutine[Any, Any, Any]
    _index: int
    _tape: Tape

    def __next__(self) -> Any:
        # How a task drives its coroutine (it always sends None): the hot path, kept flat.
        tape = self._tape
        if not tape.open:
            self.__class__ = Forwarding  # same layout; from now on, no timing at all
            return self._coro.send(None)
        start = _clock()
        try:
            return self._coro.send(None)
        finally:
            tape.steps.extend((self._index, start, _clock()))

    def send(self, value: Any) -> Any:
        if value is None:
            return self.__next__()
        return self._step(self._coro.send, value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if val is None and tb is None:
            return self._step(self._coro.throw, typ)
        return self._step(lambda _: self._coro.throw(typ, val, tb), None)

    def _step(self, method: Callable[[Any], Any], arg: Any) -> Any:
        if not self._tape.open:
            self.__class__ = Forwarding
            return method(arg)
        start = _clock()
        try:
            return method(arg)
        finally:
            self._tape.steps.extend((self._index, start, _clock()))

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Any:
        return self._coro.__await__()

    def __getattr__(self, name: str) -> Any:
        # What %tasks, tracebacks and asyncio's reprs look at (cr_frame, cr_await,
        # __qualname__...) is the real coroutine's.
        if name in Timed.__slots__:
            raise AttributeError(name)
        return getattr(self._coro, name)


class Forwarding(Timed):
    """A ``Timed`` whose input has ended: a task that outlives its input is no longer timed."""

    __slots__ = ()

    def __next__(self) -> Any:
        return self._coro.send(None)

    def _step(self, method: Callable[[Any], Any], arg: Any) -> Any:
        return method(arg)


# The default loop's clock is time.monotonic; calling it directly saves a Python call per step.
_clock: Callable[[], float] = time.monotonic


def _loop_clock(loop: asyncio.AbstractEventLoop) -> Callable[[], float]:
    if type(loop).time is asyncio.BaseEventLoop.time:
        return time.monotonic
    return loop.time


class Timeline:
    """Records inputs while attached to a session; ``last`` is the latest recording."""

    def __init__(self, session: "Session", *, show: Callable[[Recording], None] | None = None) -> None:
        self._evaluator = session.evaluator
        self.show = show  # called with each recording as its input ends
        self._tape: Tape | None = None
        self._input: Coroutine[Any, Any, Any] | None = None
        self._recording = False
        self._last: tuple[Tape, Row, float] | None = None
        self._last_recording: Recording | None = None

    @property
    def on(self) -> bool:
        return self._evaluator.tasks.wrap_coro is not None

    @property
    def last(self) -> Recording | None:
        """The latest input recorded (its rows are made on first look)."""
        if self._last_recording is None and self._last is not None:
            tape, first, end = self._last
            self._last_recording = tape.recording(first, end)
            self._last = None
        return self._last_recording

    def attach(self) -> None:
        global _clock
        if self.on:
            return
        _clock = _loop_clock(self._evaluator.loop)
        self._evaluator.tasks.wrap_coro = self._wrap
        self._evaluator.on_input_start.append(self._input_started)
        self._evaluator.on_input_end.append(self._input_ended)

    def detach(self) -> None:
        """Take every hook away again: recording off costs nothing."""
        evaluator = self._evaluator
        evaluator.tasks.wrap_coro = None
        for callbacks, callback in ((evaluator.on_input_start, self._input_started), (evaluator.on_input_end, self._input_ended)):
            while callback in callbacks:
                callbacks.remove(callback)
        self._stop_timing()

    def _wrap(self, coro: Coroutine[Any, Any, Any], name: Any, users: bool) -> Coroutine[Any, Any, Any]:
        """``TaskWatch.wrap_coro`` between inputs: waits for the next input's coroutine."""
        if not users and Evaluator.is_input(coro):
            self._stop_timing()
            self._tape = Tape(_clock())
            self._input = self._tape.add_input(coro)
            return self._input
        return coro

    def _input_started(self, task: "asyncio.Task[Any]") -> None:
        tape = self._tape
        self._recording = tape is not None and task.get_coro() is self._input
        if tape is not None and self._recording:
            watch = self._evaluator.tasks
            tape.carry_on(watch.alive())
            watch.wrap_coro = tape.add  # the user's tasks go straight onto the tape
            watch.made = tape.tasks

    def _input_ended(self, task: "asyncio.Task[Any]") -> None:
        tape = self._tape
        if not self._recording or tape is None or task.get_coro() is not self._input:
            return
        end = _clock()
        ending = _ending(task)
        if ending == "done" and task.result() is not None:
            ending = "error"  # the input returns what it raised
        input_end = max((b for i, b in zip(tape.steps[0::3], tape.steps[2::3]) if i == 0), default=None)
        first = Row(task.get_name(), tape.created, (), input_end if ending != "alive" else None, ending, True)
        self._stop_timing()
        self._last = (tape, first, max(end, input_end or end))
        self._last_recording = None
        recording = self.last
        if self.show is not None and recording is not None:
            self.show(recording)

    def _stop_timing(self) -> None:
        watch = self._evaluator.tasks
        if self._tape is not None:
            watch.made = None
            self._tape.close()
        self._tape = None
        self._input = None
        if watch.wrap_coro is not None:
            watch.wrap_coro = self._wrap
        self._recording = False


#: A coarse chart keeps the tasks of an input only up to this many (beyond, %timeline on).
SPANS_KEPT = 1000


class Spans:
    """The last input's tasks with when each started and ended: always on, while %timeline is off.

    So that a plain ``%timeline`` can chart the input just run.  Its cost is one
    list append per task the input makes; rows are built only if someone looks.
    """

    def __init__(self, session: "Session") -> None:
        self._evaluator = session.evaluator
        self._input: asyncio.Task[Any] | None = None
        self._made: list[Any] | None = None
        self._start = 0.0
        self._last: tuple[asyncio.Task[Any], float, float, list[Any]] | None = None
        self.too_many = False

    def install(self) -> None:
        self._evaluator.on_input_start.append(self._started)
        self._evaluator.on_input_end.append(self._ended)

    def _started(self, task: "asyncio.Task[Any]") -> None:
        watch = self._evaluator.tasks
        if watch.wrap_coro is not None or watch.made is not None:
            self._input = None  # %timeline on records this input in full
            return
        self._input, self._start, self._made = task, self._evaluator.loop.time(), []
        watch.made = self._made

    def _ended(self, task: "asyncio.Task[Any]") -> None:
        if task is not self._input or self._made is None:
            return
        watch = self._evaluator.tasks
        if watch.made is self._made:
            watch.made = None
        self.too_many = len(self._made) > SPANS_KEPT
        self._last = None if self.too_many else (task, self._start, self._evaluator.loop.time(), self._made)
        self._input = self._made = None

    @property
    def last(self) -> Recording | None:
        if self._last is None:
            return None
        task, start, end, made = self._last
        ending = _ending(task)
        if ending == "done" and task.result() is not None:
            ending = "error"  # the input returns what it raised
        rows = [Row(task.get_name(), start, (), end, ending, True)]
        rows += [Row(t.get_name(), t.created, (), t.finished_at if t.done() else None, _ending(t)) for t in made]
        return Recording(task.get_name(), start, end, tuple(rows), coarse=True)


def spans_for(session: "Session") -> Spans:
    """The session's coarse recorder, installed on first use."""
    spans = session.features.get(Spans)
    if spans is None:
        spans = session.features.get_or_make(Spans, lambda: Spans(session))
        spans.install()
    return spans


def timeline_for(session: "Session") -> Timeline:
    """The session's timeline, made on first use (nothing is attached until ``attach``)."""
    return session.features.get_or_make(Timeline, lambda: Timeline(session))
