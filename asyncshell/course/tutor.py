"""The learner's place in a lesson and what each step does: show it, answer it, check it, move on.

One ``Tutor`` per session (``tutor_for``) holds the lessons, the progress store
(opened on first use) and the lesson being followed: the state machine.  What
it says is worded in ``present``, how far the learner got in ``standing``, and
exercises run through ``exercise``; the exercise commands are the ``coach``'s.
It speaks only through ``session.console`` and steers the prompt through
``session.hooks``: ``prompt_prefix``, ``prefill`` and ``on_empty_input``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from asyncshell.course import present
from asyncshell.course.coach import Coach
from asyncshell.course.catalog import load_catalog
from asyncshell.course.exercise import Provided, Workspace, course_helpers_importable, provide
from asyncshell.course.model import ExampleStep, ExerciseStep, Lesson, LoadResult, PredictStep, QuestionStep, Step
from asyncshell.course.progress import ProgressStore
from asyncshell.course.progress_file import has_progress
from asyncshell.course.questions import answer_typed_as_code, reveal
from asyncshell.course.standing import carry_on, lesson_table, next_lesson, not_done, tally
from asyncshell.errors import AsyncshellError, UsageError
from asyncshell.paths import LessonFolders
from asyncshell.practice import ensure_server, running_server

if TYPE_CHECKING:
    from asyncshell.practice_server import PracticeServer
    from asyncshell.repl.session import Session

_Step = TypeVar("_Step", QuestionStep, ExerciseStep, ExampleStep)


def session_catalog(session: Session) -> LoadResult:
    """The lessons this session uses: the courses in use and any named with ``--lessons-dir``/``--course``."""
    folders = session.features.get(LessonFolders) or LessonFolders()
    return load_catalog(folders.extra, builtin=folders.builtin)


def tutor_for(session: Session) -> Tutor:
    """The session's tutor, created on first use."""
    existing = session.features.get(Tutor)
    if existing is not None:
        return existing
    tutor = session.features.get_or_make(Tutor, lambda: Tutor(session, load=lambda: session_catalog(session)))
    session.hooks.cleanups.append(tutor.close)  # close the store
    return tutor


def resume_hint(session: Session) -> str | None:
    """One line offering to continue the lesson last worked on, or None.

    Meant for start-up, after the banner: it writes nothing to disk when there
    is no progress file yet, so a first run stays read-only.
    """
    if not has_progress():
        return None
    tutor = tutor_for(session)
    last = carry_on(tutor.store, tutor.course)
    return present.resume_offer(last, tally(tutor.store, last)) if last is not None else None


