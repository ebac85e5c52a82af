"""Running an exercise, for the tutor and ``validate`` alike: what its lesson needs, then setup, an answer, the check.

The two differ only in where the code runs (the learner's namespace, or a
fresh one per attempt) and where the practice server comes from (the session's,
or one of validate's own); the order of things, the labels tracebacks show,
the server reset and the exercise's timeout on every piece of the lesson's
code are here once.
``Workspace`` is the tutor's side: the learner's namespace around the exercise
they are on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import sys
import tempfile
from collections.abc import Awaitable, Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from asyncshell import paths
from asyncshell.course.checks import CheckResult, run_check
from asyncshell.course.model import ExerciseStep
from asyncshell.repl.evaluator import Evaluator, Outcome

if TYPE_CHECKING:
    from asyncshell.practice_server import PracticeServer

_RAN = Outcome("ok")


#: A course's helper module: ``_helpers.py`` beside its lesson files, which their code may import.
HELPERS_MODULE = "_helpers"
_helper_folders: list[str] = []  # the course folders put on sys.path for it, the current one last


def course_helpers_importable(lesson_file: Path) -> None:
    """Let the lesson's code ``import _helpers`` from its own folder, and not another course's.

    The module is trusted code, like the lesson files beside it.  Another
    course's module of the same name is forgotten first, so each course gets its own.
    """
    folder = str(lesson_file.parent.resolve())
    loaded = sys.modules.get(HELPERS_MODULE)
    if loaded is not None and str(Path(getattr(loaded, "__file__", None) or "").parent) != folder:
        del sys.modules[HELPERS_MODULE]
    for other in [path for path in _helper_folders if path != folder]:
        _helper_folders.remove(other)
        with contextlib.suppress(ValueError):
            sys.path.remove(other)
    if folder not in _helper_folders and (Path(folder) / f"{HELPERS_MODULE}.py").is_file():
        _helper_folders.append(folder)
        sys.path.append(folder)


@dataclasses.dataclass(frozen=True)
class Provided:
    """What a lesson ``needs``, started: its checks get ``helpers`` besides the usual ones."""

    server: PracticeServer | None = None

    @property
    def helpers(self) -> Mapping[str, object]:
        return {"server": self.server} if self.server is not None else {}

    @property
    def names(self) -> Mapping[str, object]:
        """What the lesson's own code finds in its namespace: ``BASE_URL``, as the shell's server sets it."""
        return {"BASE_URL": self.server.url} if self.server is not None else {}


async def provide(needs: Collection[str], server: Callable[[], Awaitable[PracticeServer]]) -> Provided:
    """Start what ``needs`` asks for; ``server`` gives the practice server (and is called only if needed)."""
    if "practice_server" not in needs:
        return Provided()
    return Provided(server=await server())


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One run of an exercise from its setup: the code that stopped it, or the check's result."""

    setup_failed: Outcome | None = None
    answer_failed: Outcome | None = None
    result: CheckResult | None = None

    @property
    def interrupted(self) -> bool:
        kinds = [o.kind for o in (self.setup_failed, self.answer_failed) if o is not None]
        return "interrupted" in kinds or (self.result is not None and self.result.status == "interrupted")


class Exercise:
    """One exercise in one evaluator's namespace; the exercise's timeout bounds each piece of code it runs."""

    def __init__(self, evaluator: Evaluator, step: ExerciseStep, provided: Provided) -> None:
        self.evaluator, self.step, self.provided = evaluator, step, provided

    async def set_up(self) -> Outcome:
        """Zero the server's counts, so the check sees this exercise's requests only, then run the setup.

        What the lesson needs is in the namespace first, so its code reads the same in the shell and in validate.
        """
        if self.provided.server is not None:
            self.provided.server.reset()
        self.evaluator.namespace.update(self.provided.names)
        course_helpers_importable(self.step.location.path)
        for label, code in (("lesson-setup", self.step.lesson_setup), ("setup", self.step.setup)):
            if code is not None and (ran := await self.run(code.source, label)).kind != "ok":
                return ran
        return _RAN

    async def run(self, source: str, label: str) -> Outcome:
        """Run ``source`` as the exercise's ``label`` (its tracebacks say ``<label:id>``), values unshown."""
        return await self.evaluator.run(source, f"<{label}:{self.step.id}>", show_values=False,
                                        timeout=self.step.timeout)

    async def run_solution(self) -> Outcome:
        return await self.run(self.step.solution.source, "solution")

    async def check(self) -> CheckResult:
        return await run_check(self.evaluator, self.step, extra_helpers=self.provided.helpers)

    async def attempt(self, answer: str, label: str, *, stop_on_error: bool = True) -> Attempt:
        """Setup, then ``answer`` (when there is one), then the check; code that fails stops it, unless told not to."""
        setup = await self.set_up()
        if setup.kind != "ok":
            return Attempt(setup_failed=setup)
        if answer:
            ran = await self.run(answer, label)
            if ran.kind != "ok" and stop_on_error:
                return Attempt(answer_failed=ran)
        return Attempt(result=await self.check())


