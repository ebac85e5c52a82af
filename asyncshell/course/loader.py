"""One lesson file -> a frozen ``Lesson``, or its first problem as a ``LessonError`` (file:line: field: why).

Which keys each mapping may and must have comes from the model's dataclasses
(``model.file_keys``); this module says how each value is read and checked.
The YAML toolkit is ``fields``; many files become a course in ``catalog``.
The format is described for authors in ``docs/lesson-format.md``.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from asyncshell.course import fields as f
from asyncshell.course.answers import normalize
from asyncshell.course.fields import Fields, Reader
from asyncshell.course.model import (
    FORMAT_VERSION,
    ID_PATTERN,
    KNOWN_NEEDS,
    STEP_TYPES,
    Choice,
    Code,
    Course,
    ExampleStep,
    ExerciseStep,
    Lesson,
    Location,
    PredictStep,
    QuizStep,
    Step,
    TextStep,
    compile_failure,
    file_keys,
)
from asyncshell.errors import LessonError
from asyncshell.insight.mistakes import MISTAKES

#: Larger lesson files are refused unread; real ones are a few kilobytes.
MAX_FILE_BYTES = 1_000_000
#: Longer exercise timeouts are refused: a check that may run for hours is a mistake, and the timer overflows.
MAX_TIMEOUT_S = 300
LESSON_SUFFIXES = (".yaml", ".yml")

# The keys each kind of mapping may have; anything else is reported as a likely typo.
_LESSON_KEYS = file_keys(Lesson, "format")
_STEP_KEYS = {cls.type: file_keys(cls, "type") for cls in STEP_TYPES}
_COURSE_KEYS = file_keys(Course)
#: The file in a lesson folder that makes it a course a teacher ships.
COURSE_FILE = "course.yaml"


def load_lesson(path: Path | str) -> Lesson:
    """Read, check and freeze one lesson file, or raise the first problem as a ``LessonError``."""
    return read_lesson(Path(path))[0]


def is_lesson_file(path: Path) -> bool:
    """A name ending in .yaml or .yml, not hidden, not the course file: the one rule for which files are lessons."""
    return path.suffix in LESSON_SUFFIXES and not path.name.startswith(".") and path.name != COURSE_FILE


def read_lesson(path: Path) -> tuple[Lesson, int, tuple[int, ...]]:
    """The lesson, the line of its id and the lines of its requires, for the catalog's messages."""
    root = f.compose(path, f.read_text(path, MAX_FILE_BYTES), MAX_FILE_BYTES)
    if root is None:
        raise LessonError(path, 1, "", "the file is empty; a lesson is a mapping of fields")
    if not isinstance(root, MappingNode):
        raise LessonError(path, f.line(root), "", f"a lesson must be a mapping of fields, got {f.kind(root)}")
    _check_format(path, root)
    top = Fields(path, root, "", "a lesson", _LESSON_KEYS)
    lesson_id = top.get("id", _id)
    requires, requires_lines = top.list("requires", _id, unique=True)
    if lesson_id in requires:
        i = requires.index(lesson_id)
        raise LessonError(path, requires_lines[i], f"requires[{i}]", "a lesson cannot require itself")
    needs, _ = top.list("needs", _need, unique=True)
    teaches, _ = top.list("teaches", _mistake, unique=True)
    lesson = Lesson(
        id=lesson_id,
        title=top.get("title", f.text),
        summary=top.get("summary", f.text),
        order=top.get("order", f.integer),
        requires=requires,
        needs=needs,
        teaches=teaches,
        setup=(setup := top.get("setup", _optional_code)),
        steps=tuple(dataclasses.replace(step, lesson_setup=setup) if isinstance(step, (ExampleStep, ExerciseStep))
                    else step for step in _read_steps(path, top)),
        path=path,
    )
    return lesson, top.lines["id"], requires_lines


def read_course(folder: Path, name: str = "") -> Course:
    """The course in ``folder``: its ``course.yaml`` if there is one, else the folder as it is.

    A file that cannot be read is a ``LessonError`` at its line, as a lesson's would be.
    """
    name = name or folder.name
    path = folder / COURSE_FILE
    if not path.is_file():
        return Course(name=name, folder=folder)
    root = f.compose(path, f.read_text(path, MAX_FILE_BYTES), MAX_FILE_BYTES)
    if root is None:
        return Course(name=name, folder=folder)
    if not isinstance(root, MappingNode):
        raise LessonError(path, f.line(root), "", f"a course file is a mapping of {', '.join(_COURSE_KEYS)}, "
                                                  f"got {f.kind(root)}")
    top = Fields(path, root, "", "a course", _COURSE_KEYS)
    return Course(name=name, folder=folder, title=top.get("title", f.text), description=top.get("description", f.text),
                  lessons=top.list("lessons", _id, unique=True)[0], builtin=top.get("builtin", f.boolean))


