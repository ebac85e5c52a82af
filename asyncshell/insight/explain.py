"""Friendly explanations of classic asyncio mistakes: at most three dim lines naming the learner's line and the fix.

``install_explanations(session)`` sets ``session.hooks.explain``, which the session calls
with an exception (after its traceback), a ``warnings.WarningMessage``, a task
failure nobody awaited, or a loop exception-handler context (and, through
``threading.excepthook``, an error in one of the learner's threads).  It also notices a
bare call at the prompt that only made a coroutine (``main()`` alone): the value
is shown as Python shows it, then the coroutine is closed, so Python does not
warn "never awaited" later about a call the note already pointed out.

Each explanation is of one kind of mistake, named in ``mistakes.py``; a lesson
whose ``teaches:`` lists that kind is linked through ``lesson_link``, which the
caller passes in, because lessons are the course's business, not this module's.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import linecache
import re
import threading
import warnings
import weakref
from typing import Any, Callable

from asyncshell.repl.tracebacks import is_learners_file
from asyncshell.insight.rewrite import ASYNCIO_DIR, mark_bare_calls

#: Given a kind of mistake (a key of ``insight.mistakes.MISTAKES``), a line naming a lesson that teaches it, or None.
LessonLink = Callable[[str], str | None]

_NOT_AWAITABLE = re.compile(r"object (\S+) can't be used in 'await' expression")
_NEVER_AWAITED = re.compile(r"coroutine '([^']+)' was never awaited")
_COROUTINE_EXPECTED = re.compile(r"(?:a coroutine was expected|An asyncio.Future, a coroutine or an awaitable is required), got (.*)")
_ASYNC_OUTSIDE = ("'await' outside", "'async with' outside", "'async for' outside", "asynchronous comprehension outside")
_LOOP_ALREADY_RUNNING = ("This event loop is already running", "Cannot run the event loop while another loop is running")
_TIME_SLEEP = re.compile(r"(?:time\.)?sleep\((.*)\)$")


def where(filename: str | None, lineno: int | None) -> str:
    return f"{filename} line {lineno}" if filename and lineno and is_learners_file(filename) else ""


def where_raised(exc: BaseException) -> str:
    """The learner's last line in the traceback: where their code made the call that failed."""
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        found = where(tb.tb_frame.f_code.co_filename, tb.tb_lineno) or found
        tb = tb.tb_next
    return found


