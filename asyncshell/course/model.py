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

from asyncshell.course.answers import matches, same_output
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
    #: The lesson's ``setup``, run before the example (the loader copies it here).
    lesson_setup: Code | None = field(default=None, metadata=NOT_IN_FILE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """One choice of a quiz or a predict step; ``explanation`` is told to a learner who picks it, right or wrong.

    A file writes a choice as a string, or as a mapping with ``text`` and ``explanation``.
    """

    text: str
    explanation: str = ""


class QuestionStep:
    """What quizzes and predict steps share: choices to pick, or else a typed answer, and why the answer is right.

    With ``choices``, ``answers`` holds the right choice numbers (1-based, as
    learners see them); without, the step says what a typed reply must be.
    Each step declares the fields itself, so a file lists its keys in the
    order they read best.
    """

    __slots__ = ()
    key: str
    choices: tuple[Choice, ...]
    answers: tuple[int, ...]
    explanation: str

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.choices)

    def picked(self, reply: str) -> tuple[int, ...] | None:
        """The choice numbers in a reply, separated by commas or spaces ("2", "1, 3"); None when it is not numbers."""
        parts = reply.replace(",", " ").split()
        if not parts or not all(part.isdecimal() for part in parts):
            return None
        return tuple(dict.fromkeys(int(part) for part in parts))

    def accepts(self, reply: str) -> bool:
        """Whether a learner's reply is right: every right choice number and no other, in any order; or the typed answer."""
        if not self.choices:
            return self._typed_right(reply)
        picked = self.picked(reply)
        return picked is not None and set(picked) == set(self.answers)

    def _typed_right(self, reply: str) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class QuizStep(BaseStep, QuestionStep):
    """A question answered either by picking choices or by typing a short answer.

    Without choices, ``accepted`` holds the typed answers that count, the
    author's preferred one (the file's ``answer``) first.
    """

    type: ClassVar[str] = "quiz"
    question: str
    choices: tuple[Choice, ...] = ()
    #: The file's ``answer`` holds the choice numbers, or (without choices) the first of ``accepted``.
    answers: tuple[int, ...] = field(metadata=file_key("answer"))
    accepted: tuple[str, ...] = field(default=(), metadata=file_key("accept"))
    explanation: str

    def _typed_right(self, reply: str) -> bool:
        """Compared as ``answers.matches`` says: loosely, and numbers as numbers."""
        return matches(reply, self.accepted)


@dataclass(frozen=True, slots=True, kw_only=True)
class PredictStep(BaseStep, QuestionStep):
    """Code the learner reads, then says what it prints and in what order, before it runs.

    The prediction is a choice of outputs, or (without choices) typed lines,
    compared with ``output`` word by word (``answers.same_output``).
    """

    type: ClassVar[str] = "predict"
    body: str = ""
    code: Code
    choices: tuple[Choice, ...] = ()
    #: The file's ``answer`` holds the right choice's number, or (without choices) ``output``.
    answers: tuple[int, ...] = field(metadata=file_key("answer"))
    #: Without choices, what the code prints: the file's ``answer``.
    output: str = field(default="", metadata=NOT_IN_FILE)
    explanation: str

    def _typed_right(self, reply: str) -> bool:
        return same_output(reply, self.output)

    @property
    def right_output(self) -> str:
        """What the code should print: the right choice's text, or the typed answer."""
        return self.choices[self.answers[0] - 1].text if self.choices else self.output


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseStep(BaseStep):
    """A task the learner solves at the prompt; ``check`` decides whether they did.

    ``setup`` runs in the learner's namespace before the task, ``starter`` is
    put in their prompt buffer, and ``check`` runs on the live loop with
    ``timeout`` seconds to finish.  ``starter_fails_with`` is part of what the
    check says when the starter is run (``validate`` proves it fails for that reason).
    """

    type: ClassVar[str] = "exercise"
    id: str
    body: str
    setup: Code | None = None
    starter: Code | None = None
    starter_fails_with: str = ""
    hints: tuple[str, ...]
    check: Code
    solution: Code
    timeout: float = DEFAULT_TIMEOUT
    #: The lesson's ``setup``, run before the exercise's own (the loader copies it here).
    lesson_setup: Code | None = field(default=None, metadata=NOT_IN_FILE)

    @property
    def starter_source(self) -> str:
        """What goes into the prompt: the starter, or nothing."""
        return self.starter.source if self.starter else ""


Step = Union[TextStep, ExampleStep, QuizStep, PredictStep, ExerciseStep]
STEP_TYPES: tuple[type[Step], ...] = (TextStep, ExampleStep, QuizStep, PredictStep, ExerciseStep)


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
    #: Code every exercise and example of the lesson gets first, e.g. a ``slow()`` they all use.
    setup: Code | None = None
    steps: tuple[Step, ...]
    path: Path = field(metadata=NOT_IN_FILE)

    @property
    def exercises(self) -> tuple[ExerciseStep, ...]:
        return tuple(step for step in self.steps if isinstance(step, ExerciseStep))


@dataclass(frozen=True, slots=True, kw_only=True)
class Course:
    """A folder of lessons as a teacher ships it; its ``course.yaml`` (every key optional) says the rest.

    ``lessons`` lists the folder's lesson ids in course order (empty: all of
    them, by ``order``); ``builtin: false`` hides asyncshell's own lessons
    while the course is in use.
    """

    name: str = field(metadata=NOT_IN_FILE)
    folder: Path = field(metadata=NOT_IN_FILE)
    title: str = ""
    description: str = ""
    lessons: tuple[str, ...] = ()
    builtin: bool = True


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What ``load_lessons`` found: lessons in course order, and one error per file that failed.

    ``courses`` are those in use, each with the ids of its lessons shown, in order.
    """

    lessons: tuple[Lesson, ...]
    errors: tuple[LessonError, ...]
    courses: tuple[Course, ...] = ()

    def get(self, lesson_id: str) -> Lesson | None:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        return None
