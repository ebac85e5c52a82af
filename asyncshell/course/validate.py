"""``asyncshell validate``: the authors' check that every lesson loads, is solvable, and is not solved already.

For each lesson that loads, every exercise is run twice, each time in a fresh
``Evaluator`` namespace after its ``setup``: with its ``solution``, which must
pass its ``check``, and with its ``starter`` (or no code at all), which must
not.  A predict step's code, run alone, must print its right answer.  Each
lesson gets its own event loop, and what the code prints is kept out of the
report.  Quiz answers and ``requires`` are checked again cheaply; the loader
has already refused files that break the format.

    exit 0   every lesson loaded and passed
    exit 1   at least one problem, each reported as one ``file:line: ...`` line
    exit 2   bad arguments (argparse)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import io
import os
import signal
import sys
import time
import traceback
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from asyncshell.course.catalog import course_folders, lesson_files, load_catalog, load_lessons
from asyncshell.course.checks import CheckResult
from asyncshell.course.exercise import Attempt, Exercise, Provided, provide
from asyncshell.course.model import Code, ExerciseStep, Lesson, LoadResult, PredictStep, QuizStep
from asyncshell.course.questions import predict_problem
from asyncshell.text import printable
from asyncshell.repl.evaluator import CANCEL_GRACE, Evaluator, Outcome
from asyncshell.repl.loop import close_loop
from asyncshell.repl.tracebacks import learners_frames, user_stack, where_suspended
from asyncshell.text import columns, plural

if TYPE_CHECKING:
    from asyncshell.practice_server import PracticeServer

#: Tasks that would not stop when cancelled, on loops now closed: kept, never collected (see ``_leave``).
_LEFT_RUNNING: list[asyncio.Task[Any]] = []


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing an author must fix, where it is: ``path:line: what``."""

    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}: {self.what}")


@dataclasses.dataclass(frozen=True)
class LessonReport:
    """How one lesson that loaded fared."""

    lesson: Lesson
    problems: tuple[Problem, ...]
    seconds: float
    #: How each exercise fared, one line each, for ``validate -v``.
    notes: tuple[str, ...] = ()

    @property
    def result(self) -> str:
        return plural(len(self.problems), "problem") if self.problems else "ok"


def validate_command(args: argparse.Namespace) -> int:
    """``asyncshell validate [--lessons-dir DIR ...] [PATH ...]``; prints the report and returns the exit status."""
    loaded, known = _load(args.paths, args.lessons_dirs, args.builtin)
    if not loaded.lessons and not loaded.errors:
        where = ", ".join(map(str, args.paths or course_folders(args.lessons_dirs, builtin=args.builtin)))
        print(printable(f"No lesson files found in {where}."))
        return 1
    reports = [validate_lesson(lesson, known) for lesson in loaded.lessons]
    print_report(reports, [str(error) for error in loaded.errors], sys.stdout, verbose=args.verbose)
    status = 1 if loaded.errors or any(report.problems for report in reports) else 0
    if _LEFT_RUNNING:
        _leave(status)
    return status


def _leave(status: int) -> NoReturn:
    """End the process now, without collecting the tasks that would not stop.

    Collecting a coroutine closes it; a bare ``except:`` swallows that too and
    calls ``asyncio.sleep`` again, which without a running loop fails at once,
    into the same ``except:``: it would go round forever at exit.  The shell
    leaves the same way when a thread will not end (``cli.run_shell``).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def _load(paths: Sequence[Path], extra: Sequence[Path], builtin: bool = True) -> tuple[LoadResult, frozenset[str]]:
    """The lessons to validate with the errors of just their files, and the ids of every lesson that loaded.

    Without paths, that is the catalog.  With paths, the named files are loaded
    along with the catalog, named ones first: their ids win over the catalog's,
    and their ``requires`` may name built-in lessons, as they will in use.
    """
    if not paths:
        catalog = load_catalog(extra, builtin=builtin)
        return catalog, frozenset(lesson.id for lesson in catalog.lessons)
    folders = [path if path.is_dir() else path.parent for path in paths]
    named = {path for path in paths if path.is_file()}
    named |= set(lesson_files([path for path in paths if path.is_dir()]))
    everything = load_lessons([*folders, *course_folders(extra, builtin=builtin)])
    selected = LoadResult(
        lessons=tuple(lesson for lesson in everything.lessons if lesson.path in named),
        errors=tuple(error for error in everything.errors if error.path in named),
    )
    return selected, frozenset(lesson.id for lesson in everything.lessons)


def validate_lesson(lesson: Lesson, known: frozenset[str]) -> LessonReport:
    """Run one lesson's exercises on a fresh event loop, its output kept from the terminal."""
    started = time.perf_counter()
    notes: list[str] = []
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        problems = _run(_lesson_problems(lesson, notes))
    problems += _unresolved_requires(lesson, known)
    return LessonReport(lesson, tuple(problems), time.perf_counter() - started, tuple(notes))