def _check_format(path: Path, root: MappingNode) -> None:
    """Check the version before anything else, so a newer file is not reported as full of typos."""
    for key, _, value in f.pairs(path, root, ""):
        if key == "format":
            version = f.integer(path, value, "format")
            if version != FORMAT_VERSION:
                hint = "; a newer asyncshell may read it" if version > FORMAT_VERSION else ""
                raise LessonError(path, f.line(value), "format",
                                  f"this asyncshell reads lesson format {FORMAT_VERSION}, not {version}{hint}")
            return
    raise LessonError(path, f.line(root), "format",
                      f"missing; put 'format: {FORMAT_VERSION}' at the top of the lesson")


def _read_steps(path: Path, top: Fields) -> tuple[Step, ...]:
    steps: list[Step] = []
    taken: dict[str, str] = {}  # step key -> the field of the step that has it
    counts = dict.fromkeys(_STEP_KEYS, 0)
    nodes, _ = top.list("steps", lambda path, node, field: node, at_least=1, noun="step")
    for i, node in enumerate(nodes):
        field = f"steps[{i}]"
        if not isinstance(node, MappingNode):
            raise LessonError(path, f.line(node), field,
                              f"a step must be a mapping with a 'type', got {f.kind(node)}")
        step_type = _step_type(path, node, field)
        fields = Fields(path, node, field, f.a(f"{step_type} step"), _STEP_KEYS[step_type])
        counts[step_type] += 1
        if "id" in fields.values or fields.keys["id"].required:
            key = fields.get("id", _id)
            if key in taken:
                raise fields.error("id", f"'{key}' is already the key of {taken[key]}")
        else:
            key = f"{step_type}-{counts[step_type]}"
            if key in taken:
                raise LessonError(path, f.line(node), field, f"its automatic key '{key}' is already the key of "
                                                             f"{taken[key]}; give one of them another 'id'")
        taken[key] = field
        steps.append(_STEP_READERS[step_type](fields, key, Location(path, f.line(node))))
    return tuple(steps)


def _step_type(path: Path, node: MappingNode, field: str) -> str:
    for key, _, value in f.pairs(path, node, field):
        if key == "type":
            step_type = f.string(path, value, f"{field}.type")
            if step_type not in _STEP_KEYS:
                raise LessonError(path, f.line(value), f"{field}.type",
                                  f"unknown step type '{step_type}'" + f.one_of(step_type, tuple(_STEP_KEYS)))
            return step_type
    raise LessonError(path, f.line(node), f"{field}.type",
                      "missing; say what kind of step this is: " + ", ".join(_STEP_KEYS))


def _text_step(fields: Fields, key: str, location: Location) -> TextStep:
    return TextStep(key=key, location=location, body=fields.get("body", f.text))


def _example_step(fields: Fields, key: str, location: Location) -> ExampleStep:
    return ExampleStep(key=key, location=location, code=fields.get("code", _code), body=fields.get("body", f.text))


def _quiz_step(fields: Fields, key: str, location: Location) -> QuizStep:
    question = fields.get("question", f.text)
    choices: tuple[Choice, ...] = ()
    answers: tuple[int, ...] = ()
    accepted: tuple[str, ...] = ()
    if "choices" in fields.values:
        if "accept" in fields.values:
            raise fields.error("accept", "only for typed answers; a quiz with 'choices' is answered by number")
        choices, answers = _choices(fields, several=True)
    else:
        if isinstance(fields.values.get("answer"), SequenceNode):
            raise fields.error("answer", "a typed answer is one string; list other answers that count "
                                         "under 'accept', or add 'choices'")
        accepted = (fields.get("answer", _typed),) + fields.list("accept", _typed)[0]
    return QuizStep(key=key, location=location, question=question, choices=choices, answers=answers,
                    accepted=accepted, explanation=fields.get("explanation", f.text))


def _predict_step(fields: Fields, key: str, location: Location) -> PredictStep:
    body = fields.get("body", f.text)
    code = fields.get("code", _code)
    choices: tuple[Choice, ...] = ()
    answers: tuple[int, ...] = ()
    output = ""
    if "choices" in fields.values:
        choices, answers = _choices(fields, several=False)
    elif isinstance(fields.required("answer"), SequenceNode):  # the lines it prints, one item each
        output = "\n".join(fields.list("answer", _typed, at_least=1, noun="line")[0])
    else:
        output = fields.get("answer", _typed)
    return PredictStep(key=key, location=location, body=body, code=code, choices=choices, answers=answers,
                       output=output, explanation=fields.get("explanation", f.text))


def _choices(fields: Fields, *, several: bool) -> tuple[tuple[Choice, ...], tuple[int, ...]]:
    """The choices, none the same as another, and the right ones' numbers (one only, unless ``several``)."""
    choices, lines = fields.list("choices", _choice, at_least=2, noun="choice")
    seen: dict[str, int] = {}
    for i, choice in enumerate(choices):
        j = seen.setdefault(normalize(choice.text), i)
        if j != i:
            raise LessonError(fields.path, lines[i], fields.sub(f"choices[{i}]"), f"the same as choices[{j}]")
    if not several and isinstance(fields.required("answer"), SequenceNode):
        raise fields.error("answer", "a predict step has one right output; give the number of its choice")
    return choices, _choice_answers(fields, len(choices))


