"""The learner's place in a lesson and what each step does: show it, answer it, check it, move on.

One ``Tutor`` per session (``tutor_for``) holds the lessons, the progress store
(opened on first use) and the lesson being followed.  It speaks only through
``session.console`` and steers the prompt through the session's extension
points: ``prompt_prefix``, ``prefill`` and ``on_empty_input``.
"""

from __future__ import annotations

import difflib
import inspect
import io
import shutil
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from asyncshell import paths
from asyncshell.paths import LessonFolders
from asyncshell.course.catalog import load_catalog
from asyncshell.course.checks import run_check
from asyncshell.course.listing import print_lessons
from asyncshell.course.model import ExampleStep, ExerciseStep, Lesson, LoadResult, QuizStep, Step
from asyncshell.course.progress_command import tally
from asyncshell.course.render import render_code, render_markdown
from asyncshell.errors import AsyncshellError, UsageError
from asyncshell.practice import ensure_server, running_server
from asyncshell.course.progress import FILENAME, LessonProgress, ProgressStore

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

#: Lesson text is easier to read in a column than across a wide terminal.
MAX_WIDTH = 100


def tutor_for(session: Session) -> Tutor:
    """The session's tutor, created on first use."""
    existing = session.features.get(Tutor)
    if existing is not None:
        return existing
    folders = session.features.get(LessonFolders)
    extra = folders.extra if folders is not None else ()
    tutor = session.features.get_or_make(Tutor, lambda: Tutor(session, load=lambda: load_catalog(extra)))
    session.hooks.cleanups.append(tutor.close)  # close the store
    return tutor


