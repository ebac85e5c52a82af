"""The shell's loop: read an input, run it as a %command or as Python, show how it went.

It knows nothing of prompt_toolkit: it reads through a ``Reader`` (the terminal
UI, piped stdin, or a test's list) and writes through a ``Console``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import sys
import linecache
import warnings
from typing import Any, Awaitable, Callable, Iterator

from asyncshell.repl.commands import CommandRegistry, registry as default_registry
from asyncshell.repl.console import Console
from asyncshell.errors import AsyncshellError, describe_bug
from asyncshell.repl.evaluator import SWALLOWED_ADVICE, Evaluator, Outcome, Quitter, exit_code_of
from asyncshell.repl.hooks import Features, Hooks, Terminal
from asyncshell.repl.statements import is_command
from asyncshell.repl.streams import StandardStreams
from asyncshell.repl.tasks import describe_task
from asyncshell.repl.tracebacks import (ORIGIN_DEPTH, coroutine_origin, format_error, learners_frames, remember_for_post_mortem,
                                        where_suspended)
from asyncshell.text import plural

Reader = Callable[[], Awaitable[str | None]]

_SHUTDOWN_GRACE = 2.0
_INTERRUPTS_WARNED, _INTERRUPTS_TO_LEAVE = 3, 5  # Ctrl-Cs during one input that did not stop it
_LISTED_AT_EXIT = 20  # past this many tasks, the list at exit is summarised
_LISTED_AT_EXIT = 20  # past this many tasks, the list at exit is summarised


class Session:
    """One user's session on one loop.  ``await run(reader)`` returns the exit status."""

    def __init__(
        self,
        evaluator: Evaluator,
        console: Console,
        *,
        commands: CommandRegistry = default_registry,
        interactive: bool = True,
        streams: StandardStreams | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.console = console
        self.commands = commands
        self.interactive = interactive
        self._streams = streams  # put back after an input that closed or replaced them
        self.exit_code: int | None = None
        self.failed = False  # did the last input end in an error (for -c and FILE)
        self.any_failed = False  # did any input end in an error (a piped run's exit status)
        # What features may use and hook: see ``asyncshell.repl.hooks``.
        self.hooks = Hooks()
        self.features = Features()
        self.terminal: Terminal | None = None  # set by the terminal front end
        # Set-up that must not delay the first prompt but must be done before the first
        # input runs (teaching features): it runs just before that input.
        self._deferred: list[Callable[[], None]] = []
        self._unheard_interrupts = 0  # Ctrl-Cs while the current input ran
        self._warned: set[tuple[type[Warning], str, str, int]] = set()  # warnings shown for this input
        self._failures: list[tuple[str, str, str | None]] = []  # (task name, traceback, explanation), to fold
        self._reading: asyncio.Future[str | None] | None = None
        evaluator.tasks.on_failure = self.report_task_failure

    async def run(self, reader: Reader) -> int:
        """Read and handle inputs until EOF or an exit request, then cancel leftover tasks."""
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self._on_loop_error)
        with self._warnings_shown():
            while self.exit_code is None:
                self._reading = asyncio.ensure_future(reader())
                try:
                    text = await self._reading
                except asyncio.CancelledError:
                    if self.exit_code is None:
                        raise
                    break
                finally:
                    self._reading = None
                if text is None:
                    break
                await self.handle(text)
            await self._cancel_leftovers()
            await self._run_cleanups()
        if self.exit_code is None and not self.interactive and self.any_failed:
            return 1  # like a script: a piped run in which something failed reports it
        return self.exit_code or 0

    async def _run_cleanups(self) -> None:
        cleanups, self.hooks.cleanups = self.hooks.cleanups, []
        for cleanup in cleanups:
            try:
                result = cleanup()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # noqa: BLE001 - leaving must always work
                self.console.note(f"While leaving: {type(exc).__name__}: {exc}")

    def defer(self, setup: Callable[[], None]) -> None:
        """Run ``setup`` once, just before the first input: the prompt appears without waiting for it."""
        self._deferred.append(setup)

    def run_deferred(self) -> None:
        deferred, self._deferred = self._deferred, []
        for setup in deferred:
            try:
                setup()
            except Exception as exc:  # noqa: BLE001 - a teaching feature must not stop the shell
                self.console.error(describe_bug(exc))

    async def handle(self, text: str) -> None:
        """One input: a %command or Python.  Errors are shown; nothing propagates."""
        self.run_deferred()
        self._unheard_interrupts = 0
        self._warned.clear()
        if is_command(text):
            try:
                await self.commands.dispatch(self, text)
            except AsyncshellError as exc:
                self.console.error(str(exc))
            except Exception as exc:  # noqa: BLE001 - a bug in one command must not end the session
                self.console.error(f"{text.split()[0]}: {describe_bug(exc)}")
            return
        if not text.strip():
            if self.hooks.on_empty_input is not None:
                result = self.hooks.on_empty_input()
                if inspect.isawaitable(result):
                    await result
            return
        if self._is_bare_exit(text):
            self.request_exit(0)  # `exit` alone leaves, as in Python 3.13
            return
        outcome = await self.evaluator.run(text)
        self.restore_streams()
        self.show(outcome)

    def _is_bare_exit(self, text: str) -> bool:
        """``exit`` or ``quit`` typed alone, while the name is still the shell's own (not redefined)."""
        word = text.strip()
        return word in ("exit", "quit") and isinstance(self.evaluator.namespace.get(word), Quitter)

    def restore_streams(self) -> None:
        """After an input: standard streams the learner's code closed or replaced are put back, with one note."""
        if self._streams is None:
            return
        old = {"stdout": self.console.out, "stderr": self.console.err}
        restored = self._streams.restore()
        if not restored:
            return
        for name in ("stdout", "stderr"):
            fresh = self._streams.current(name)
            if fresh is not None and name in restored:
                if self.console.out is old[name]:
                    self.console.out = fresh
                if self.console.err is old[name]:
                    self.console.err = fresh
        names = ", ".join(f"sys.{name}" for name in restored)
        self.console.note(f"Your code closed or replaced {names}; asyncshell put back the one it started with.")

    def take_prefill(self) -> str:
        text, self.hooks.prefill = self.hooks.prefill, ""
        return text

    async def run_source(self, source: str, filename: str | None = None) -> Outcome:
        """Run code that did not come from the reader (``-c``, a FILE), as a script, and show the outcome."""
        self.run_deferred()
        outcome = await self.evaluator.run(source, filename, show_values=False)
        self.restore_streams()
        self.show(outcome)
        return outcome

    def show(self, outcome: Outcome) -> None:
        self.failed = outcome.kind == "error"
        self.any_failed = self.any_failed or self.failed
        for note in self.evaluator.notes:
            self.console.note(note)
        if outcome.kind == "error" and outcome.error is not None:
            self.console.error(format_error(outcome.error))
            remember_for_post_mortem(outcome.error)  # after the shell's frames are trimmed away
            self.explain_to_user(outcome.error)
        elif outcome.swallowed:
            self.console.note(
                f"The input caught the CancelledError meant to stop it and went on (it is at {outcome.swallowed}); "
                f"it was left running. {SWALLOWED_ADVICE}"
            )
        elif outcome.kind == "interrupted":
            self.console.note("KeyboardInterrupt: the input was stopped, and what it was waiting for was cancelled; "
                              "the loop and your background tasks are still running.")
        elif outcome.kind == "timeout":
            self.console.note("The input ran out of time and was cancelled.")
        elif outcome.kind == "exit" and isinstance(outcome.error, SystemExit):
            self.show_exit(outcome.error)

    def show_exit(self, exc: SystemExit) -> None:
        """``exit()`` or ``sys.exit()``: leave with its status, printing a message argument as Python does."""
        code, message = exit_code_of(exc)
        if message:
            self.console.error(message)
        self.request_exit(code)

    def request_exit(self, code: int) -> None:
        """Leave after the current input: from %quit, exit(), a background sys.exit, or a signal."""
        self.exit_code = code
        if self._reading is not None and not self._reading.done():
            self._reading.cancel()

    def on_sigint(self) -> None:
        """Ctrl-C arrived as a signal: stop the running input, or leave a non-interactive run.

        Code that holds the loop and catches KeyboardInterrupt itself (a bare ``except:``
        in a ``while True``) cannot be stopped from outside: after a few Ctrl-Cs that
        changed nothing, the shell says so, and then leaves rather than hang for good.
        """
        if self.interactive:
            self.console.fresh_line()  # the terminal echoed ^C where the cursor was
        if not self.evaluator.signal_is_ours():
            self._unheard_interrupts += 1
            if self._unheard_interrupts == _INTERRUPTS_WARNED:
                self.console.note("The running code does not stop: it may be catching KeyboardInterrupt itself "
                                  f"(a bare `except:`). {_INTERRUPTS_TO_LEAVE - _INTERRUPTS_WARNED} more Ctrl-C "
                                  "leave asyncshell.")
            elif self._unheard_interrupts >= _INTERRUPTS_TO_LEAVE:
                self.console.note("Leaving asyncshell: the running code would not stop.")
                os._exit(130)
        if not self.evaluator.interrupt() and not self.interactive:
            self.evaluator.loop.call_soon_threadsafe(self.request_exit, 130)

    def explain_to_user(self, subject: object) -> None:
        """Add the friendly explanation, if a teaching feature has one for this."""
        text = self._explanation(subject)
        if text:
            self.console.explain(text)

    def _explanation(self, subject: object) -> str | None:
        if self.hooks.explain is None:
            return None
        try:
            return self.hooks.explain(subject)
        except BaseException:  # noqa: BLE001 - an explanation must never cost the user their session:
            return None  # not even the learner's __str__ calling exit() while it is worded

    def report_task_failure(self, task: "asyncio.Task[Any]", exc: BaseException) -> None:
        """A task failed and nothing awaited it: said once the loop turns, with identical failures folded."""
        if isinstance(exc, KeyboardInterrupt):  # Ctrl-C raised where the task held the loop
            frames = learners_frames(exc)
            where = f" at {frames[-1].filename} line {frames[-1].lineno}" if frames else ""
            self.console.note(f"KeyboardInterrupt: stopped task {task.get_name()!r}, which held the loop{where}; "
                              "the loop and your other tasks are still running.")
            return
        if not self._failures:
            self.evaluator.loop.call_soon(self._report_failures)
        self._failures.append((task.get_name(), format_error(exc), self._explanation(exc)))

    def _report_failures(self) -> None:
        failures, self._failures = self._failures, []
        alike: dict[str, list[tuple[str, str, str | None]]] = {}
        for failure in failures:
            alike.setdefault(failure[1], []).append(failure)
        for traceback_text, group in alike.items():
            name, _, explanation = group[0]
            self.console.error(f"Task {name!r} failed and nothing awaited it:\n{traceback_text}")
            if explanation:
                self.console.explain(explanation)
            if len(group) > 1:
                others = ", ".join(other for other, _, _ in group[1:])
                self.console.note(f"{plural(len(group) - 1, 'more task')} failed the same way: {others}.")

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = context.get("message", "Error in the event loop")
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.console.error(f"{message}\n{format_error(exc)}")
        else:
            self.console.error(message)
        self.explain_to_user(context)

    @contextlib.contextmanager
    def _warnings_shown(self) -> Iterator[None]:
        """Route warnings through the console; each coroutine remembers where it was made, for "never awaited"."""
        depth = sys.get_coroutine_origin_tracking_depth()
        sys.set_coroutine_origin_tracking_depth(ORIGIN_DEPTH)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                warnings.filterwarnings("always", category=RuntimeWarning)
                warnings.showwarning = self._show_warning
                yield
        finally:
            sys.set_coroutine_origin_tracking_depth(depth)

    def _show_warning(self, message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
        """One warning, at the learner's line where its coroutine was made, once per place and input."""
        text, _, rest = str(message).partition("\n")
        origin = coroutine_origin(rest)
        if origin is not None:
            (filename, lineno), line = origin, None
        if (category, text, filename, lineno) in self._warned:
            return  # a check that calls the same code four times warns once
        self._warned.add((category, text, filename, lineno))
        shown = f"{filename}:{lineno}: {category.__name__}: {text}"
        source = line if line is not None else linecache.getline(filename, lineno)
        if source.strip():
            shown += f"\n    {source.strip()}"
        self.console.error(shown)
        self.explain_to_user(warnings.WarningMessage(text, category, filename, lineno, file, line))

    async def _cancel_leftovers(self) -> None:
        alive = self.evaluator.tasks.alive()
        abandoned = [task for task in self.evaluator.abandoned if not task.done()]
        if not alive and not abandoned:
            return
        if alive:
            self.console.note(f"Cancelling {plural(len(alive), 'task')} still running:")
            shown = alive if len(alive) <= _LISTED_AT_EXIT else alive[: _LISTED_AT_EXIT - 1]
            for task in shown:
                self.console.note(f"  {describe_task(task)}")
            if len(shown) < len(alive):
                self.console.note(f"  … and {len(alive) - len(shown)} more")
        leftovers: list[asyncio.Task[Any]] = [*alive, *abandoned]
        for leftover in leftovers:
            leftover.cancel()
        done, pending = await asyncio.wait(leftovers, timeout=_SHUTDOWN_GRACE)
        for finished in done:
            if not finished.cancelled():
                finished.exception()  # seen; do not report it again at exit
        if pending:
            swallowers = [f"{left.get_name()} (at {where})" for left in pending if (where := where_suspended(left))]
            said = f"; they caught CancelledError and went on: {', '.join(swallowers[:5])}" if swallowers else ""
            self.console.note(f"{len(pending)} did not stop within {_SHUTDOWN_GRACE:.0f} s{said}. Leaving anyway.")
