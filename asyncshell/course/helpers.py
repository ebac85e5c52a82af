"""The helpers check code can call, for what asyncio makes hard to observe.

    elapsed()            async with elapsed() as t: await main()    then t.seconds
    track(fn)            a stand-in for fn recording .calls, .results, .errors, .peak_in_flight
    tracking("fetch")    with tracking("fetch") as fetch: ...       the learner's fetch, tracked
    captured_output()    what was printed to sys.stdout since the check started
    captured_warnings()  the warnings raised since the check started

``elapsed`` and ``track`` stand alone.  The other three belong to one check run:
``with CheckHelpers(learner_namespace) as helpers`` tees ``sys.stdout``, records
warnings, and on the way out puts back stdout, the warning settings and every
name ``tracking`` swapped, however the check ended.  ``helpers.names`` is what
goes into the check's namespace.  Lesson authors read about these in
``docs/lesson-format.md``; keep the names in step with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import inspect
import io
import sys
import warnings
from types import TracebackType
from typing import Any, Callable, Iterator, Sequence, TextIO


class Stopwatch:
    """What ``elapsed()`` gives: ``seconds`` on the loop's clock, still counting inside the block."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start = 0.0
        self._end: float | None = None

    async def __aenter__(self) -> Stopwatch:
        self._loop = asyncio.get_running_loop()
        self._start = self._loop.time()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._loop is not None
        self._end = self._loop.time()

    @property
    def seconds(self) -> float:
        if self._loop is None:
            return 0.0
        end = self._end if self._end is not None else self._loop.time()
        return end - self._start

    def __repr__(self) -> str:
        return f"elapsed(seconds={self.seconds:.3f})"


def elapsed() -> Stopwatch:
    """Time a block on the loop's clock, to tell "ran concurrently" from "one after another".

    ``async with elapsed() as t: await main()``, then ``assert t.seconds < 0.5``.
    """
    return Stopwatch()