def resume_hint(session: Session) -> str | None:
    """One line offering to continue the lesson last worked on, or None.

    Meant for start-up, after the banner: it writes nothing to disk when there
    is no progress file yet, so a first run stays read-only.
    """
    if not (paths.data_home() / FILENAME).exists():
        return None
    tutor = tutor_for(session)
    last = tutor.last_unfinished()
    if last is None:
        return None
    title = tutor.course.get(last.lesson).title  # type: ignore[union-attr]
    return (f"You were in the middle of '{title}' ({last.done} of {last.total} steps done); "
            f"type %learn {last.lesson} to carry on.")


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
        self._hints_shown: dict[tuple[str, str], int] = {}
        self._opened: set[str] = set()  # lessons followed in this session: their names are in the namespace
        # The namespace as the current exercise found it, before its setup ran: what %reset restores.
        self._before_setup: dict[str, Any] = {}
        self._after_setup: dict[str, int] = {}  # name -> id(value), to tell what the learner wrote
        #: Names a check may use besides the helpers, e.g. ``server`` for lessons that need one.
        self.extra_helpers: Mapping[str, object] = {}

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
            if self._store.notice:
                self.console.note(self._store.notice)
        return self._store

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.lesson is not None else None

    # -- choosing a lesson

    def list_lessons(self) -> None:
        """%lessons: every lesson with how far the learner got, in the table ``asyncshell lessons`` prints."""
        course = self.course
        if not course.lessons and not course.errors:
            self.console.note("No lessons found.")
            return
        table = io.StringIO()
        print_lessons(course, {lesson.id: tally(self.store, lesson).state for lesson in course.lessons}, table)
        self.console.write(table.getvalue())

    def last_unfinished(self) -> LessonProgress | None:
        """The lesson most recently worked on and not gone through to the end, if any."""
        steps = {lesson.id: [step.key for step in lesson.steps] for lesson in self.course.lessons}
        # A lesson gone through to the end with a step skipped is not one to carry on with.
        unfinished = [u for u in self.store.unfinished_lessons(steps)
                      if u.position is None or u.position < len(steps[u.lesson])]
        return unfinished[0] if unfinished else None

    async def learn(self, lesson_id: str) -> None:
        """%learn ID: start the lesson, or carry on where it was left; alone, carry on with the last one."""
        if not lesson_id and self.lesson is None:
            last = self.last_unfinished()
            if last is not None:
                lesson_id = last.lesson
        if not lesson_id:
            self.list_lessons()
            self.console.note("Type %learn ID to start one, for example %learn "
                              f"{self._suggested() or 'ID'}.")
            return
        lesson = self.course.get(lesson_id)
        if lesson is None:
            ids = [lesson.id for lesson in self.course.lessons]
            close = difflib.get_close_matches(lesson_id, ids, n=1, cutoff=0.5)
            hint = f" Did you mean %learn {close[0]}?" if close else " Type %lessons to see them."
            raise UsageError(f"There is no lesson '{lesson_id}'.{hint}")
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
        missing = [r for r in lesson.requires if (r_lesson := self.course.get(r)) is None
                   or tally(self.store, r_lesson).state != "done"]
        if missing:
            self.console.note(f"This lesson builds on {', '.join(missing)}; you may want to do that first.")
        self._opened.add(lesson.id)
        self.session.hooks.on_empty_input = self.on_enter
        await self._show()

    async def _catch_up(self, steps: tuple[Step, ...]) -> None:
        """In a new session, run the earlier exercises' setup and solution, as %skip would have.

        Later steps may build on what earlier ones defined, and this session's
        namespace starts empty.
        """
        exercises = [step for step in steps if isinstance(step, ExerciseStep)]
        for step in exercises:
            await self._run_setup(step)
            await self._run_solution(step)
        if exercises:
            self.console.note("The earlier exercises' solutions ran, so what they define is there again.")

    async def close(self) -> None:
        """Release the progress store (the practice server belongs to the session, which stops it).

        The tutor leaves the session, so a later command starts a fresh one that
        resumes from the saved progress.
        """
        self.session.features.forget(self)
        if self._store is not None:
            self._store.close()

    async def _provide(self, lesson: Lesson) -> None:
        """Start what the lesson ``needs`` and hand it to its checks: so far only ``server``.

        The server is shared through ``session.practice_server``, so the shell's own
        way of starting one and the lessons use the same server.
        """
        self.extra_helpers = {}
        if "practice_server" not in lesson.needs:
            return
        was_running = running_server(self.session) is not None
        server = await ensure_server(self.session)
        if not was_running:
            self.console.note(f"This lesson uses the practice server; it is running at {server.url} (BASE_URL).")
        self.extra_helpers = {"server": server}

    # -- moving through the steps

    async def on_enter(self) -> None:
        """Enter on an empty line: read on past text and examples; a reminder elsewhere."""
        if self.lesson is None:
            return
        try:
            if self._can_move_on():
                await self._advance()
            else:
                self.console.note(self._what_now())
        except AsyncshellError as exc:  # not a %command, so the session would not catch it
            self.console.error(str(exc))

    async def next(self) -> None:
        """%next: like Enter, but says why when the step wants something first."""
        self._active()
        if not self._can_move_on():
            raise UsageError(self._what_now())
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
        self.session.show(await self.session.evaluator.run(step.code.source, f"<example:{step.key}>"))

    # -- quizzes

    async def answer(self, reply: str) -> None:
        """%answer: right moves on with the explanation, wrong invites another try."""
        step = self._current(QuizStep, "%answer answers a quiz")
        if not reply and step.is_multiple_choice and len(step.answers) == 1 and self.session.terminal is not None:
            picked = await self.session.terminal.choose(step.question, list(step.choices))
            if picked is None:
                return
            reply = str(picked + 1)
        if not reply:
            raise UsageError(f"Usage: {self._answer_usage(step)}")
        if step.is_multiple_choice:
            picked = reply.replace(",", " ").split()
            if not all(p.isdecimal() and 1 <= int(p) <= len(step.choices) for p in picked):
                raise UsageError(f"Answer with choice numbers from 1 to {len(step.choices)}, e.g. %answer 1.")
        right = step.accepts(reply)
        self.store.record_quiz(self.lesson.id, step.key, right, reply)  # type: ignore[union-attr]
        if not right:
            self.console.write("Not quite; have another look and answer again (or %skip it).\n")
            return
        said = self._render(f"Right. {step.explanation}")  # one paragraph, wrapped as one
        self.console.write(self.console.style("Right.", "ok") + said[len("Right."):] + "\n")
        self.store.mark_done(self.lesson.id, step.key)  # type: ignore[union-attr]
        await self._advance()

    # -- exercises

    async def check(self) -> None:
        """%check: run the exercise's check; passing marks it done and moves on."""
        step = self._current(ExerciseStep, "%check checks an exercise")
        result = await run_check(self.session.evaluator, step, extra_helpers=self.extra_helpers)
        lesson = self.lesson.id  # type: ignore[union-attr]
        self.store.record_attempt(lesson, step.key, result.status, self._learners_code(), result.detail)
        if not result.passed:
            self.console.error(result.message)
            self.console.note("Stuck? %hint gives a hint, %solution shows a solution.")
            return
        self.console.write(self.console.style("Passed!", "ok") + "\n")
        self.store.mark_done(lesson, step.key)
        await self._advance()

    def hint(self) -> None:
        """%hint: the next hint, with how many there are."""
        step = self._current(ExerciseStep, "hints belong to exercises")
        key = (self.lesson.id, step.key)  # type: ignore[union-attr]
        shown = self._hints_shown.get(key, 0)
        total = len(step.hints)
        if shown == total:
            self.console.note(f"That was the last hint ({total} of {total}); %solution shows a solution.")
            return
        self._hints_shown[key] = shown + 1
        self.console.write(self._render(f"hint {shown + 1} of {total}: {step.hints[shown]}") + "\n")

    def solution(self) -> None:
        """%solution: show a solution; it counts as seen, not as solved."""
        step = self._current(ExerciseStep, "%solution shows an exercise's solution")
        self.store.mark_revealed(self.lesson.id, step.key)  # type: ignore[union-attr]
        self.console.write("A solution:\n" + render_code(step.solution.source, self.console.color) + "\n")
        self.console.note("Type it in and %check, or %skip to run it and move on.")

    async def edit(self) -> None:
        """%edit: the exercise in $EDITOR; what is saved runs into the namespace when the editor closes.

        The file stays under the data home, so a second %edit goes on where the last left off.
        """
        step = self._current(ExerciseStep, "%edit opens an exercise in your editor")
        if self.session.terminal is None:
            raise UsageError("%edit needs a terminal; type or paste your code at the prompt instead.")
        folder = paths.ensure_data_home() / "edits"
        folder.mkdir(exist_ok=True)
        path = folder / f"{self.lesson.id}-{step.key}.py"  # type: ignore[union-attr]
        if not path.exists():
            text = self._learners_code() or step.starter
            path.write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8")
        await self.session.terminal.edit(path)
        code = path.read_text(encoding="utf-8", errors="replace")
        if not code.strip():
            self.console.note("The file is empty; nothing ran.")
            return
        self.session.show(await self.session.evaluator.run(code, str(path)))
        self.console.note(f"Ran {path.name} into your namespace; %check when ready, %edit to change it.")

    async def skip(self) -> None:
        """%skip: move on; an exercise's solution runs first so later steps have what it defines."""
        step = self._active()
        if isinstance(step, ExerciseStep):
            await self._run_solution(step)
            self.store.mark_skipped(self.lesson.id, step.key)  # type: ignore[union-attr]
            self.console.note("Skipped; its solution ran, so what it defines is there for the next steps.")
        elif isinstance(step, QuizStep):
            self.store.mark_skipped(self.lesson.id, step.key)  # type: ignore[union-attr]
            self.console.note(self._render(f"Skipped. The answer: {self._right_answer(step)}"))
        await self._advance()

    async def reset(self, arg: str) -> None:
        """%reset [yes]: put the namespace back as the exercise's setup left it, once confirmed."""
        step = self._current(ExerciseStep, "%reset restarts an exercise")
        if arg not in ("", "yes"):
            raise UsageError("Usage: %reset yes  (puts your namespace back as this exercise began)")
        if arg != "yes":
            self.console.note(f"%reset forgets every name defined since exercise '{step.id}' began and runs "
                              "its setup again. Type %reset yes to do it.")
            return
        namespace = self.session.evaluator.namespace
        namespace.clear()
        namespace.update(self._before_setup)
        await self._set_up(step)
        self.console.note(f"Your namespace is back as exercise '{step.id}' began.")

    # -- the flow

    def _active(self) -> Step:
        if self.lesson is None:
            raise UsageError("No lesson is running; start one with %learn ID (%lessons lists them).")
        return self.lesson.steps[self.index]

    def _current(self, kind: type[Any], what: str) -> Any:
        step = self._active()
        if not isinstance(step, kind):
            raise UsageError(f"This step is {'an' if step.type[0] in 'aeiou' else 'a'} {step.type}; {what}.")
        return step

    def _can_move_on(self) -> bool:
        step = self.step
        if isinstance(step, (QuizStep, ExerciseStep)):
            status = self.store.step_status(self.lesson.id).get(step.key)  # type: ignore[union-attr]
            return status is not None and (status.done or status.skipped)
        return True

    def _what_now(self) -> str:
        step = self.step
        if isinstance(step, QuizStep):
            return f"Answer with {self._answer_usage(step)}, or %skip the question."
        return "Write your code at the prompt, then %check it; %hint, %solution and %skip help if you are stuck."

    async def _advance(self) -> None:
        lesson, step = self.lesson, self.step
        assert lesson is not None and step is not None
        if not isinstance(step, (QuizStep, ExerciseStep)):
            self.store.mark_done(lesson.id, step.key)  # read is done
        self.index += 1
        if self.index < len(lesson.steps):
            await self._show()
        else:
            self._finish()

    async def _show(self) -> None:
        lesson, step = self.lesson, self.step
        assert lesson is not None and step is not None
        count = len(lesson.steps)
        self.store.set_position(lesson.id, self.index)
        self.session.hooks.prompt_prefix = f"[{lesson.id} {self.index + 1}/{count}] "
        self.console.write("\n" + self.console.style(f"── {lesson.title} · step {self.index + 1} of {count}", "heading")
                           + "\n")
        last = self.index + 1 == count
        self.session.hooks.prefill = ""  # an exercise's starter belongs to the exercise only
        if isinstance(step, QuizStep):
            lines = [self._render(step.question)]
            lines += [f"  {n}. {choice}" for n, choice in enumerate(step.choices, 1)]
            self.console.write("\n".join(lines) + "\n")
            self.console.note(f"Answer with {self._answer_usage(step)}.")
        elif isinstance(step, ExerciseStep):
            self.console.write(self._render(step.body) + "\n")
            self._before_setup = dict(self.session.evaluator.namespace)
            await self._set_up(step)
            self.console.note("Write your code at the prompt, then %check it.\n"
                              "Stuck? %hint, %solution or %skip; %reset starts the exercise over.")
        elif isinstance(step, ExampleStep):
            if step.body:
                self.console.write(self._render(step.body) + "\n")
            self.console.write(render_code(step.code.source, self.console.color) + "\n")
            self.console.note(f"Enter to {'finish' if last else 'continue'}, %run to try it.")
        else:
            self.console.write(self._render(step.body) + "\n")
            self.console.note(f"Enter to {'finish' if last else 'continue'}.")

    async def _set_up(self, step: ExerciseStep) -> None:
        """Run the exercise's setup in the learner's namespace and put its starter code in the prompt."""
        server = self.extra_helpers.get("server")
        if server is not None:
            server.reset()  # type: ignore[attr-defined]  # the check counts this exercise's requests only
        await self._run_setup(step)
        self._after_setup = {name: id(value) for name, value in self.session.evaluator.namespace.items()}
        status = self.store.step_status(self.lesson.id).get(step.key)  # type: ignore[union-attr]
        # Back at a solved exercise, the starter would only replace the learner's own code.
        self.session.hooks.prefill = "" if status is not None and status.done else step.starter

    async def _run_setup(self, step: ExerciseStep) -> None:
        if step.setup is not None:
            outcome = await self.session.evaluator.run(step.setup.source, f"<setup:{step.id}>", show_values=False)
            if outcome.kind != "ok":
                self.session.show(outcome)
                self.console.note(f"The setup of exercise '{step.id}' failed; this is a problem in the lesson.")

    async def _run_solution(self, step: ExerciseStep) -> None:
        outcome = await self.session.evaluator.run(step.solution.source, f"<solution:{step.id}>", show_values=False)
        if outcome.kind != "ok":
            self.session.show(outcome)
            self.console.note(f"The solution of exercise '{step.id}' did not run cleanly; "
                              "this is a problem in the lesson.")

    def _finish(self) -> None:
        lesson = self.lesson
        assert lesson is not None
        self.store.set_position(lesson.id, len(lesson.steps))
        done = tally(self.store, lesson)
        extra = [f"{done.skipped} skipped"] if done.skipped else []
        extra += [f"{done.revealed} solution{'s' if done.revealed != 1 else ''} seen"] if done.revealed else []
        more = f" ({', '.join(extra)})" if extra else ""
        self.console.write(self.console.style(f"Lesson complete: {lesson.title}", "ok")
                           + f"; {done.done} of {done.total} steps done{more}.\n")
        self.lesson, self.index = None, 0
        self.session.hooks.prompt_prefix = ""
        self.session.hooks.prefill = ""
        if self.session.hooks.on_empty_input == self.on_enter:
            self.session.hooks.on_empty_input = None
        following = self._suggested()
        if following:
            self.console.note(f"Next: %learn {following}")

    def _suggested(self) -> str | None:
        """The first lesson, in course order, not yet gone through."""
        for lesson in self.course.lessons:
            progress = tally(self.store, lesson)
            if not progress.finished and progress.state != "done":
                return lesson.id
        return None

    # -- wording

    def _render(self, markdown: str) -> str:
        width = min(shutil.get_terminal_size().columns, MAX_WIDTH)
        return render_markdown(markdown, width, self.console.color)

    @staticmethod
    def _answer_usage(step: QuizStep) -> str:
        if not step.is_multiple_choice:
            return "%answer YOUR ANSWER"
        if len(step.answers) > 1:
            return "%answer and every right number (e.g. %answer 1 3)"
        return "%answer N (the number of your choice; %answer alone picks with the arrow keys in a terminal)"

    @staticmethod
    def _right_answer(step: QuizStep) -> str:
        if step.is_multiple_choice:
            answer = "; ".join(f"{n}. {step.choices[n - 1]}" for n in sorted(step.answers))
        else:
            answer = step.accepted[0]
        return f"{answer}. {step.explanation}"

    def _learners_code(self) -> str:
        """The source of the functions and classes the learner defined for this exercise, to keep with the attempt."""
        sources = []
        for name, value in self.session.evaluator.namespace.items():
            if self._after_setup.get(name) == id(value) or not (inspect.isfunction(value) or inspect.isclass(value)):
                continue
            try:
                sources.append(inspect.getsource(value))
            except (OSError, TypeError):
                continue
        return "\n".join(sources)
