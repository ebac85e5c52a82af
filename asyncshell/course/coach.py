"""The exercise the learner is on: %check, %hint, %solution, %edit, %reset, and its starter in the prompt.

The ``Tutor`` knows which step the learner is on and moves them along; the
``Coach`` does what the exercise commands do at that step, through the
``Workspace`` (the learner's namespace around the exercise) and the progress
store, and says how it went.  It speaks only through ``session.console`` and
sets only ``session.hooks.prefill``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from asyncshell.course import present
from asyncshell.course.exercise import Workspace
from asyncshell.course.model import ExerciseStep
from asyncshell.course.progress import ProgressStore
from asyncshell.course.render import render_code
from asyncshell.errors import UsageError
from asyncshell.repl.evaluator import Outcome

if TYPE_CHECKING:
    from asyncshell.repl.session import Session


class Coach:
    """The exercise commands for one session; ``store`` gives the progress store, opened on first use."""

    def __init__(self, session: Session, workspace: Workspace, store: Callable[[], ProgressStore]) -> None:
        self.session = session
        self.console = session.console
        self.workspace = workspace
        self._store = store
        self._hints_shown: dict[tuple[str, str], int] = {}

    async def check(self, lesson_id: str, step: ExerciseStep, verbose: bool) -> bool:
        """%check [-v]: run the exercise's check and say how it went; True when it passed.

        ``verbose`` adds where in the check it failed.
        """
        result = await self.workspace.exercise(step).check()
        self._store().record_attempt(lesson_id, step.key, result.status, self.workspace.learners_code(),
                                     result.detail)
        if not result.passed:
            where = [result.where] if verbose and result.where else []
            if result.status == "fail":  # the author's sentence stands out; the values (indented) are plain
                sentence, *values = self.console.wrap(result.message).split("\n  ", 1)
                self.console.error(sentence)
                below = ["  " + text for text in values] + where
                if below:
                    self.console.write("\n".join(below) + "\n")
            else:  # a traceback keeps its lines, and its last (the exception) stands out
                self.console.error("\n".join([result.message, *where]))
            if result.error is not None:
                self.session.explain_to_user(result.error)
                result.let_go()  # what it leaves to warn about warns now, in this %check
            self.console.note(present.stuck_note(more=bool(result.where) and not verbose))
            return False
        self.console.write(self.console.style("Passed!", "ok") + "\n")
        return True

    def hint(self, lesson_id: str, step: ExerciseStep) -> None:
        """%hint: the next hint, with how many there are."""
        key = (lesson_id, step.key)
        shown = self._hints_shown.get(key, 0)
        total = len(step.hints)
        if shown == total:
            self.console.note(f"That was the last hint ({total} of {total}); %solution shows a solution.")
            return
        self._hints_shown[key] = shown + 1
        self._store().record_hint(lesson_id, step.key, shown + 1)  # how much help it took, for the teacher
        self.console.write(present.prose(f"hint {shown + 1} of {total}: {step.hints[shown]}", self.console.color) + "\n")

    def solution(self, lesson_id: str, step: ExerciseStep) -> None:
        """%solution: show a solution; before the exercise is solved it counts as seen, after it is just a comparison."""
        status = self._store().step_status(lesson_id).get(step.key)
        solved = status is not None and status.done
        if not solved:
            self._store().mark_revealed(lesson_id, step.key)
        self.console.write("A solution:\n" + render_code(step.solution.source, self.console.color) + "\n")
        self.console.note("You solved it already, so this is only to compare with yours." if solved
                          else "Type it in and %check, or %skip to run it and move on.")

    async def edit(self, lesson_id: str, step: ExerciseStep) -> None:
        """%edit: the exercise in $EDITOR; what is saved runs into the namespace when the editor closes.

        The file stays under the data home, so a second %edit goes on where the last left off.
        """
        if self.session.terminal is None:
            raise UsageError("%edit needs a terminal; type or paste your code at the prompt instead.")
        path = self.workspace.edit_file(lesson_id, step)
        await self.session.terminal.edit(path)
        code = path.read_text(encoding="utf-8", errors="replace")
        if not code.strip():
            self.console.note("The file is empty; nothing ran.")
            return
        outcome = await self.session.evaluator.run(code, str(path))
        self.session.show(outcome)
        if outcome.kind != "exit":
            self.console.note(present.after_edit(path.name, outcome))

    async def reset(self, lesson_id: str, step: ExerciseStep, arg: str) -> None:
        """%reset [yes]: put the namespace back as the exercise's setup left it, once confirmed."""
        if arg not in ("", "yes"):
            raise UsageError("Usage: %reset yes  (puts your namespace back as this exercise began)")
        if arg != "yes":
            self.console.note(f"%reset forgets every name defined since exercise '{step.id}' began and runs "
                              "its setup again. Type %reset yes to do it.")
            return
        self.report_failure(step, "setup", await self.workspace.restart(step))
        self.prefill_starter(lesson_id, step)
        self.console.note(f"Your namespace is back as exercise '{step.id}' began.")

    async def begin(self, lesson_id: str, step: ExerciseStep) -> None:
        """The learner arrives at the exercise: its setup runs, its starter goes into the prompt."""
        self.report_failure(step, "setup", await self.workspace.begin(step))
        self.prefill_starter(lesson_id, step)

    def prefill_starter(self, lesson_id: str, step: ExerciseStep) -> None:
        status = self._store().step_status(lesson_id).get(step.key)
        # Back at a solved exercise, the starter would only replace the learner's own code.
        self.session.hooks.prefill = "" if status is not None and status.done else step.starter_source

    def report_failure(self, step: ExerciseStep, part: str, outcome: Outcome) -> None:
        """The lesson's own setup or solution did not run cleanly: show how, and say it is the lesson's bug."""
        if outcome.kind != "ok":
            self.session.show(outcome)
            self.console.note(present.failed_to_run(step, part))
