"""Runs what the user typed on the live loop, in one namespace; no terminal code.

Each input is compiled with top-level ``await`` allowed and run as a task on the
running loop, so the loop (and every task the user started) keeps going while it
runs and after it ends.  The caller decides how to show values and errors.
"""

from __future__ import annotations

import __future__
import ast
import asyncio
import builtins
import contextvars
import dataclasses
import inspect
import math
import signal
import sys
import textwrap
import threading
import time
import types
from typing import Any, Callable, Literal

from asyncshell.repl.tasks import FailureReporter, TaskWatch
from asyncshell.repl.tracebacks import remember_source, where_suspended

_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_FUTURE_FLAGS = [getattr(__future__, name).compiler_flag for name in __future__.all_feature_names]
# How long past its timeout sync code may hold the loop before it is interrupted
# like Ctrl-C; awaiting code is cancelled by the loop at the timeout itself.
_SYNC_GRACE = 0.25
#: How long a cancelled input may take to finish (its ``finally:`` blocks) before it
#: is abandoned as one that swallowed the cancellation.
CANCEL_GRACE = 1.5
#: How long the loop may go without turning after Ctrl-C before another of the user's
#: tasks, caught mid-step, is taken to hold it in sync code and is interrupted where it runs.
_HELD_AFTER = 0.2


class Quitter:
    """``exit`` and ``quit`` that leave the shell without closing stdin (site's version does)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"Use {self._name}, {self._name}(), Ctrl-D or %quit to leave asyncshell"

    def __call__(self, code: object = None) -> None:
        raise SystemExit(code)


def new_namespace() -> dict[str, Any]:
    """A fresh ``__main__``-like namespace with asyncio already imported."""
    return {
        "__name__": "__main__",
        "__doc__": None,
        "__builtins__": builtins,
        "asyncio": asyncio,
        "exit": Quitter("exit"),
        "quit": Quitter("quit"),
    }


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one input ended.  ``error`` is set for "error"; ``exit_code`` for "exit".

    ``swallowed`` (with "interrupted" or "timeout") says where the input was when it
    caught the CancelledError meant to stop it and carried on: it was abandoned,
    still running, after ``CANCEL_GRACE`` seconds.
    """

    kind: Literal["ok", "error", "interrupted", "timeout", "exit"]
    error: BaseException | None = None
    exit_code: int = 0
    swallowed: str = ""


#: What to do about an input (or a check) that swallowed its cancellation: said after where it happened.
SWALLOWED_ADVICE = ("A bare `except:` or `except BaseException:` around an await does this: "
                    "catch `Exception` instead, or re-raise `asyncio.CancelledError`.")


def _settle(future: "asyncio.Future[None]") -> None:
    if not future.done():
        future.set_result(None)


def exit_code_of(exc: SystemExit) -> tuple[int, str | None]:
    """The process status for ``SystemExit(arg)``, and a message to print, as Python does."""
    if exc.code is None:
        return 0, None
    if isinstance(exc.code, int):
        return exc.code, None
    return 1, str(exc.code)


class _Displayed(ast.NodeTransformer):
    """Bare expressions in one statement (and the blocks inside it, not its functions) go to ``sys.displayhook``, as "single" mode does."""

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        hook = ast.Attribute(ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant("sys")], []), "displayhook", ast.Load())
        return ast.copy_location(ast.Expr(ast.Call(hook, [node.value], [])), node)

    def _leave(self, node: ast.AST) -> ast.AST:
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _leave