class Tutor:
    """Follows one learner through the lessons; each public method is one %command."""

    def __init__(
        self,
        session: Session,
        *,
        load: Callable[[], LoadResult] = load_catalog,
        open_store: Callable[[], ProgressStore] = ProgressStore.open,
    ) -> None:
        self.session = session
        self.console = session.console
        self._load = load
        self._open_store = open_store
        self._course: LoadResult | None = None
        self._store: ProgressStore | None = None
        self.lesson: Lesson | None = None
        self.index = 0
        self._opened: set[str] = set()  # lessons followed in this session: their names are in the namespace
        self._reminded = False  # Enter on a blank line said what this step wants
        self.workspace = Workspace(session.evaluator)
        self.coach = Coach(session, self.workspace, lambda: self.store)
        session.evaluator.transforms.append(self._answer_typed_as_code)

    # -- what it works with, loaded on first use

    @property
    def course(self) -> LoadResult:
        if self._course is None:
            self._course = self._load()
        return self._course

    @property
    def store(self) -> ProgressStore:
        if self._store is None:
            self._store = self._open_store()
            self._store.notify = self.console.note  # "not being saved" and the like, dim, in the shell
            if self._store.notice:
                self.console.note(self._store.notice)
        return self._store

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.lesson is not None else None

    @property
    def _lesson(self) -> Lesson:
        """The lesson being followed, where a step command has already made sure there is one."""
        assert self.lesson is not None
        return self.lesson

    # -- choosing a lesson

    def list_lessons(self) -> None:
        """%lessons: every lesson with how far the learner got, in the table ``asyncshell lessons`` prints."""
        course = self.course
        if not course.lessons and not course.errors:
            self.console.note("No lessons found.")
            return
        self.console.write(lesson_table(course, self.store))

    async def learn(self, lesson_id: str) -> None:
        """%learn ID: start the lesson, or carry on where it was left; alone, carry on with the last one."""
        if not lesson_id and self.lesson is None:
            last = carry_on(self.store, self.course)
            if last is not None:
                lesson_id = last.id
        if not lesson_id:
            self.list_lessons()
            suggested = next_lesson(self.store, self.course)
            self.console.note(f"Type %learn ID to start one, for example %learn {suggested.id if suggested else 'ID'}.")
            return
        lesson = self._lesson_named(lesson_id)
        await self._provide(lesson)  # first: if the server cannot start, the lesson does not either
        position = self.store.position(lesson.id)
        self.lesson, self.index = lesson, 0
        if position is not None and 0 < position < len(lesson.steps):
            self.index = position
            self.console.note(f"Carrying on with '{lesson.title}' at step {position + 1} of {len(lesson.steps)}; "
                              "%back goes back a step.")
            if lesson.id not in self._opened:
                await self._catch_up(lesson.steps[:position])
        elif position is not None and position >= len(lesson.steps):
            self.console.note(f"You finished '{lesson.title}' before; here it is again from the top.")
        missing = not_done(self.store, self.course, lesson.requires)
        if missing:
            self.console.note(f"This lesson builds on {', '.join(missing)}; you may want to do that first.")
        self._opened.add(lesson.id)
        self.session.hooks.on_empty_input = self.on_enter
        await self._show()

    def _lesson_named(self, name: str) -> Lesson:
        """A lesson by id, or by its number in the %lessons list (counted from 1, in course order)."""
        lessons = self.course.lessons
        if name.isdecimal():
            if 1 <= int(name) <= len(lessons):
                return lessons[int(name) - 1]
            raise UsageError(present.no_such_number(int(name), len(lessons)))
        lesson = self.course.get(name)
        if lesson is None:
            raise UsageError(present.no_such_lesson(name, [lesson.id for lesson in lessons]))
        return lesson

    async def _catch_up(self, steps: tuple[Step, ...]) -> None:
        """In a new session, run the earlier exercises' setup and solution, as %skip would have.

        Later steps may build on what earlier ones defined, and this session's
        namespace starts empty.
        """
        exercises = [step for step in steps if isinstance(step, ExerciseStep)]
        for step in exercises:
            exercise = self.workspace.exercise(step)
            self.coach.report_failure(step, "setup", await exercise.set_up())
            self.coach.report_failure(step, "solution", await exercise.run_solution())
        if exercises:
            self.console.note("The earlier exercises' solutions ran, so what they define is there again.")

    async def close(self) -> None:
        """Release the store and leave the session; a later command starts a fresh tutor from saved progress.

        The practice server belongs to the session, which stops it.
        """
        self.session.features.forget(self)
        transforms = self.session.evaluator.transforms
        if self._answer_typed_as_code in transforms:
            transforms.remove(self._answer_typed_as_code)
        if self._store is not None:
            self._store.close()

    async def _provide(self, lesson: Lesson) -> None:
        """Start what the lesson ``needs`` for its checks.

        The practice server is the session's own, so ``%server`` and the lessons
        use the same one.
        """
        self.workspace.provided = Provided()  # first: what the last lesson needed is not this one's
        self.workspace.provided = await provide(lesson.needs, self._session_server)

    async def _session_server(self) -> PracticeServer:
        was_running = running_server(self.session) is not None
        server = await ensure_server(self.session)
        if not was_running:
            self.console.note(f"This lesson uses the practice server; it is running at {server.url} (BASE_URL).")
        return server

    # -- moving through the steps

    async def on_enter(self) -> None:
        """Enter on an empty line: read on past text and examples; a reminder elsewhere."""
        if self.lesson is None:
            return
        try:
            if self._can_move_on():
                await self._advance()
            elif not self._reminded:  # once a step: Enter on a blank line is also just a blank line
                self._reminded = True
                self.console.note(present.what_now(self._active()))
        except AsyncshellError as exc:  # not a %command, so the session would not catch it
            self.console.error(str(exc))

    async def next(self) -> None:
        """%next: like Enter, but says why when the step wants something first."""
        step = self._active()
        if not self._can_move_on():
            raise UsageError(present.what_now(step))
        await self._advance()

    async def back(self) -> None:
        """%back: show the step before this one."""
        self._active()
        if self.index == 0:
            raise UsageError("This is the first step of the lesson.")
        self.index -= 1
        await self._show()

    async def run_example(self) -> None:
        """%run: run the example's code in the learner's namespace, as if typed."""
        step = self._current(ExampleStep, "%run runs an example's code")
        course_helpers_importable(step.location.path)
        if step.lesson_setup is not None:
            ran = await self.session.evaluator.run(step.lesson_setup.source, f"<lesson-setup:{step.key}>", show_values=False)
            if ran.kind != "ok":
                self.session.show(ran)
                return
        self.session.show(await self.session.evaluator.run(step.code.source, f"<example:{step.key}>"))

    # -- quizzes

    async def answer(self, reply: str) -> None:
        """%answer: right, a quiz waits for Enter to move on; wrong invites another try; a prediction runs the code."""
        step = self._current(QuestionStep, "%answer answers a quiz or a prediction")
        if not reply and step.is_multiple_choice and len(step.answers) == 1 and self.session.terminal is not None:
            chosen = await self.session.terminal.choose(*present.picker(step, self.console.color))
            if chosen is None:
                self.console.note("Nothing answered: %answer N answers, %answer alone picks again.")
                return
            reply = str(chosen + 1)
        if not reply:
            raise UsageError(f"Usage: {present.answer_usage(step)}")
        picked = (step.picked(reply) or ()) if step.choices else ()
        if step.choices and not (picked and all(1 <= n <= len(step.choices) for n in picked)):
            raise UsageError(f"Answer with choice numbers from 1 to {len(step.choices)}, e.g. %answer 1.")
        if isinstance(step, PredictStep) and len(picked) > 1:
            raise UsageError("Pick the one output you expect, e.g. %answer 1.")
        right = step.accepts(reply)
        self.store.record_quiz(self._lesson.id, step.key, right, reply)
        if isinstance(step, PredictStep):
            await reveal(self.session, step, reply, picked)
        said = present.prose(present.verdict(step, picked, right), self.console.color)  # one paragraph, wrapped as one
        self.console.write((self.console.style("Right.", "ok") + said[len("Right."):] if right else said) + "\n")
        if isinstance(step, PredictStep) or right:  # a prediction is done once answered: its output is there to see
            self.store.mark_done(self._lesson.id, step.key)
            self.console.note(present.read_on(step, last=self.index + 1 == len(self._lesson.steps)))

    def _answer_typed_as_code(self, tree: ast.Module) -> ast.Module:
        """A code transform that changes nothing: it notes ``%answer 2`` under a ``2`` typed at a question."""
        step = self.step
        if isinstance(step, QuestionStep):
            note = answer_typed_as_code(step, tree)
            if note is not None:
                self.session.evaluator.notes.append(note)
        return tree

    # -- exercises: the coach does the work

    async def check(self, verbose: bool = False) -> None:
        """%check [-v]: passing marks the exercise done; Enter then moves on, when the learner has read the result.

        Moving on at once made a habitual Enter run the next exercise's starter, or pass a text unread.
        """
        step = self._current(ExerciseStep, "%check checks an exercise")
        if await self.coach.check(self._lesson.id, step, verbose):
            self.store.mark_done(self._lesson.id, step.key)
            self.console.note(present.read_on(step, last=self.index + 1 == len(self._lesson.steps)))

    def hint(self) -> None:
        step = self._current(ExerciseStep, "hints belong to exercises")
        self.coach.hint(self._lesson.id, step)

    def solution(self) -> None:
        step = self._current(ExerciseStep, "%solution shows an exercise's solution")
        self.coach.solution(self._lesson.id, step)

    async def edit(self) -> None:
        step = self._current(ExerciseStep, "%edit opens an exercise in your editor")
        await self.coach.edit(self._lesson.id, step)

    async def reset(self, arg: str) -> None:
        step = self._current(ExerciseStep, "%reset restarts an exercise")
        await self.coach.reset(self._lesson.id, step, arg)

    async def skip(self) -> None:
        """%skip: move on; an exercise's solution runs first so later steps have what it defines."""
        step = self._active()
        if isinstance(step, ExerciseStep):
            self.coach.report_failure(step, "solution", await self.workspace.exercise(step).run_solution())
            self.store.mark_skipped(self._lesson.id, step.key)
            self.console.note("Skipped; its solution ran, so what it defines is there for the next steps.")
        elif isinstance(step, QuestionStep):
            self.store.mark_skipped(self._lesson.id, step.key)
            self.console.note(present.prose(f"Skipped. The answer: {present.right_answer(step)}", self.console.color))
        await self._advance()

    # -- the flow

    def _active(self) -> Step:
        if self.lesson is None:
            raise UsageError("No lesson is running; start one with %learn ID (%lessons lists them).")
        return self.lesson.steps[self.index]

    def _current(self, kind: type[_Step], what: str) -> _Step:
        step = self._active()
        if not isinstance(step, kind):
            raise UsageError(present.not_this_step(step, what))
        return step

    def _can_move_on(self) -> bool:
        step = self.step
        if isinstance(step, (QuestionStep, ExerciseStep)):
            status = self.store.step_status(self._lesson.id).get(step.key)
            return status is not None and (status.done or status.skipped)
        return True

    async def _advance(self) -> None:
        lesson, step = self.lesson, self.step
        assert lesson is not None and step is not None
        if not isinstance(step, (QuestionStep, ExerciseStep)):
            self.store.mark_done(lesson.id, step.key)  # read is done
        self.index += 1
        if self.index < len(lesson.steps):
            await self._show()
        else:
            self._finish()

    async def _show(self) -> None:
        lesson, step = self.lesson, self.step
        assert lesson is not None and step is not None
        self.store.set_position(lesson.id, self.index)
        self.store.record_view(lesson.id, step.key)  # the time until the learner's next action is this step's
        self.session.hooks.prompt_prefix = present.prompt_prefix(lesson, self.index)
        self.console.write("\n" + self.console.style(self.console.wrap(present.heading(lesson, self.index)), "heading") + "\n")
        self.session.hooks.prefill = ""  # an exercise's starter belongs to the exercise only
        self.console.write(present.step_text(step, self.console.color) + "\n")
        self._reminded = False
        if isinstance(step, ExerciseStep):
            await self.coach.begin(lesson.id, step)
        status = self.store.step_status(lesson.id).get(step.key)
        been = present.been_here(step, status) if isinstance(step, (QuestionStep, ExerciseStep)) else None
        if been is not None:
            self.console.note(been)
        elif isinstance(step, QuestionStep):
            self.console.note(f"Answer with {present.answer_usage(step)}.")
        elif isinstance(step, ExerciseStep):
            self.console.note(present.EXERCISE_NOTE)
        else:
            self.console.note(present.read_on(step, last=self.index + 1 == len(lesson.steps)))

    def _finish(self) -> None:
        lesson = self.lesson
        assert lesson is not None
        self.store.set_position(lesson.id, len(lesson.steps))
        said = self.console.wrap(f"Lesson complete: {lesson.title}{present.completed(tally(self.store, lesson))}")
        self.console.write(self.console.style("Lesson complete:", "ok") + said[len("Lesson complete:"):] + "\n")
        self.lesson, self.index = None, 0
        self.session.hooks.prompt_prefix = ""
        self.session.hooks.prefill = ""
        if self.session.hooks.on_empty_input == self.on_enter:
            self.session.hooks.on_empty_input = None
        following = next_lesson(self.store, self.course, after=lesson)
        if following is not None:
            self.console.note(f"Next: %learn {following.id}")