def _through_asyncio(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(ASYNCIO_DIR):
            return True
        tb = tb.tb_next
    return isinstance(exc.__context__, asyncio.CancelledError)  # wait_for's TimeoutError comes from a cancellation


class Explainer:
    """``session.hooks.explain``: one function, many mistakes; None when there is nothing classic to say."""

    def __init__(self, lesson_link: LessonLink | None = None) -> None:
        self._failed_tasks: dict[int, str] = {}
        self._lesson_link = lesson_link

    def _compose(self, kind: str, place: str, lines: list[str]) -> str:
        first = f"{place}: {lines[0]}" if place else lines[0][:1].upper() + lines[0][1:]
        extra = self._lesson_link(kind) if self._lesson_link is not None else None
        return "\n".join([first, *lines[1:], *([extra] if extra else [])][:3])

    def __call__(self, subject: object) -> str | None:
        if isinstance(subject, warnings.WarningMessage):
            return self.warning(subject)
        if isinstance(subject, dict):
            return self.loop_context(subject)
        if isinstance(subject, BaseException):
            task = self._failed_tasks.pop(id(subject), None)
            text = self.exception(subject)
            if text is None and task is not None:
                return self.unretrieved(where_raised(subject), f"task {task!r}")
            return text
        return None

    def watch_task_failures(self, tasks: Any) -> None:
        """Know which exceptions come from a task nobody awaited (reported by ``TaskWatch``)."""
        report: Callable[[Any, BaseException], None] = tasks.on_failure

        def on_failure(task: Any, exc: BaseException) -> None:
            self._failed_tasks[id(exc)] = task.get_name()
            try:
                report(task, exc)
            finally:
                self._failed_tasks.pop(id(exc), None)

        tasks.on_failure = on_failure

    # -- warnings ----------------------------------------------------------------

    def warning(self, message: warnings.WarningMessage) -> str | None:
        found = _NEVER_AWAITED.search(str(message.message))
        if not found:
            return None
        name = found.group(1).rsplit(".", 1)[-1]
        call = _call_on_line(message.filename, message.lineno, name) if is_learners_file(message.filename) else None
        call = call or f"{name}()"
        return self._compose(
            "never-awaited",
            where(message.filename, message.lineno),
            [
                f"`{call}` made a coroutine object, but nothing awaited it, so its body never ran.",
                f"Write `await {call}` where you need its result (in an `async def`, or at the prompt). "
                f"Only to let it run on in the background while you go on: `asyncio.create_task({call})`.",
            ],
        )

    # -- exceptions --------------------------------------------------------------

    def exception(self, exc: BaseException) -> str | None:
        message = str(exc)
        if isinstance(exc, SyntaxError):
            return self.syntax(exc)
        place = where_raised(exc)
        if isinstance(exc, TypeError) and (listed := _gather_given_a_list(exc)):
            return self._compose("gather-list", place, [
                f"asyncio.gather takes each awaitable as its own argument, not one {listed}:",
                "write `await asyncio.gather(*coros)`; the `*` passes the list's items one by one.",
            ])
        if isinstance(exc, TypeError) and (found := _NOT_AWAITABLE.search(message)):
            kind = found.group(1)
            sleep = _TIME_SLEEP.match(_awaited_on_line(exc) or "") if kind == "NoneType" else None
            if sleep:
                return self._compose("await-time-sleep", place, [
                    f"use `await asyncio.sleep({sleep.group(1)})`: `time.sleep` blocks the whole loop while it waits, "
                    "and returns None, which cannot be awaited.",
                ])
            article = "an" if kind[:1].lower() in "aeiou" else "a"
            awaited = _awaited_on_line(exc) if kind in ("function", "method") else None
            call = f"`await {awaited}()`" if awaited else "`await fetch()` rather than `await fetch`"
            hint = f"did you leave out the call, as in {call}?" if kind in ("function", "method") else "drop `await` for plain calls, or make the function `async def`."
            return self._compose("not-awaitable", place, [f"`await` needs an awaitable (a coroutine, a task or a future), and this was {article} {kind}: {hint}"])
        if isinstance(exc, (TypeError, ValueError)) and (found := _COROUTINE_EXPECTED.search(message)):
            got = found.group(1)
            name = re.match(r"<(?:function|bound method) (\S+)", got)
            fix = f"`{name.group(1)}()` (called), not `{name.group(1)}`" if name else "the coroutine you get by calling an `async def` function"
            return self._compose("coroutine-expected", place, [f"this wants a coroutine: pass {fix}."])
        if isinstance(exc, RuntimeError):
            return self.runtime_error(place, exc)
        if isinstance(exc, asyncio.CancelledError):
            return self._compose(
                "cancelled-error",
                place,
                [
                    "this was cancelled (task.cancel(), a timeout, or a TaskGroup whose other task failed), and the CancelledError reached the prompt.",
                    "Awaiting a cancelled task raises CancelledError: catch it around the `await` if the cancelling was expected.",
                ],
            )
        if isinstance(exc, TimeoutError) and _through_asyncio(exc):
            return self._compose(
                "timeout-error",
                place,
                [
                    "the wait timed out: asyncio.wait_for / asyncio.timeout gave up and cancelled the work.",
                    "Allow more time, or catch TimeoutError around the `await` to carry on without the result.",
                ],
            )
        return None

    def runtime_error(self, place: str, exc: RuntimeError) -> str | None:
        message = str(exc)
        if "cannot be called from a running event loop" in message:
            awaited = _close_refused_coroutines(exc) or "main()"
            return self._compose(
                "asyncio-run-in-loop",
                place,
                [
                    "asyncio.run() starts a new event loop, but one is already running here (the shell's).",
                    f"In async code write `await {awaited}` instead; typed at the top of an input, asyncio.run(...) just works here.",
                ],
            )
        if message in _LOOP_ALREADY_RUNNING:
            awaited = _close_refused_coroutines(exc) or "task"
            return self._compose(
                "loop-already-running",
                place,
                [
                    "run_until_complete() and run_forever() start a loop, but the shell's loop is already running.",
                    f"In async code write `await {awaited}`; at the top of an input the shell does that for you.",
                ],
            )
        if message == "no running event loop":
            _close_refused_coroutines(exc)  # create_task(coro) from a thread: coro will never run
            return self._compose(
                "no-running-loop",
                place,
                [
                    "this needs a running event loop, but it ran outside one (in a thread, or in code no task is running).",
                    "From a thread, hand work to the loop: asyncio.run_coroutine_threadsafe(coro, loop) or loop.call_soon_threadsafe(...).",
                ],
            )
        return None

    def syntax(self, exc: SyntaxError) -> str | None:
        if not exc.msg.startswith(_ASYNC_OUTSIDE):
            return None
        keyword = exc.msg.split("'")[1] if "'" in exc.msg else "async for"
        function = _enclosing_def(exc.filename, exc.lineno)
        make = f"make it `async def {function}(...)`" if function else "make the function `async def`"
        return self._compose(
            "await-outside-async",
            where(exc.filename, exc.lineno),
            [f"`{keyword}` only works inside an `async def` (or at the top of an input here): {make}, then `await` it where you call it."],
        )

    # -- loop messages -----------------------------------------------------------

    def loop_context(self, context: dict[str, Any]) -> str | None:
        message = str(context.get("message", ""))
        future = context.get("task") or context.get("future")
        exc = context.get("exception")
        code = getattr(future.get_coro(), "cr_code", None) if isinstance(future, asyncio.Task) else None
        name = f"the task running {code.co_name}()" if code is not None else "a future"
        if "exception was never retrieved" in message:
            return self.unretrieved(where_raised(exc) if isinstance(exc, BaseException) else "", name)
        if message.startswith("Exception in callback None(") and isinstance(exc, TypeError):
            # call_later(1, inbox.append(text)) ran append at once and scheduled its None.
            return self._compose(
                "callback-called-early",
                "",
                [
                    "the loop was handed None to call: a `call_soon` or `call_later` got the result of a call "
                    "(`f(x)` runs at once) instead of the function.",
                    "Pass the function and its arguments apart, for the loop to call later: "
                    "`loop.call_later(1, inbox.append, text)`, not `loop.call_later(1, inbox.append(text))`.",
                ],
            )
        if message.startswith("Task was destroyed but it is pending"):
            # Its frame is already cleared: name the coroutine function, where it was defined.
            place = where(code.co_filename, code.co_firstlineno) if code is not None else ""
            return self._compose(
                "pending-task-destroyed",
                place,
                [
                    f"{name} was thrown away while still waiting, because nothing kept a reference to it.",
                    "Keep the tasks you start (in a variable or a set) until they finish, and await them.",
                ],
            )
        return None

    def unretrieved(self, place: str, name: str) -> str:
        return self._compose(
            "unretrieved-exception",
            place,
            [
                f"nothing awaited {name}, so its error only came to light now.",
                "Keep the task and `await` it (or use asyncio.gather / a TaskGroup) to get its result or error where you need it.",
            ],
        )


def _call_on_line(filename: str, lineno: int, name: str) -> str | None:
    """The text of the call to ``name`` on that line, e.g. ``fetch(1)``; None when it cannot be found."""
    line = linecache.getline(filename, lineno).strip()
    try:
        tree = ast.parse(line.rstrip(":") if line.endswith(":") else line)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if called == name:
                return ast.get_source_segment(line, node)
    return None


def _awaited_on_line(exc: BaseException) -> str | None:
    """What the learner's failing line awaits, e.g. ``fetch`` in ``await fetch``."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or not is_learners_file(tb.tb_frame.f_code.co_filename):
        return None
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno).strip()
    try:
        tree = compile(line, "<line>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError:
        return None
    awaits = [node for node in ast.walk(tree) if isinstance(node, ast.Await)]
    return ast.get_source_segment(line, awaits[0].value) if len(awaits) == 1 else None


def _enclosing_def(filename: str | None, lineno: int | None) -> str | None:
    """The name of the ``def`` around that line, read from the source (the code did not compile)."""
    if not filename or not lineno:
        return None
    lines = linecache.getlines(filename)[:lineno]
    if not lines:
        return None
    indent = len(lines[-1]) - len(lines[-1].lstrip())
    for line in reversed(lines[:-1]):
        stripped = line.lstrip()
        found = re.match(r"def\s+(\w+)", stripped)
        if found and len(line) - len(stripped) < indent:
            return found.group(1)
        if stripped and len(line) - len(stripped) < indent:
            indent = len(line) - len(stripped)
    return None


def _gather_given_a_list(exc: BaseException) -> str | None:
    """``gather([f(), g()])``: the kind of collection gather got as one argument; its coroutines are closed.

    They never ran, and Python would warn "never awaited" about each of them, later.
    """
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "gather" and code.co_filename.startswith(ASYNCIO_DIR):
            given = tb.tb_frame.f_locals.get("coros_or_futures", ())
            collections = [arg for arg in given if isinstance(arg, (list, tuple, set))]
            for collection in collections:
                for item in collection:
                    if inspect.iscoroutine(item) and inspect.getcoroutinestate(item) == inspect.CORO_CREATED:
                        item.close()
            return type(collections[0]).__name__ if collections else None
        tb = tb.tb_next
    return None


def _close_refused_coroutines(exc: BaseException) -> str | None:
    """Close the coroutine that asyncio.run / run_until_complete refused to run; its call, as ``main()``.

    Python would warn "never awaited" about it too, later and pointing at no line
    of the learner's: the error and its explanation already say why it did not run.
    """
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(ASYNCIO_DIR):
            for value in list(tb.tb_frame.f_locals.values()):
                if inspect.iscoroutine(value) and inspect.getcoroutinestate(value) == inspect.CORO_CREATED:
                    found = found or f"{value.cr_code.co_name}()"
                    value.close()
        tb = tb.tb_next
    return found


def _notice_bare_coroutines(evaluator: Any, shim: Any, lesson_link: LessonLink | None) -> Callable[[Any], None]:
    def check(task: Any) -> None:
        for call in shim.close_unstarted():
            note = f"`{call}` made a coroutine object but did not run it: did you mean `await {call}`?"
            lesson = lesson_link("bare-coroutine") if lesson_link is not None else None
            evaluator.notes.append(note + (f" ({lesson})" if lesson else ""))

    return check


_thread_session: "weakref.ref[Any] | None" = None
_THREAD_HOOK = "_explain_thread_errors.<locals>.hook"  # how the hook below is recognised once installed


def _explain_thread_errors(session: Any) -> None:
    """An error in one of the learner's threads (``asyncio.create_task`` there) is explained too, after Python prints it."""
    global _thread_session
    _thread_session = weakref.ref(session)
    if getattr(threading.excepthook, "__qualname__", "") == _THREAD_HOOK:
        return
    previous = threading.excepthook

    def hook(args: Any) -> None:
        previous(args)
        target = _thread_session() if _thread_session is not None else None
        if target is not None and args.exc_value is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the shell is gone
                target.evaluator.loop.call_soon_threadsafe(target.explain_to_user, args.exc_value)

    threading.excepthook = hook


def install_explanations(session: Any, *, lesson_link: LessonLink | None = None) -> None:
    """Explain classic asyncio mistakes in the session, in a few dim lines after the error or warning.

    ``lesson_link`` is how an explanation points to a lesson: the lessons live
    in the course, which the explanations know nothing about.
    """
    explainer = Explainer(lesson_link)
    session.hooks.explain = explainer
    evaluator = session.evaluator
    explainer.watch_task_failures(evaluator.tasks)
    shim = mark_bare_calls(evaluator)
    evaluator.on_input_end.append(_notice_bare_coroutines(evaluator, shim, lesson_link))
    _explain_thread_errors(session)