class Workspace:
    """The learner's namespace around the exercise they are on.

    It remembers the namespace as the exercise found it (what ``%reset`` puts
    back) and what the setup left, to tell the learner's own code apart.
    Their own code gets no timeout (Ctrl-C stops it); the lesson's setup and
    solution get the exercise's, so a lesson cannot hang the shell on ``%skip``.
    """

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        #: What the current lesson ``needs``, started.
        self.provided = Provided()
        self._before_setup: dict[str, object] = {}
        self._after_setup: dict[str, int] = {}  # name -> id(value)
        self._scratch: Path | None = None  # %edit's folder when the data home cannot be written

    def exercise(self, step: ExerciseStep) -> Exercise:
        return Exercise(self.evaluator, step, self.provided)

    async def begin(self, step: ExerciseStep) -> Outcome:
        """The learner arrives at the exercise: remember their namespace, then run the setup."""
        self._before_setup = dict(self.evaluator.namespace)
        return await self._set_up(step)

    async def restart(self, step: ExerciseStep) -> Outcome:
        """``%reset``: the namespace back as the exercise found it, then the setup again."""
        namespace = self.evaluator.namespace
        namespace.clear()
        namespace.update(self._before_setup)
        return await self._set_up(step)

    async def _set_up(self, step: ExerciseStep) -> Outcome:
        outcome = await self.exercise(step).set_up()
        self._after_setup = {name: id(value) for name, value in self.evaluator.namespace.items()}
        return outcome

    def learners_code(self) -> str:
        """The source of the functions and classes the learner defined since the setup, to keep with an attempt."""
        sources = []
        for name, value in self.evaluator.namespace.items():
            if self._after_setup.get(name) == id(value) or not (inspect.isfunction(value) or inspect.isclass(value)):
                continue
            try:
                sources.append(inspect.getsource(value))
            except (OSError, TypeError):
                continue
        return "\n".join(sources)

    def edit_file(self, lesson_id: str, step: ExerciseStep) -> Path:
        """The file ``%edit`` opens, under the data home so a second ``%edit`` goes on where the last left off.

        Where the data home cannot be written (a read-only disk), a folder of the
        session's own in the temporary directory serves, starting from what the
        data home kept.  Only the learner may read either: folders 0700, files 0600.
        """
        name = f"{lesson_id}-{step.key}.py"
        try:
            folder = paths.private_folder(paths.ensure_data_home() / "edits")
            return self._start(folder / name, step)
        except OSError:
            if self._scratch is None:
                self._scratch = Path(tempfile.mkdtemp(prefix="asyncshell-edits-"))  # made 0700
            return self._start(self._scratch / name, step, earlier=paths.data_home() / "edits" / name)

    def _start(self, path: Path, step: ExerciseStep, earlier: Path | None = None) -> Path:
        """``path``, private; new, it holds what ``earlier`` held, or the learner's code so far, or the starter."""
        new = not path.exists()
        paths.private_file(path)
        if new:
            text = ""
            with contextlib.suppress(OSError):
                text = earlier.read_text(encoding="utf-8", errors="replace") if earlier and earlier.is_file() else ""
            text = text or self.learners_code() or step.starter_source
            path.write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8")
        return path