def print_report(reports: Sequence[LessonReport], load_errors: Sequence[str], out: TextIO, *,
                 verbose: bool = False) -> None:
    """Files that did not load first (the root causes), then one row per lesson, each problem on its own
    line, how each exercise went (``verbose``), and a one-line verdict."""
    problems = [str(problem) for report in reports for problem in report.problems]
    blocks = [load_errors]
    if reports:
        rows = [["lesson", "steps", "exercises", "result", "time"]]
        rows += [[report.lesson.id, str(len(report.lesson.steps)), str(len(report.lesson.exercises)), report.result,
                  f"{report.seconds:.2f} s"] for report in reports]
        blocks += [columns(rows, right={1, 2, 4}), problems]
    if verbose:
        blocks += [[line for report in reports if report.notes
                    for line in [f"{report.lesson.path}:", *("  " + note for note in report.notes)]]]
    for block in filter(None, blocks):
        out.write("".join(line + "\n" for line in block) + "\n")
    verdict = [f"{plural(len(reports), 'lesson')} checked"]
    if load_errors:
        verdict.append(f"{plural(len(load_errors), 'file')} did not load")
    if problems:
        verdict.append(f"{plural(len(problems), 'problem')} in lessons that loaded")
    out.write(", ".join(verdict) + (": all good.\n" if not load_errors and not problems else ".\n"))


# -- one lesson ------------------------------------------------------------------------------


def _run(main: Coroutine[Any, Any, list[Problem]]) -> list[Problem]:
    """``asyncio.run`` with every wait bounded: its cleanup would wait for ever on a task that will not stop."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main)
    finally:
        close_loop(loop)
        _LEFT_RUNNING.extend(task for task in asyncio.all_tasks(loop) if not task.done())


async def _lesson_problems(lesson: Lesson, notes: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    async with contextlib.AsyncExitStack() as stack:

        async def own_server() -> PracticeServer:
            """A server on this lesson's loop, stopped with it."""
            from asyncshell.practice_server import PracticeServer

            server = PracticeServer()
            stack.push_async_callback(server.stop)
            await server.start()
            return server

        provided = await provide(lesson.needs, own_server)
        for step in lesson.steps:
            if isinstance(step, QuizStep):
                problems += _quiz_problems(lesson, step)
            elif isinstance(step, ExerciseStep):
                problems += await _exercise_problems(lesson, step, provided, notes)
            elif isinstance(step, PredictStep) and (why := await predict_problem(step)):
                problems.append(Problem(lesson.path, step.location.line, f"predict '{step.key}': {why}"))
    return problems


async def _exercise_problems(lesson: Lesson, exercise: ExerciseStep, provided: Provided,
                             notes: list[str]) -> list[Problem]:
    """The solution must pass and the starter fail (for the declared reason); ``notes`` gets how each went, for ``-v``."""
    def problem(line: int, what: str) -> Problem:
        return Problem(lesson.path, line, f"exercise '{exercise.id}': {what}")

    tried, stuck = await _attempt(exercise, provided, exercise.solution.source, "solution")
    problems = []
    if stuck:
        problems.append(problem(*_swallows(exercise, stuck)))
    elif tried.setup_failed is not None:
        which, code = _failed_setup(exercise, tried.setup_failed)
        return [problem(code.line, f"the {which} fails: {_said(tried.setup_failed, exercise)}")]
    elif tried.answer_failed is not None:
        problems.append(problem(exercise.solution.line,
                                f"the solution fails when run: {_said(tried.answer_failed, exercise)}"))
    elif tried.result is not None and not tried.result.passed:
        line, why = _check_failure(exercise, tried.result)
        problems.append(problem(line or exercise.solution.line, f"the solution fails its check: {why}"))
    said = [f"solution {'fails' if problems else 'passes'}"]
    # The starter may well raise (a stub, a bug to fix): only whether the check passes matters.
    tried, stuck = await _attempt(exercise, provided, exercise.starter_source, "starter", stop_on_error=False)
    starter_line = exercise.starter.line if exercise.starter else exercise.location.line
    result = tried.result
    if stuck:
        problems.append(problem(*_swallows(exercise, stuck)))
    elif result is not None and result.passed:
        what = ("the starter passes its check" if exercise.starter
                else "with no code at all (there is no starter) the check passes")
        problems.append(problem(starter_line, what + "; it must fail until the learner solves the task"))
    elif result is not None:
        line, why = _check_failure(exercise, result)
        at = f"{lesson.path.name}:{line}: " if line else ""
        said.append(f"starter fails at {at}{why}")
        expected = exercise.starter_fails_with
        if expected and expected not in f"{result.message}\n{result.why}":
            problems.append(problem(starter_line, f"the starter fails, but not with {expected!r} "
                                                  f"(starter_fails_with): {at}{why}"))
    notes.append(f"{exercise.id}: " + "; ".join(said))
    return problems