class Call(tuple):
    """One call to a tracked function: its positional arguments, plus ``kwargs``.

    It compares equal to a plain tuple of the positional arguments, so
    ``fetch.calls == [("a",), ("b",)]`` reads as it should.
    """

    kwargs: dict[str, Any]

    def __new__(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Call:
        call = super().__new__(cls, args)
        call.kwargs = kwargs
        return call

    def __repr__(self) -> str:
        if not self.kwargs:
            return tuple.__repr__(self)
        parts = [repr(arg) for arg in self] + [f"{key}={value!r}" for key, value in self.kwargs.items()]
        return f"Call({', '.join(parts)})"


def track(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A stand-in for ``fn`` that records how it is used; call and await it as you would ``fn``.

    The stand-in has ``fn``'s name (so its coroutines, tasks and "never awaited"
    warnings read as ``fn``'s), is still a coroutine function when ``fn`` is one,
    and keeps, as attributes:

    - ``calls``: one ``Call`` per call, in the order they started (for a coroutine
      function, when its coroutine starts running: one never awaited is no call);
    - ``results``: what finished calls returned, in the order they finished;
    - ``errors``: the exceptions calls raised (not counting cancellation);
    - ``cancelled``: how many calls were cancelled;
    - ``in_flight`` and ``peak_in_flight``: calls started and not yet finished,
      now and at the most.  "At most 5 at once" is ``peak_in_flight <= 5``.

    ``fetch = track(fetch)`` only changes what the *check* calls: the learner's
    functions still find their own ``fetch``.  Use ``tracking("fetch")`` for that.
    """
    if not callable(fn):
        raise TypeError(f"track() needs a function, not {type(fn).__name__}")
    tracked: Any
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def tracked(*args: Any, **kwargs: Any) -> Any:
            with _one_call(tracked, args, kwargs):
                return _returned(tracked, await fn(*args, **kwargs))

    else:

        @functools.wraps(fn)
        def tracked(*args: Any, **kwargs: Any) -> Any:
            with _one_call(tracked, args, kwargs):
                return _returned(tracked, fn(*args, **kwargs))

    # functools.wraps copied fn's attributes: a tracked function tracked again starts afresh.
    tracked.calls, tracked.results, tracked.errors = [], [], []
    tracked.cancelled = tracked.in_flight = tracked.peak_in_flight = 0
    return tracked


@contextlib.contextmanager
def _one_call(tracked: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[None]:
    tracked.calls.append(Call(args, kwargs))
    tracked.in_flight += 1
    tracked.peak_in_flight = max(tracked.peak_in_flight, tracked.in_flight)
    try:
        yield
    except asyncio.CancelledError:
        tracked.cancelled += 1
        raise
    except BaseException as exc:
        tracked.errors.append(exc)
        raise
    finally:
        tracked.in_flight -= 1


def _returned(tracked: Any, result: Any) -> Any:
    tracked.results.append(result)
    return result


class _Tee:
    """Stands in for ``sys.stdout``: keeps a copy of the text and passes it on."""

    def __init__(self, target: TextIO | None) -> None:
        self.target = target
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.target.write(text) if self.target is not None else len(text)

    def flush(self) -> None:
        if self.target is not None:
            self.target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


class _Swap:
    """A learner name ``tracking`` replaced, and how to put it back."""

    def __init__(self, namespace: dict[str, Any], name: str, replacement: Any) -> None:
        self.namespace, self.name, self.replacement = namespace, name, replacement
        self.original = namespace[name]
        namespace[name] = replacement

    def undo(self) -> None:
        # If the learner's code rebound the name meanwhile, their newer value stays.
        if self.namespace.get(self.name) is self.replacement:
            self.namespace[self.name] = self.original


class CheckHelpers:
    """The helpers for one check run; a context manager.

    ``learner`` is the learner's namespace, ``check`` the check's own (layered
    over it), where ``tracking`` also puts the tracked stand-in.  ``tasks``
    gives the tasks the learner's code (and the check) started that are alive.
    """

    def __init__(self, learner: dict[str, Any], check: dict[str, Any] | None = None,
                 tasks: Callable[[], Sequence[asyncio.Task[Any]]] = list) -> None:
        self._learner = learner
        self._check = check if check is not None else {}
        self._tasks = tasks
        self._swaps: list[_Swap] = []
        self._warnings: list[str] = []
        self._tee = _Tee(None)
        self._exits = contextlib.ExitStack()

    @property
    def names(self) -> dict[str, Any]:
        """What the check's namespace gets, by the names lesson authors use."""
        return {
            "elapsed": elapsed,
            "track": track,
            "tracking": self.tracking,
            "captured_output": self.captured_output,
            "captured_warnings": self.captured_warnings,
            "running_tasks": self.running_tasks,
        }

    def __enter__(self) -> CheckHelpers:
        with contextlib.ExitStack() as exits:
            exits.callback(self._undo_swaps)
            self._tee = _Tee(sys.stdout)
            sys.stdout = self._tee
            exits.callback(self._restore_stdout)
            exits.enter_context(warnings.catch_warnings())
            # Every coroutine left un-awaited should be seen, not just the first from each line.
            warnings.filterwarnings("always", category=RuntimeWarning)
            forward = warnings.showwarning
            warnings.showwarning = functools.partial(self._record_warning, forward)
            self._exits = exits.pop_all()
        return self

    def __exit__(self, *exc_info: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._exits.close()

    def running_tasks(self) -> list[asyncio.Task[Any]]:
        """The tasks the learner's code (or the check) started that are still running, oldest first:
        "no worker left behind" is ``assert not running_tasks()``."""
        current = asyncio.current_task()
        return [task for task in self._tasks() if task is not current]

    def tracking(self, name: str) -> contextlib.AbstractContextManager[Any]:
        """``with tracking("fetch") as fetch:`` puts ``track(fetch)`` in the learner's namespace.

        Inside the block the learner's own code (``main()`` looking up ``fetch``)
        calls the tracked stand-in.  After it the learner's ``fetch`` is back,
        whether the block passed, failed, timed out or was interrupted.  In the
        check's own namespace ``fetch`` stays the stand-in, so ``fetch.calls``
        and friends can be read after the block (``as`` is then optional).
        A name the learner has not defined fails the check as "not defined yet".
        """
        if name not in self._learner:
            raise NameError(f"name {name!r} is not defined", name=name)
        return self._swapped(name)

    @contextlib.contextmanager
    def _swapped(self, name: str) -> Iterator[Any]:
        swap = _Swap(self._learner, name, track(self._learner[name]))
        self._check[name] = swap.replacement  # thrown away with the check: nothing to put back
        self._swaps.append(swap)
        try:
            yield swap.replacement
        finally:
            if swap in self._swaps:  # not already undone by __exit__
                self._swaps.remove(swap)
                swap.undo()

    def captured_output(self) -> str:
        """Everything printed to ``sys.stdout`` since the check started (the learner saw it too).

        Output of any code running meanwhile counts, background tasks included.
        """
        return self._tee.copy.getvalue()

    def captured_warnings(self) -> list[str]:
        """The warnings raised since the check started, as ``"RuntimeWarning: coroutine 'fetch' was never awaited"``.

        Collects garbage first, so coroutines that were dropped without being
        awaited have been finalized and have warned.
        """
        gc.collect()
        return list(self._warnings)

    def _record_warning(self, forward: Callable[..., None], message: Warning | str, category: type[Warning],
                        filename: str, lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
        self._warnings.append(f"{category.__name__}: {message}")
        forward(message, category, filename, lineno, file, line)

    def _restore_stdout(self) -> None:
        if sys.stdout is self._tee:  # code that replaced stdout itself keeps its choice
            sys.stdout = self._tee.target

    def _undo_swaps(self) -> None:
        while self._swaps:
            self._swaps.pop().undo()
