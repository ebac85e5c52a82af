"""The lesson model: frozen data that the loader builds and everything else only reads.

Nothing here does I/O or knows YAML.  Collections are tuples, so a loaded lesson
cannot change under the shell, the checks or the progress store.  The format
itself is described for authors in ``docs/lesson-format.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Union

from asyncshell.errors import LessonError

#: The lesson-file format this asyncshell reads; files say which one they use.
FORMAT_VERSION = 1
#: What a lesson may ask the shell to provide before it starts.
KNOWN_NEEDS = ("practice_server",)
#: Seconds an exercise check may run when the lesson does not say.
DEFAULT_TIMEOUT = 10.0
#: Lesson ids, exercise ids and explicit step ids all look like this.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


def normalize_answer(text: str) -> str:
    """The form typed quiz answers are compared in: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: a lesson file and a 1-based line in it."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


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
    key: str
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class TextStep(BaseStep):
    """Prose for the learner, in the Markdown subset ``render.render_text`` draws."""

    type: ClassVar[str] = "text"
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExampleStep(BaseStep):
    """Code to read, which the learner may run into their own namespace."""

    type: ClassVar[str] = "example"
    code: Code
    body: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class QuizStep(BaseStep):
    """A question answered either by picking choices or by typing a short answer.

    With ``choices``, ``answers`` holds the right choice numbers (1-based, as
    learners see them) and ``accepted`` is empty.  Without, ``accepted`` holds
    the typed answers that count, the author's preferred one first.
    """

    type: ClassVar[str] = "quiz"
    question: str
    choices: tuple[str, ...]
    answers: tuple[int, ...]
    accepted: tuple[str, ...]
    explanation: str

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.choices)

    def accepts(self, reply: str) -> bool:
        """Whether a learner's reply is right.

        For choices the reply is the choice numbers, separated by commas or
        spaces, in any order ("2", "1, 3"); every right number and no other
        must be there.  A typed reply is compared case- and whitespace-insensitively.
        """
        if not self.choices:
            wanted = normalize_answer(reply)
            return any(normalize_answer(answer) == wanted for answer in self.accepted)
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
    hints: tuple[str, ...]
    check: Code
    solution: Code
    setup: Code | None = None
    starter: str = ""
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
    steps: tuple[Step, ...]
    path: Path
    requires: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    @property
    def exercises(self) -> tuple[ExerciseStep, ...]:
        return tuple(step for step in self.steps if isinstance(step, ExerciseStep))

    def step(self, key: str) -> Step:
        """The step with this progress key; ``KeyError`` if the lesson has none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


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
