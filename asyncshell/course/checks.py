"""Running an exercise's check against what the learner defined, and saying how it went.

``run_check`` runs the check code through the shell's ``Evaluator``, so it runs
on the live loop, stops on Ctrl-C and gives up after the exercise's timeout,
and turns the outcome into a ``CheckResult`` for the learner and the progress
store.  Failing asserts explain themselves (``assertions``); the check code can
call the ``helpers``.

    pass         the check finished without raising
    fail         an assert failed, the check raised AssertionError, it used a
                 name the learner has not defined yet, or the learner's code
                 caught the CancelledError that was to stop it at the timeout
    error        an exception escaped: from the learner's code (traceback trimmed
                 to their frames and the check line that called them) or from
                 the check itself; also exit() during the check
    timeout      still running after ``exercise.timeout`` seconds
    interrupted  Ctrl-C
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import sys
import traceback
import types
from collections.abc import Mapping

from asyncshell.course.assertions import AssertionFailed, rewrite_asserts
from asyncshell.course.helpers import CheckHelpers
from asyncshell.course.model import ExerciseStep, compile_failure
from asyncshell.course.progress_file import Result
from asyncshell.repl.evaluator import SWALLOWED_ADVICE, Evaluator, Outcome
from asyncshell.repl.tracebacks import format_error, learners_frames, remember_source

_NO_EXTRAS: Mapping[str, object] = types.MappingProxyType({})
_STOPPED = "@stopped"
_DETAIL_LIMIT = 120
_STUCK_HINT = (
    "In asyncio this usually means something was awaited that never finishes: a task that never ends, "
    "an Event or Future nobody sets, a Queue nobody fills, a lock nobody releases, or a loop with no way out."
)


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """How a check went: ``message`` is the plain-text explanation, ``why`` one short line.

    ``message`` leads with the lesson author's own words (an assert's
    message), then the values.  ``where`` is the check's file, line and source,
    for ``%check -v``.  ``line`` is the line of the check (counted from 1 in
    the check's source) where it failed, when one line is to blame.
    """

    status: Result
    message: str
    why: str
    line: int | None = None
    where: str = ""
    #: What the learner's code raised, for the shell's friendly explanation of it.
    error: BaseException | None = None
    #: A name the check used that nothing defined: the learner's to write, or (in ``validate``) the author's bug.
    missing: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def let_go(self) -> None:
        """Drop what the frames of the learner's failed code hold, once the error has been shown and explained.

        Coroutines left in them (``gather([fetch(d) ...])``) would otherwise warn
        "never awaited" whenever something that keeps the input's task (the
        timeline) lets go of it: an input later, at a line the learner has since
        rewritten.  Tracebacks keep their lines.
        """
        exc, seen = self.error, set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            traceback.clear_frames(exc.__traceback__)
            exc = exc.__cause__ or exc.__context__

    @property
    def detail(self) -> str:
        """The one line kept with the attempt: ``line 3: why``."""
        return self.why if self.line is None else _short(f"line {self.line}: {self.why}")


async def run_check(
    evaluator: Evaluator,
    exercise: ExerciseStep,
    *,
    extra_helpers: Mapping[str, object] = _NO_EXTRAS,
) -> CheckResult:
    """Run ``exercise.check`` on the live loop against the learner's namespace.

    The check runs in a fresh copy of ``evaluator.namespace`` with the helpers
    (and ``extra_helpers``, such as ``server``) added, so it sees every name the
    learner defined and nothing it defines leaks back.  The price of a copy: it
    is taken when the check starts, so a global the learner's code *rebinds*
    while the check runs (``global total; total = ...``) still has its old
    value in the check (objects changed in place are the same objects and show
    the change).  The learner's functions look names up in their own namespace,
    which is why ``tracking`` swaps names there too, for the length of its block.

    Lines are reported as ``<check:ID>, line N`` with the lesson file line
    (``exercise.location.path``).  Never raises for anything the learner's code
    or the check code does.
    """
    filename = f"<check:{exercise.id}>"
    place = _Place(filename, exercise)
    remember_source(filename, exercise.check.source)
    try:
        rewritten = rewrite_asserts(exercise.check.source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _broken_check(exc)
    stops = _Stops()
    namespace = dict(evaluator.namespace)
    with CheckHelpers(evaluator.namespace, namespace, evaluator.tasks.alive) as helpers:
        for names in (helpers.names, extra_helpers, rewritten.names, {_STOPPED: stops}):
            namespace.update(names)
        outcome = await evaluator.run(
            stops.watch(rewritten.tree), filename, namespace=namespace, show_values=False, timeout=exercise.timeout
        )
    return _judge(outcome, place, stops, exercise.timeout)


@dataclasses.dataclass(frozen=True)
class _Place:
    """Says where a line of the check is, in the check and in the lesson file."""

    filename: str
    exercise: ExerciseStep

    def of(self, line: int) -> str:
        lesson_line = self.exercise.check.line + line - 1
        return f"{self.filename}, line {line} ({self.exercise.location.path}:{lesson_line})"

    def of_frame(self, frame: traceback.FrameSummary) -> str:
        if frame.filename == self.filename and frame.lineno is not None:
            return f"{self.of(frame.lineno)}, in {frame.name}"
        return f"{frame.filename}, line {frame.lineno}, in {frame.name}"


class _Stops:
    """Notes where the check was waiting when a timeout or Ctrl-C stopped it.

    The evaluator reports a timeout without the cancellation that ended the
    check, so ``watch`` wraps the check's body in ``try: ... except
    BaseException: @stopped(); raise``, which reads the traceback on its way out.
    """

    def __init__(self) -> None:
        self.frame: traceback.FrameSummary | None = None

    def watch(self, tree: ast.Module) -> ast.Module:
        body = list(tree.body)
        kept = 0  # a docstring and __future__ imports must stay first
        while kept < len(body) and (_is_docstring(body[kept], kept) or _is_future_import(body[kept])):
            kept += 1
        if kept == len(body):
            return tree
        note = ast.Expr(ast.Call(ast.Name(_STOPPED, ast.Load()), [], []))
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None, body=[note, ast.Raise()])
        wrapped = ast.Try(body=body[kept:], handlers=[handler], orelse=[], finalbody=[])
        ast.copy_location(wrapped, body[kept])
        tree = ast.Module(body=body[:kept] + [wrapped], type_ignores=tree.type_ignores)
        return ast.fix_missing_locations(tree)

    def __call__(self) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt)):
            frames = learners_frames(exc)
            self.frame = frames[-1] if frames else None


def _is_docstring(node: ast.stmt, index: int) -> bool:
    return index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_future_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def _judge(outcome: Outcome, place: _Place, stops: _Stops, timeout: float) -> CheckResult:
    if outcome.kind == "ok":
        return CheckResult("pass", "The check passed.", "passed")
    if outcome.swallowed:
        return _swallowed(outcome, timeout)
    if outcome.kind == "timeout":
        lines = [f"The check gave up after {timeout:g} s without finishing."]
        lines += _waiting_at(place, stops, "It was still waiting at")
        lines.append(_STUCK_HINT)
        return CheckResult("timeout", "\n".join(lines), f"timed out after {timeout:g} s")
    if outcome.kind == "interrupted":
        lines = ["The check was interrupted (Ctrl-C)."]
        lines += _waiting_at(place, stops, "It was at")
        lines.append("Run %check again when you are ready.")
        return CheckResult("interrupted", "\n".join(lines), "interrupted")
    if outcome.kind == "exit":
        message = "Your code called exit() during the check, so the check could not finish (the shell stays open)."
        return CheckResult("error", message, "exit() during the check")
    exc = outcome.error
    assert exc is not None
    return _judge_error(exc, place)


def _judge_error(exc: BaseException, place: _Place) -> CheckResult:
    frames = learners_frames(exc)
    innermost = frames[-1] if frames else None
    in_check = innermost is not None and innermost.filename == place.filename
    if isinstance(exc, SyntaxError) and exc.filename == place.filename or not frames and _uncompilable(exc):
        return _broken_check(exc)
    if isinstance(exc, AssertionFailed):
        return _failed_assert(exc, place)
    # The check's own line that was running: where it failed, or where it called the code that did.
    line = next((frame.lineno for frame in reversed(frames) if frame.filename == place.filename), None)
    if in_check and isinstance(exc, NameError) and not isinstance(exc, UnboundLocalError) and exc.name:
        return CheckResult(
            "fail",
            f"`{exc.name}` is not defined yet — define it at the prompt, then %check again.",
            f"{exc.name} is not defined yet",
            line,
            missing=exc.name,
        )
    if in_check and isinstance(exc, AssertionError) and innermost is not None:
        return _failed_plain_assert(exc, place, innermost)
    summary = _one_line(traceback.format_exception_only(exc)[-1])
    where = ""
    if in_check and innermost is not None and innermost.lineno is not None:
        lead = ("The check stopped with an error, often because something your code returned or defined "
                "is not what the exercise expects:")
        detail = f"the check raised {summary}"
        where = f"The check stopped at {place.of(innermost.lineno)}."
    else:
        lead = "Your code raised an exception during the check:"
        detail = f"your code raised {summary}"
    return CheckResult("error", f"{lead}\n{format_error(exc).rstrip()}", _short(detail), line, where=where, error=exc)


def _failed_assert(exc: AssertionFailed, place: _Place) -> CheckResult:
    """The author's sentence, then the values and where they differ; the assert itself is for ``-v``."""
    lines = [exc.message or f"The check expected: {exc.site.test or exc.site.source}"]
    lines += ["  " + line for line in exc.explanation() + exc.difference()]
    said = exc.message or (exc.explanation() or [exc.site.source])[0]
    where = "\n".join([f"The check failed at {place.of(exc.site.line)}:",
                       *("    " + line for line in exc.site.source.splitlines())])
    return CheckResult("fail", "\n".join(lines), _short(said), exc.site.line, where)


