"""The blocking detector's mechanism: the beat on the loop and the thread that samples a stalled loop's stack.

How it works.  While the learner's code could be running (an input runs, or one
of their tasks is alive) the loop beats: a ``call_later`` tick, every 50 ms at
most, that records the time.  A daemon thread sleeps until a beat is overdue by
more than the threshold; then the loop has not turned for that long, and the
thread samples the loop thread's stack (``sys._current_frames``) every 10 ms
until the next beat arrives.  That late beat, on the loop, writes one dim note:
the learner's line seen most, its function, how long the loop stood still, and
advice picked from the line's text (for a call it does not know, from whether
the loop thread was busy on a CPU or waiting); ``advice.py`` words it.  The
thread never writes.

What is reported (and what is not).  A stall is reported when a sample shows
the learner's code (a frame from ``<input-N>``, ``-c`` or a file of theirs; not
asyncio, asyncshell, the standard library or installed packages) and either

* that code runs inside a coroutine the learner wrote (an ``async def``), run as
  a task or awaited by the input: a coroutine must never block, whether or not
  another task happens to be waiting; or
* it is synchronous code typed at the prompt (or a plain function it calls)
  while at least one of the learner's tasks is alive: that task could not run.

So ``sum(range(10**8))`` typed at the prompt with no task of theirs alive is
not reported: it is a script line, and nothing was kept waiting.  A stall made
of many short steps of several tasks is not one blocking step and is not
reported either.  Each line is reported once per input.

Costs.  Without the learner's code running there is no beat at all; with it,
20 tiny callbacks a second, and a thread that wakes about once per threshold.
A C call that never releases the GIL (``sum(range(10**9))``) cannot be sampled
while it runs; the first sample after it returns usually still shows its line.
"""

from __future__ import annotations

import asyncio
import collections
import linecache
import math
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

if TYPE_CHECKING:
    from asyncshell.repl.session import Session
    from asyncshell.repl.tasks import TaskWatch

DEFAULT_THRESHOLD = 0.2
SAMPLE_EVERY = 0.01  # seconds between stack samples while the loop stands still
_IDLE_CHECK = 0.3  # seconds: with no input running, how often the beat looks for live tasks of the learner's
_ASYNC_FLAGS = 0x80 | 0x200  # CO_COROUTINE | CO_ASYNC_GENERATOR


class Spot(NamedTuple):  # not a dataclass: this module loads at start-up, and those cost ms to build
    """Where the learner's code was when a sample was taken."""

    filename: str
    lineno: int
    function: str  # qualified name of the innermost function of theirs; "<module>" at the top level
    coroutine: str | None  # the outermost ``async def`` of theirs on the stack, if any


class _Stall:
    """What the thread saw while one beat was overdue.  Touched only under the watchdog's lock."""

    def __init__(self) -> None:
        #: Samples of the learner's code, by the task running it (its id; None outside a task) and the spot.
        self.spots: collections.Counter[tuple[int | None, Spot]] = collections.Counter()
        self.waiting: tuple[str, ...] | None = None  # names of the learner's tasks alive, as the thread saw them
        self.cpu: float | None = None  # CPU seconds of the loop thread over ``wall``
        self.wall = 0.0