class Evaluator:
    """One namespace, one loop: ``await run(source)`` executes an input and reports how it ended."""

    def __init__(
        self,
        namespace: dict[str, Any] | None = None,
        *,
        write: Callable[[str], None],
        report_task_failure: FailureReporter | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.namespace = new_namespace() if namespace is None else namespace
        self._write = write
        self.loop = self._loop = loop or asyncio.get_running_loop()
        self.tasks = TaskWatch(self._loop, report_task_failure)
        #: The session's one ``contextvars`` context: every input runs in it, so a ContextVar set at
        #: the prompt (or in a coroutine awaited there) stays set, and tasks started later copy it.
        self.context = contextvars.copy_context()
        self.tasks.install()
        self._count = 0
        self._future_flags = 0
        # Extension points (teaching features): rewrites of typed code, and callbacks
        # around each input.  ``notes`` collects one-line remarks about the last input.
        self.transforms: list[Callable[[ast.Module], ast.Module]] = []
        self.on_input_start: list[Callable[["asyncio.Task[Any]"], None]] = []
        self.on_input_end: list[Callable[["asyncio.Task[Any]"], None]] = []
        self.notes: list[str] = []
        self._current: asyncio.Task[BaseException | None] | None = None
        self._stop_requested: asyncio.Future[None] | None = None
        self._one_at_a_time = asyncio.Lock()
        self._interrupted = False
        #: When Ctrl-C last stopped an input (``time.monotonic()``): a feature may take it as deliberate.
        self.last_interrupt = -math.inf
        #: Inputs that swallowed the cancellation meant to stop them, still running: cancelled again at exit.
        self.abandoned: list[asyncio.Task[Any]] = []
        self._expired: asyncio.Task[BaseException | None] | None = None
        self._holding: asyncio.Task[Any] | None = None  # a task found holding the loop: the next SIGINT is ours

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    @staticmethod
    def is_input(coro: object) -> bool:
        """Is ``coro`` the coroutine an input's task runs?  The timeline tells inputs apart by it, before their task exists."""
        return getattr(coro, "cr_code", None) is Evaluator._execute.__code__

    def compile(self, source: str | ast.Module, filename: str, *, show_values: bool = True) -> types.CodeType | None:
        """Compile a whole input; raises SyntaxError like Python would.  None for nothing to run.

        ``show_values`` compiles as the REPL does: like Python 3.13's, an input of
        several statements (a paste) shows the value of its last statement only;
        without it, as a script.  Source text is the user's code and goes through
        ``transforms``; a tree is taken as given (lesson checks build their own).
        """
        if isinstance(source, ast.Module):
            tree = source
        else:
            if source[:1].isspace():
                source = textwrap.dedent(source)  # a paste copied from inside a block
            tree = compile(source, filename, "exec", _FLAGS | ast.PyCF_ONLY_AST | self._future_flags, dont_inherit=True)
            for transform in self.transforms:
                tree = ast.fix_missing_locations(transform(tree))
        if not tree.body:
            return None
        flags: int = _FLAGS | self._future_flags
        if show_values and len(tree.body) == 1:
            code: types.CodeType = compile(ast.Interactive(body=tree.body), filename, "single", flags, dont_inherit=True)
        else:
            if show_values:  # a paste: as a script, but the last statement shows its value as if typed alone
                tree = ast.Module(body=[*tree.body[:-1], _Displayed().visit(tree.body[-1])], type_ignores=tree.type_ignores)
                ast.fix_missing_locations(tree)
            code = compile(tree, filename, "exec", flags, dont_inherit=True)
        for flag in _FUTURE_FLAGS:
            if code.co_flags & flag:
                self._future_flags |= flag  # `from __future__ import ...` lasts, as in Python's REPL
        return code

    def next_filename(self) -> str:
        self._count += 1
        return f"<input-{self._count}>"

    async def run(
        self,
        source: str | ast.Module,
        filename: str | None = None,
        *,
        namespace: dict[str, Any] | None = None,
        show_values: bool = True,
        timeout: float | None = None,
    ) -> Outcome:
        """Run one input on the live loop.  Never raises for anything the user's code does.

        Lesson checks pass their own ``namespace`` (layered over the user's) and a
        ``timeout``; they are interrupted by Ctrl-C like any input.
        """
        filename = filename or self.next_filename()
        self.notes = []  # a note belongs to its input, even one that turns out to be a comment or a SyntaxError
        if filename.startswith("<") and isinstance(source, str):
            remember_source(filename, source)
        try:
            code = self.compile(source, filename, show_values=show_values)
        except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
            return Outcome("error", exc)
        if code is None:
            return Outcome("ok")
        async with self._one_at_a_time:  # a file watched for saves may run while the prompt waits
            return await self._run_code(code, namespace, timeout)

    async def _run_code(self, code: types.CodeType, namespace: dict[str, Any] | None, timeout: float | None) -> Outcome:
        self._interrupted = False
        target = self.namespace if namespace is None else namespace
        task = self._loop.create_task(self._execute(code, target), name=f"input-{self._count}", context=self.context)
        self._current = task
        self.tasks.start_input(task)
        for callback in self.on_input_start:
            callback(task)
        deadline = self._arm_deadline(task, timeout) if timeout is not None else None
        stop = self._stop_requested = self._loop.create_future()
        try:
            done, _ = await asyncio.wait([task, stop], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task not in done:
                if not stop.done():
                    task.cancel()  # the timeout; Ctrl-C has cancelled it already
                done, _ = await asyncio.wait([task], timeout=CANCEL_GRACE)
                if not done:
                    return self._abandon(task, "interrupted" if stop.done() else "timeout")
                if not stop.done():
                    return Outcome("timeout")
        except asyncio.CancelledError:
            task.cancel()  # whoever awaited us gave up: so does the input
            raise
        finally:
            if deadline is not None:
                deadline.cancel()
            self._current = self._stop_requested = None
            self.tasks.end_input()
            for callback in self.on_input_end:
                callback(task)
        return self._outcome(task)

    def _arm_deadline(self, task: "asyncio.Task[BaseException | None]", timeout: float) -> threading.Timer:
        """A timeout the loop cannot enforce: sync code (``while True: pass``) never lets it turn."""
        timer = threading.Timer(timeout + _SYNC_GRACE, self._expire, (task,))
        timer.daemon = True
        timer.start()
        return timer

    def _expire(self, task: "asyncio.Task[BaseException | None]") -> None:
        # On the timer's thread.  Only when the user's code holds the loop: then a real
        # SIGINT (which also wakes a time.sleep) reaches the handler that calls interrupt().
        if task.done() or not self.tasks.is_users(asyncio.current_task(self._loop)):
            return
        self._expired = task
        self._holding = asyncio.current_task(self._loop)
        self._signal_main()

    def _signal_main(self) -> None:
        """A real SIGINT, which also wakes a ``time.sleep``, reaches the handler that calls interrupt()."""
        if hasattr(signal, "pthread_kill"):
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        else:  # pragma: no cover - Windows
            import _thread

            _thread.interrupt_main()

    def _confirm_held(self, running: "asyncio.Task[Any]", task: "asyncio.Task[Any] | None") -> None:
        """Ctrl-C came while another of the user's tasks ran a step: a ticker between two
        sleeps must live on, so only a task still holding the loop a moment later is stopped."""
        turned = threading.Event()
        self._loop.call_soon_threadsafe(turned.set)

        def check() -> None:
            if turned.is_set() or (task is not None and task.done()) or asyncio.current_task(self._loop) is not running:
                return
            self._holding = running
            self._signal_main()

        timer = threading.Timer(_HELD_AFTER, check)
        timer.daemon = True
        timer.start()

    def signal_is_ours(self) -> bool:
        """True while a SIGINT the evaluator sent itself (a timeout, a held loop) is on its way."""
        return self._holding is not None

    def handle_sigint(self, signum: int = 0, frame: object = None) -> None:
        """A SIGINT handler for callers without a session (e.g. ``asyncshell validate``)."""
        if not self.interrupt():
            raise KeyboardInterrupt

    def interrupt(self) -> bool:
        """Ctrl-C: stop the running input.  Called from a signal handler; False when nothing runs.

        Sync code that holds the loop (``while True: pass``, ``time.sleep``) can only be
        stopped by raising where it runs; code waiting on an ``await`` is cancelled.  A
        background task of the user's is raised in only once it is seen to hold the loop.
        """
        task = self._current
        running = asyncio.current_task(self._loop)
        holding, self._holding = self._holding, None
        if running is not None and running is holding:
            raise KeyboardInterrupt
        if task is None or task.done():
            if not self.tasks.is_users(running):
                return False
            self._confirm_held(running, None)
            return True
        self._interrupted = True
        self.last_interrupt = time.monotonic()
        if running is not task:
            self._loop.call_soon_threadsafe(task.cancel)
        stop = self._stop_requested
        if stop is not None:
            self._loop.call_soon_threadsafe(_settle, stop)
        if running is task:
            raise KeyboardInterrupt
        if self.tasks.is_users(running):
            self._confirm_held(running, task)
        return True

    async def _execute(self, code: types.CodeType, namespace: dict[str, Any]) -> BaseException | None:
        """The input task's body.  Returns what went wrong rather than raising, so that
        KeyboardInterrupt and SystemExit from user code never escape into the loop."""
        saved_hook = sys.displayhook
        sys.displayhook = self._display
        try:
            result = eval(code, namespace)
            if inspect.iscoroutine(result):
                await result
        except BaseException as exc:  # noqa: BLE001 - the user's code may raise anything
            return exc
        finally:
            sys.displayhook = saved_hook
        return None

    def _display(self, value: object) -> None:
        if value is None:
            return
        self.namespace["_"] = value
        try:
            text = repr(value)
        except SystemExit:  # the learner's __repr__ called exit(): showing a value must not end the shell
            text = "<repr failed: SystemExit>"
        self._write(text + "\n")

    def _abandon(self, task: "asyncio.Task[BaseException | None]", kind: Literal["interrupted", "timeout"]) -> Outcome:
        """The input caught its CancelledError and went on: leave it running, and say where it is."""
        self.abandoned.append(task)
        return Outcome(kind, swallowed=where_suspended(task))

    def _outcome(self, task: asyncio.Task[BaseException | None]) -> Outcome:
        expired = self._expired is task
        if task.cancelled():
            return Outcome("timeout" if expired else "interrupted")
        exc = task.result()
        if expired and isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
            return Outcome("timeout")
        if exc is None:
            return Outcome("ok")
        if isinstance(exc, SystemExit):
            return Outcome("exit", exc, exit_code_of(exc)[0])
        if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)) and self._interrupted:
            return Outcome("interrupted")
        return Outcome("error", exc)