def _failed_plain_assert(exc: AssertionError, place: _Place, frame: traceback.FrameSummary) -> CheckResult:
    """``raise AssertionError("...")`` in a check: its message, once; the line only with ``-v``, and not when it only repeats the message."""
    line = frame.lineno or 0
    said = str(exc)
    where = [f"The check failed at {place.of(line)}:"]
    if frame.line and not (said and said in frame.line):
        where.append("    " + frame.line)
    message = said or "The check failed."
    return CheckResult("fail", message, _short(said or frame.line or "assertion failed"), line, "\n".join(where))


def _uncompilable(exc: BaseException) -> bool:
    """Errors Python's compiler raises for code too deep or too big for it, before anything runs."""
    return isinstance(exc, (RecursionError, MemoryError, ValueError))


def _broken_check(exc: BaseException) -> CheckResult:
    why = compile_failure(exc)
    shown = format_error(exc).rstrip() if isinstance(exc, SyntaxError) else why
    message = f"This exercise's check does not compile; that is a bug in the lesson, not in your code:\n{shown}"
    return CheckResult("error", message, _short(f"the check does not compile: {why}"))


def _swallowed(outcome: Outcome, timeout: float) -> CheckResult:
    """The learner's code caught the CancelledError meant to stop it: the check fails, and says where."""
    stopped = f"gave up after {timeout:g} s" if outcome.kind == "timeout" else "was interrupted (Ctrl-C)"
    message = (
        f"The check {stopped}, and your code caught the CancelledError meant to stop it and carried on, "
        f"at {outcome.swallowed}. {SWALLOWED_ADVICE} That code was left running; "
        "asyncshell cancels it again when you leave."
    )
    return CheckResult("fail", message, _short(f"your code caught CancelledError at {outcome.swallowed}"))


def _waiting_at(place: _Place, stops: _Stops, lead: str) -> list[str]:
    frame = stops.frame
    if frame is None:
        return []
    lines = [f"{lead} {place.of_frame(frame)}:"]
    if frame.line:
        lines.append("    " + frame.line)
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str) -> str:
    text = _one_line(text)
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 3] + "..."
