"""The lesson model: frozen data that the loader builds and everything else only reads.

Nothing here does I/O or knows YAML.  Collections are tuples, so a loaded lesson
cannot change under the shell, the checks or the progress store.

The dataclasses are also the file's schema, as a rustlings info file is: each
field that a lesson file writes is a key of it (``file_keys``), required when
the field has no default, and the field's metadata says when the key is
spelt otherwise or the field is not written at all.  The format itself is
described for authors in ``docs/lesson-format.md``.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Union

from asyncshell.course.answers import matches
from asyncshell.errors import LessonError

#: The lesson-file format this asyncshell reads; files say which one they use.
FORMAT_VERSION = 1
#: What a lesson may ask the shell to provide before it starts.
KNOWN_NEEDS = ("practice_server",)
#: Seconds an exercise check may run when the lesson does not say.
DEFAULT_TIMEOUT = 10.0
#: Lesson ids, exercise ids and explicit step ids all look like this.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


#: Field metadata for what the loader works out rather than reads (a step's key, where it is).
NOT_IN_FILE: dict[str, Any] = {"file_key": None}


def file_key(name: str, *, optional: bool = False) -> dict[str, Any]:
    """Field metadata: the file writes this field under ``name``; ``optional`` even without a default."""
    return {"file_key": name, "optional": optional}


@dataclass(frozen=True, slots=True)
class FileKey:
    """One key a lesson file may write: whether it must, and the model's value when it does not."""

    name: str
    required: bool
    default: object = None


def file_keys(cls: type, *first: str) -> dict[str, FileKey]:
    """The keys a file may write for ``cls``, in field order after ``first`` (keys the loader reads itself).

    A key two fields share (a step's ``id``) is required when either requires it.
    """
    keys = {name: FileKey(name, required=True) for name in first}
    for spec in fields(cls):
        name = spec.metadata.get("file_key", spec.name)
        if name is None:
            continue
        has_default = spec.default is not MISSING or spec.default_factory is not MISSING
        required = not has_default and not spec.metadata.get("optional", False)
        default = spec.default if spec.default is not MISSING else None
        if name in keys:
            required = required or keys[name].required
        keys[name] = FileKey(name, required, default)
    return keys


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: a lesson file and a 1-based line in it."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def compile_failure(error: BaseException) -> str:
    """Why lesson code does not compile, in words: a MemoryError or RecursionError from the compiler says nothing itself."""
    if isinstance(error, SyntaxError):
        return error.msg
    if isinstance(error, (MemoryError, RecursionError)):
        return f"nested too deeply for Python's compiler ({type(error).__name__})"
    return str(error) or type(error).__name__


@dataclass(frozen=True, slots=True)
class Code:
    """Python source from a lesson file.

    ``line`` is the file line that holds the source's first line, so a runner
    can report ``path:line`` for a failing assert (source line n is at file
    line ``line + n - 1``).  The loader has already compiled it once, with
    top-level ``await`` allowed.
    """

    source: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseStep:
    """What every step has: ``key`` names it for progress, ``location`` is where it starts in its file."""

    type: ClassVar[str]
    #: Written as the step's ``id``; without one the loader numbers the step (``quiz-2``).
    key: str = field(metadata=file_key("id", optional=True))
    location: Location = field(metadata=NOT_IN_FILE)


@dataclass(frozen=True, slots=True, kw_only=True)
class TextStep(BaseStep):
    """Prose for the learner, in the Markdown subset ``render.render_markdown`` draws."""

    type: ClassVar[str] = "text"
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExampleStep(BaseStep):
    """Code to read, which the learner may run into their own namespace."""

    type: ClassVar[str] = "example"
    body: str = ""
    code: Code


@dataclass(frozen=True, slots=True, kw_only=True)
class QuizStep(BaseStep):
    """A question answered either by picking choices or by typing a short answer.

    With ``choices``, ``answers`` holds the right choice numbers (1-based, as
    learners see them) and ``accepted`` is empty.  Without, ``accepted`` holds
    the typed answers that count, the author's preferred one first.
    """

    type: ClassVar[str] = "quiz"
    question: str
    choices: tuple[str, ...] = ()
    #: The file's ``answer`` holds the choice numbers, or (without choices) the first of ``accepted``.
    answers: tuple[int, ...] = field(metadata=file_key("answer"))
    accepted: tuple[str, ...] = field(default=(), metadata=file_key("accept"))
    explanation: str

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.choices)

    def accepts(self, reply: str) -> bool:
        """Whether a learner's reply is right.

        For choices the reply is the choice numbers, separated by commas or
        spaces, in any order ("2", "1, 3"); every right number and no other
        must be there.  A typed reply is compared as ``answers.matches`` says:
        loosely, and numbers as numbers.
        """
        if not self.choices:
            return matches(reply, self.accepted)
        picked = reply.replace(",", " ").split()
        if not all(part.isdecimal() for part in picked):
            return False
        return {int(part) for part in picked} == set(self.answers)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseStep(BaseStep):
    """A task the learner solves at the prompt; ``check`` decides whether they did.

    ``setup`` runs in the learner's namespace before the task, ``starter`` is
    put in their prompt buffer ("" when there is none), and ``check`` runs on
    the live loop with ``timeout`` seconds to finish.
    """

    type: ClassVar[str] = "exercise"
    id: str
    body: str
    setup: Code | None = None
    starter: str = ""
    hints: tuple[str, ...]
    check: Code
    solution: Code
    timeout: float = DEFAULT_TIMEOUT


Step = Union[TextStep, ExampleStep, QuizStep, ExerciseStep]
STEP_TYPES: tuple[type[Step], ...] = (TextStep, ExampleStep, QuizStep, ExerciseStep)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lesson:
    """One lesson file, checked and frozen."""

    id: str
    title: str
    summary: str
    order: int
    requires: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    #: Kinds of mistake (keys of ``insight.mistakes.MISTAKES``) the lesson explains; explanations link to it.
    teaches: tuple[str, ...] = ()
    steps: tuple[Step, ...]
    path: Path = field(metadata=NOT_IN_FILE)

    @property
    def exercises(self) -> tuple[ExerciseStep, ...]:
        return tuple(step for step in self.steps if isinstance(step, ExerciseStep))


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What ``load_lessons`` found: lessons in course order, and one error per file that failed."""

    lessons: tuple[Lesson, ...]
    errors: tuple[LessonError, ...]

    def get(self, lesson_id: str) -> Lesson | None:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        return None