class Watchdog:
    """One per session: the heartbeat (on the loop) and the sampling thread."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        tasks: "TaskWatch",
        report: Callable[[str], None],
        *,
        threshold: float | None = DEFAULT_THRESHOLD,
        last_interrupt: Callable[[], float] = lambda: -math.inf,
    ) -> None:
        self.loop = loop
        self._last_interrupt = last_interrupt  # when Ctrl-C last stopped an input (time.monotonic)
        self._tasks = tasks
        self._report = report
        self._threshold = threshold
        self._every = beat_interval(threshold)
        self.last_threshold = threshold or DEFAULT_THRESHOLD  # what ``%blocking on`` goes back to
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._beat: tuple[int, float] = (0, math.inf)  # (count, when the next beat is due); inf: not beating
        self._handle: asyncio.TimerHandle | None = None
        self._stall: _Stall | None = None
        self._input: asyncio.Task[Any] | None = None
        self._reported: set[tuple[str, int]] = set()
        self._loop_thread = 0
        self._cpu_clock: int | None = None
        self._is_learners: Callable[[str], bool] = lambda filename: False

    # -- settings (loop thread) ------------------------------------------------

    @property
    def threshold(self) -> float | None:
        """Seconds the loop may stand still before it is reported; None when the detector is off."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: float | None) -> None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(f"threshold must be a positive number of seconds, not {value!r}")
        self._threshold = value
        if value is None:
            self._stop_beating()
        else:
            self.last_threshold = value
            self._every = beat_interval(value)
            if self._input is not None or self._tasks.alive():
                self._start_beating()
        self._wake.set()

    @property
    def beating(self) -> bool:
        """Is the heartbeat on?  Only while an input runs or a task of the learner's is alive."""
        return self._handle is not None

    def stop(self) -> None:
        """Stop beating and end the thread (it is a daemon too, so exiting never waits for it)."""
        self._stopped = True
        self._wake.set()
        if not self.loop.is_closed():
            self._stop_beating()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=1.0)

    # -- the evaluator's hooks (loop thread) -----------------------------------

    def input_started(self, task: "asyncio.Task[Any]") -> None:
        self._input = task
        self._reported.clear()
        if self._threshold is not None:
            self._start_beating()

    def input_ended(self, task: "asyncio.Task[Any]") -> None:
        self._input = None  # the beat stops by itself once no task of the learner's is alive

    # -- the heartbeat (loop thread) -------------------------------------------

    def _start_beating(self) -> None:
        if self._handle is not None or self._stopped:
            return
        if self._thread is None:
            self._start_thread()
        with self._lock:
            count, _ = self._beat
            self._beat = (count + 1, time.monotonic() + self._every)
        self._handle = self.loop.call_later(self._every, self._tick)
        self._wake.set()

    def _stop_beating(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        with self._lock:
            count, _ = self._beat
            self._beat = (count + 1, math.inf)
            self._stall = None

    def _tick(self) -> None:
        now = time.monotonic()
        with self._lock:
            count, due = self._beat
            stall, self._stall = self._stall, None
            every = self._every
            keep = self._input is not None or count % max(1, round(_IDLE_CHECK / every)) != 0 or bool(self._tasks.alive())
            self._beat = (count + 1, now + every if keep else math.inf)
        self._handle = self.loop.call_later(every, self._tick) if keep else None
        threshold = self._threshold
        late = now - due
        if stall is not None and threshold is not None and late > threshold:
            # The stall began between the previous beat and this one's due time: take the middle.
            self._tell(stall, late + every / 2)

    def _tell(self, stall: _Stall, seconds: float) -> None:
        if not stall.spots:
            return  # nothing of the learner's was seen
        by_task: collections.Counter[int | None] = collections.Counter()
        for (task, _), samples in stall.spots.items():
            by_task[task] += samples
        task, samples = by_task.most_common(1)[0]
        if len(by_task) > 1 and samples * SAMPLE_EVERY < (self._threshold or 0):
            return  # many short steps of several tasks shared the stall: no one step blocked
        spot = collections.Counter({spot: n for (other, spot), n in stall.spots.items() if other == task}).most_common(1)[0][0]
        waiting = stall.waiting if stall.waiting is not None else tuple(task.get_name() for task in self._tasks.alive())
        if spot.coroutine is None and not waiting:
            return  # plain code at the prompt, and no task of theirs was kept waiting
        if (spot.filename, spot.lineno) in self._reported:
            return
        if self._last_interrupt() >= time.monotonic() - seconds:
            return  # the learner stopped it with Ctrl-C: they know it held the loop
        self._reported.add((spot.filename, spot.lineno))
        cpu_share = stall.cpu / stall.wall if stall.cpu is not None and stall.wall >= 0.05 else None
        from asyncshell.insight.advice import describe  # only once something blocked

        self._report(describe(spot, seconds, waiting, cpu_share, linecache.getline(spot.filename, spot.lineno).strip()))

    # -- the thread ------------------------------------------------------------

    def _start_thread(self) -> None:
        self._loop_thread = threading.get_ident()
        try:
            self._cpu_clock = time.pthread_getcpuclockid(self._loop_thread)
        except (AttributeError, OSError):
            self._cpu_clock = None  # no per-thread CPU clock here: advice goes by the line's text
        self._is_learners = learner_files()
        self._thread = threading.Thread(target=self._watch, name="asyncshell-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopped and not self.loop.is_closed():
            self._wake.clear()
            count, due = self._beat
            threshold = self._threshold
            wait = 1.0 if threshold is None else due + threshold - time.monotonic()
            if wait > 0:
                self._wake.wait(min(wait, 1.0))  # wakes at least once a second to notice a closed loop
                continue
            self._sample_until_the_loop_turns(count)

    def _sample_until_the_loop_turns(self, count: int) -> None:
        stall = _Stall()
        with self._lock:
            if self._beat[0] != count:
                return
            self._stall = stall
        started, cpu_started = time.monotonic(), self._cpu_time()
        while not self._stopped:
            frame = sys._current_frames().get(self._loop_thread)
            spot = learners_spot(frame, self._is_learners) if frame is not None else None
            del frame
            task = _current_task(self.loop) if spot is not None else None
            waiting = self._waiting() if spot is not None and stall.waiting is None else None
            cpu = self._cpu_time()
            with self._lock:
                if self._beat[0] != count:
                    return  # the loop turned: the late beat took the stall and reports it
                if spot is not None:
                    stall.spots[None if task is None else id(task), spot] += 1
                    if waiting is not None:
                        stall.waiting = waiting
                if cpu is not None and cpu_started is not None:
                    stall.cpu, stall.wall = cpu - cpu_started, time.monotonic() - started
            time.sleep(SAMPLE_EVERY)  # not ``_wake.wait``: a wake-up left set would make this spin

    def _waiting(self) -> tuple[str, ...] | None:
        try:
            return tuple(task.get_name() for task in self._tasks.alive())
        except RuntimeError:  # the loop thread changed the set meanwhile; the beat will look again
            return None

    def _cpu_time(self) -> float | None:
        if self._cpu_clock is None:
            return None
        try:
            return time.clock_gettime(self._cpu_clock)
        except OSError:
            return None


def beat_interval(threshold: float | None) -> float:
    """Seconds between beats: a quarter of the threshold, within 10 to 50 ms.

    A beat that finds the loop idle wakes it up, which costs more than the beat
    itself (0.1 ms of CPU on a small VM), so beats are few.  A stall is timed
    from the beat that came late, so a report is off by at most half a beat.
    """
    return min(0.05, max(0.01, (threshold or DEFAULT_THRESHOLD) / 4))


def _current_task(loop: asyncio.AbstractEventLoop) -> "asyncio.Task[Any] | None":
    try:
        return asyncio.current_task(loop)
    except RuntimeError:
        return None


def learner_files() -> Callable[[str], bool]:
    """``is_learners_file`` with a memory: the thread asks about the same few files every 10 ms."""
    from asyncshell.repl.tracebacks import is_learners_file  # only once the learner's code first runs

    seen = {__file__: is_learners_file(__file__)}  # looks the library paths up now, on the loop thread

    def is_learners(filename: str) -> bool:
        known = seen.get(filename)
        if known is None:
            known = seen[filename] = is_learners_file(filename)
        return known

    return is_learners


def learners_spot(frame: Any, is_learners: Callable[[str], bool]) -> Spot | None:
    """The innermost frame of the learner's code on this stack, and their outermost coroutine."""
    inner: tuple[str, int, str] | None = None
    coroutine = None
    while frame is not None:
        code = frame.f_code
        if is_learners(code.co_filename):
            if inner is None:
                inner = (code.co_filename, frame.f_lineno or code.co_firstlineno, code.co_qualname)
            if code.co_flags & _ASYNC_FLAGS and code.co_name != "<module>":  # top-level await makes <module> a coroutine
                coroutine = code.co_qualname
        frame = frame.f_back
    return None if inner is None else Spot(*inner, coroutine=coroutine)


def install_watchdog(session: "Session", *, threshold: float | None = DEFAULT_THRESHOLD) -> Watchdog:
    """Watch ``session``'s loop for blocking steps; reports go to its console as notes.

    Cheap to call at start-up: the thread starts with the first input, and ends
    when the loop closes or on ``watchdog.stop()``.  Calling it again returns the
    session's watchdog.
    """
    existing = session.features.get(Watchdog)
    if existing is not None:
        return existing
    evaluator = session.evaluator
    watchdog = session.features.get_or_make(
        Watchdog, lambda: Watchdog(evaluator.loop, evaluator.tasks, session.console.note, threshold=threshold,
                                   last_interrupt=lambda: evaluator.last_interrupt)
    )
    evaluator.on_input_start.append(watchdog.input_started)
    evaluator.on_input_end.append(watchdog.input_ended)
    return watchdog