_CHOICE_KEYS = file_keys(Choice)


def _choice(path: Path, node: Node, field: str) -> Choice:
    """A choice: its text, or a mapping with its ``text`` and an ``explanation`` for a learner who picks it."""
    if not isinstance(node, MappingNode):
        return Choice(text=f.text(path, node, field))
    choice = Fields(path, node, field, "a choice", _CHOICE_KEYS)
    return Choice(text=choice.get("text", f.text), explanation=choice.get("explanation", f.text))


def _choice_answers(fields: Fields, count: int) -> tuple[int, ...]:
    node = fields.required("answer")
    if isinstance(node, SequenceNode):
        answers, lines = fields.list("answer", f.integer, at_least=1, noun="choice number", unique=True)
    else:
        answers, lines = (f.integer(fields.path, node, fields.sub("answer")),), (f.line(node),)
    for i, answer in enumerate(answers):
        field = fields.sub(f"answer[{i}]" if isinstance(node, SequenceNode) else "answer")
        if not 1 <= answer <= count:
            raise LessonError(fields.path, lines[i], field,
                              f"{answer} is not a choice number; choices are numbered 1 to {count}")
    return answers


def _exercise_step(fields: Fields, key: str, location: Location) -> ExerciseStep:
    body = fields.get("body", f.text)
    setup = fields.get("setup", _optional_code)
    starter = fields.get("starter", _optional_code)
    hints, _ = fields.list("hints", f.text, at_least=2, noun="hint", who="an exercise")
    timeout = fields.get("timeout", f.number)
    if not (math.isfinite(timeout) and timeout > 0):
        raise fields.error("timeout", f"must be a number of seconds above 0, got {timeout:g}")
    if timeout > MAX_TIMEOUT_S:
        raise fields.error("timeout", f"must be at most {MAX_TIMEOUT_S} seconds, got {timeout:g}")
    return ExerciseStep(key=key, location=location, id=key, body=body, setup=setup, starter=starter,
                        starter_fails_with=fields.get("starter_fails_with", f.text), hints=hints,
                        check=fields.get("check", _code), solution=fields.get("solution", _code), timeout=timeout)


_STEP_READERS: dict[str, Callable[[Fields, str, Location], Step]] = {
    TextStep.type: _text_step, ExampleStep.type: _example_step, QuizStep.type: _quiz_step,
    PredictStep.type: _predict_step, ExerciseStep.type: _exercise_step,
}


# -- readers of lesson values ----------------------------------------------------------------


def _typed(path: Path, node: Node, field: str) -> str:
    """A typed quiz answer: a string, though a bare ``42`` or ``0.5`` counts as written."""
    if f.is_scalar(node, "int") or f.is_scalar(node, "float"):
        return str(node.value)
    return f.text(path, node, field)


def _id(path: Path, node: Node, field: str) -> str:
    value = f.string(path, node, field)
    if not ID_PATTERN.fullmatch(value):
        raise LessonError(path, f.line(node), field, f"'{value}' is not a valid id; use lowercase letters, "
                                                     "digits and '-', starting with a letter or digit")
    return value


def _word(what: str, words: Sequence[str]) -> Reader[str]:
    """A reader of one of ``words``; another is "unknown {what} 'x'" with the closest one."""

    def read(path: Path, node: Node, field: str) -> str:
        value = f.string(path, node, field)
        if value not in words:
            raise LessonError(path, f.line(node), field, f"unknown {what} '{value}'" + f.one_of(value, words))
        return value

    return read


_need = _word("need", KNOWN_NEEDS)
_mistake = _word("kind of mistake", tuple(MISTAKES))


def _code(path: Path, node: Node, field: str) -> Code:
    """Source that must compile cleanly (top-level ``await`` allowed), with the file line of its first line."""
    source = f.string(path, node, field).rstrip()
    if not source.strip():
        raise LessonError(path, f.line(node), field, "is empty")
    # A block scalar's text starts on the line after its '|' or '>'.
    first = f.line(node) + (1 if isinstance(node, ScalarNode) and node.style in ("|", ">") else 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile(source, str(path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except SyntaxError as error:
            raise LessonError(path, first + (error.lineno or 1) - 1, field,
                              f"does not compile: {error.msg}") from None
        except (ValueError, RecursionError, MemoryError) as error:
            raise LessonError(path, first, field, f"does not compile: {compile_failure(error)}") from None
    for warning in caught:
        # e.g. "assert (x, 'why')" is always true, so a check holding it would pass any answer.
        if warning.filename == str(path) and issubclass(warning.category, (SyntaxWarning, DeprecationWarning)):
            raise LessonError(path, first + warning.lineno - 1, field, f"compiler warning: {warning.message}")
    return Code(source=source, line=first)


#: ``setup`` and ``starter`` are code too; when a file leaves one out the model's default (None) stands.
_optional_code: Reader[Code | None] = _code