def _failed_setup(exercise: ExerciseStep, outcome: Outcome) -> tuple[str, Code]:
    """Which setup stopped the exercise, the lesson's or its own, by where the error was raised."""
    frames = learners_frames(outcome.error) if outcome.error is not None else []
    lesson_setup, own = exercise.lesson_setup, exercise.setup
    if lesson_setup is not None and (own is None or any(f.filename.startswith("<lesson-setup:") for f in frames)):
        return "lesson's setup", lesson_setup
    assert own is not None
    return "setup", own


def _check_failure(exercise: ExerciseStep, result: CheckResult) -> tuple[int | None, str]:
    """The lesson file line where a check failed (None when no one line is to blame), and why, for its author."""
    line = None if result.line is None else exercise.check.line + result.line - 1
    if result.missing:
        return line, (f"the check uses `{result.missing}`, which nothing defines (not the setup, "
                      "the code that was run, or the check's helpers)")
    return line, result.why


async def _attempt(exercise: ExerciseStep, provided: Provided, answer: str, label: str, *,
                   stop_on_error: bool = True) -> tuple[Attempt, list[asyncio.Task[Any]]]:
    """One attempt in a fresh namespace, each piece of code bounded by the exercise's timeout, and the tasks
    it left that would not stop when cancelled.

    SIGINT goes to the evaluator meanwhile, so a timeout can stop code that spins
    without awaiting; a Ctrl-C from the author stops the whole validation.
    """
    evaluator = Evaluator(write=lambda text: None)
    previous = signal.signal(signal.SIGINT, evaluator.handle_sigint)
    try:
        tried = await Exercise(evaluator, exercise, provided).attempt(
            answer, label, stop_on_error=stop_on_error)
    finally:
        signal.signal(signal.SIGINT, previous)
    if tried.interrupted:
        raise KeyboardInterrupt
    return tried, await _stop_leftovers(evaluator)


async def _stop_leftovers(evaluator: Evaluator) -> list[asyncio.Task[Any]]:
    """Cancel the tasks an attempt left running, so the next starts clean; those that would not stop, in order."""
    left = [*evaluator.tasks.alive(), *(task for task in evaluator.abandoned if not task.done())]
    for task in left:
        task.cancel()
    if not left:
        return []
    _, pending = await asyncio.wait(left, timeout=CANCEL_GRACE)
    return [task for task in left if task in pending]


def _swallows(exercise: ExerciseStep, stuck: list[asyncio.Task[Any]]) -> tuple[int, str]:
    """The file line and words for code that caught the CancelledError meant to stop it, and went on."""
    task = next((task for task in stuck if user_stack(task.get_coro())), stuck[0])
    frames = user_stack(task.get_coro())
    # The exercise's code runs as <setup:ID>, <solution:ID>, <starter:ID> or <check:ID>.
    label, _, step = frames[-1].filename[1:-1].partition(":") if frames else ("", "", "")
    code = {"setup": exercise.setup, "lesson-setup": exercise.lesson_setup, "solution": exercise.solution,
            "check": exercise.check}.get(label)
    if code is not None and step == exercise.id:
        line = code.line + frames[-1].lineno - 1
    else:
        line, label = exercise.location.line, label if step == exercise.id else "code"
    where = f" (at {where_suspended(task)})" if frames else ""
    return line, (f"the {label} swallows the CancelledError meant to stop it{where}, so nothing can "
                  "stop it; catch Exception, or re-raise asyncio.CancelledError")


def _said(outcome: Outcome, exercise: ExerciseStep) -> str:
    """How code that did not run to its end stopped, in one line."""
    if outcome.kind == "timeout":
        return f"still running after {exercise.timeout:g} s"
    if outcome.kind == "exit":
        return "it called exit()"
    if outcome.kind == "interrupted":
        return "interrupted"
    assert outcome.error is not None
    return " ".join(traceback.format_exception_only(outcome.error)[-1].split())


def _quiz_problems(lesson: Lesson, quiz: QuizStep) -> list[Problem]:
    """The loader checks answers against choices; this asks the quiz itself, as a learner's reply would."""
    if quiz.choices:
        right = ", ".join(map(str, quiz.answers))
        valid = bool(quiz.answers) and all(1 <= n <= len(quiz.choices) for n in quiz.answers) and quiz.accepts(right)
        why = f"its answer {right or '(none)'} is not among its {len(quiz.choices)} choices"
    else:
        valid = bool(quiz.accepted) and all(quiz.accepts(answer) for answer in quiz.accepted)
        why = "it accepts no typed answer, so nobody can get it right"
    return [] if valid else [Problem(lesson.path, quiz.location.line, f"quiz '{quiz.key}': {why}")]


def _unresolved_requires(lesson: Lesson, known: frozenset[str]) -> list[Problem]:
    """The loader drops a lesson whose requirement did not load; say so if that ever stops being true."""
    return [Problem(lesson.path, 1, f"requires '{required}', which did not load")
            for required in lesson.requires if required not in known]
