"""Lesson files -> the frozen model; every problem is one ``LessonError``: ``file:line: field: why``.

The YAML is only ever *composed* with PyYAML's safe loader, never constructed:
we walk the node tree ourselves, so every value keeps its line for messages,
no tag can build an object, and anchors can neither loop nor blow up.  The
format is described for authors in ``docs/lesson-format.md``.
"""

from __future__ import annotations

import ast
import difflib
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from asyncshell.course.model import (
    DEFAULT_TIMEOUT,
    FORMAT_VERSION,
    ID_PATTERN,
    KNOWN_NEEDS,
    Code,
    ExampleStep,
    ExerciseStep,
    Lesson,
    LoadResult,
    Location,
    QuizStep,
    Step,
    TextStep,
    normalize_answer,
)
from asyncshell.errors import LessonError

#: Larger lesson files are refused unread; real ones are a few kilobytes.
MAX_FILE_BYTES = 1_000_000
LESSON_SUFFIXES = (".yaml", ".yml")

_T = TypeVar("_T")

_TAG = "tag:yaml.org,2002:"
_KINDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true/false",
          "null": "an empty value", "timestamp": "a date",
          "merge": "a merge key '<<' (lessons do not support them)"}
_CONTROL = {c for c in range(0x20) if c not in (0x09, 0x0A)} | set(range(0x7F, 0xA0))

# The keys each kind of mapping may have; anything else is reported as a likely typo.
_LESSON_KEYS = ("format", "id", "title", "summary", "order", "requires", "needs", "steps")
_STEP_KEYS = {
    "text": ("type", "id", "body"),
    "example": ("type", "id", "body", "code"),
    "quiz": ("type", "id", "question", "choices", "answer", "accept", "explanation"),
    "exercise": ("type", "id", "body", "setup", "starter", "hints", "check", "solution", "timeout"),
}


def load_lesson(path: Path | str) -> Lesson:
    """Read, check and freeze one lesson file, or raise the first problem as a ``LessonError``."""
    return _read_lesson(Path(path))[0]


def load_lessons(dirs: Iterable[Path | str]) -> LoadResult:
    """Load every ``*.yaml``/``*.yml`` directly in each folder; folders that do not exist are skipped.

    A file that fails becomes an error and the rest still load.  Across files,
    lesson ids must be unique (the first file in folder order keeps it), and
    every ``requires`` must name a lesson that loaded, without cycles; a lesson
    whose requirement failed fails too, so what loads is always complete.
    """
    read: list[tuple[Lesson, int, tuple[int, ...]]] = []
    errors: list[LessonError] = []
    for file in lesson_files(dirs):
        try:
            read.append(_read_lesson(file))
        except LessonError as error:
            errors.append(error)
    lessons, link_errors = _link(read)
    errors.extend(link_errors)
    return LoadResult(
        lessons=tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))),
        errors=tuple(sorted(errors, key=str)),
    )


def is_lesson_file(path: Path) -> bool:
    """A name ending in .yaml or .yml, not hidden: the one rule for which files are lessons."""
    return path.suffix in LESSON_SUFFIXES and not path.name.startswith(".")


def lesson_files(dirs: Iterable[Path | str]) -> list[Path]:
    """The lesson files in ``dirs``, each folder's in name order; a folder named twice counts once."""
    files: list[Path] = []
    seen: set[Path] = set()
    for folder in map(Path, dirs):
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        # Dot-files are editor backups and lock files, not lessons.
        files.extend(sorted(
            p for p in folder.iterdir()
            if is_lesson_file(p) and p.is_file()
        ))
    return files


def _link(read: list[tuple[Lesson, int, tuple[int, ...]]]) -> tuple[list[Lesson], list[LessonError]]:
    """Drop duplicate ids, unknown requirements and cycles, then whatever requires a dropped lesson."""
    errors: list[LessonError] = []
    by_id: dict[str, tuple[Lesson, tuple[int, ...]]] = {}
    for lesson, id_line, requires_lines in read:
        if lesson.id in by_id:
            first = by_id[lesson.id][0].path
            errors.append(_error(lesson.path, id_line, "id",
                                 f"lesson id '{lesson.id}' is already used by {first}"))
        else:
            by_id[lesson.id] = (lesson, requires_lines)

    failed: dict[str, LessonError] = {}
    for lesson_id, cycle in _cycles({i: lesson.requires for i, (lesson, _) in by_id.items()}).items():
        lesson, lines = by_id[lesson_id]
        i = lesson.requires.index(cycle[1])
        failed[lesson_id] = _error(lesson.path, lines[i], f"requires[{i}]",
                                   "lessons require each other in a cycle: " + " -> ".join(cycle))
    changed = True
    while changed:  # until no lesson is left requiring one that is missing or failed
        changed = False
        for lesson_id, (lesson, lines) in by_id.items():
            for i, required in enumerate(lesson.requires if lesson_id not in failed else ()):
                if required not in by_id:
                    why = f"no loaded lesson has id '{required}'" + _did_you_mean(required, by_id)
                elif required in failed:
                    why = f"the lesson it requires, '{required}', did not load"
                else:
                    continue
                failed[lesson_id] = _error(lesson.path, lines[i], f"requires[{i}]", why)
                changed = True
                break
    errors.extend(failed.values())
    return [lesson for lesson_id, (lesson, _) in by_id.items() if lesson_id not in failed], errors


def _cycles(graph: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each lesson on a requires cycle, mapped to that cycle written from itself back to itself."""
    found: dict[str, tuple[str, ...]] = {}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            loop = path[path.index(node):]
            for i, member in enumerate(loop):
                found.setdefault(member, tuple(loop[i:] + loop[:i] + [member]))
            return
        if node in done or node not in graph:
            return
        path.append(node)
        for required in graph[node]:
            visit(required, path)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def _error(path: Path, line: int | None, field: str, why: str) -> LessonError:
    where = f"{path}:{line}" if line else str(path)
    return LessonError(f"{where}: {field}: {why}" if field else f"{where}: {why}")


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _one_of(word: str, options: Sequence[str]) -> str:
    return _did_you_mean(word, options) or "; expected one of: " + ", ".join(options)


# -- one file -------------------------------------------------------------------------------


def _read_lesson(path: Path) -> tuple[Lesson, int, tuple[int, ...]]:
    """The lesson, the line of its id and the lines of its requires, for ``_link``'s messages."""
    root = _compose(path, _read_text(path))
    if root is None:
        raise _error(path, 1, "", "the file is empty; a lesson is a mapping of fields")
    if not isinstance(root, MappingNode):
        raise _error(path, _line(root), "", f"a lesson must be a mapping of fields, got {_kind(root)}")
    _check_format(path, root)
    top = _Fields(path, root, "", "a lesson", _LESSON_KEYS)
    lesson_id = top.id("id")
    requires, requires_lines = top.list("requires", _id, required=False, unique=True)
    if lesson_id in requires:
        i = requires.index(lesson_id)
        raise _error(path, requires_lines[i], f"requires[{i}]", "a lesson cannot require itself")
    needs, _ = top.list("needs", _need, required=False, unique=True)
    lesson = Lesson(
        id=lesson_id,
        title=top.text("title"),
        summary=top.text("summary"),
        order=top.integer("order"),
        requires=requires,
        needs=needs,
        steps=_read_steps(path, top),
        path=path,
    )
    return lesson, top.lines["id"], requires_lines


def _read_text(path: Path) -> str:
    if path.exists() and not path.is_file():
        raise _error(path, None, "", "not a regular file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _error(path, None, "", f"cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _error(path, None, "", f"larger than {MAX_FILE_BYTES:,} bytes; a lesson file must be smaller")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _error(path, line, "", f"not UTF-8 text (byte 0x{data[error.start]:02x}); "
                                     "save the file as UTF-8") from None


def _compose(path: Path, text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or str(error).splitlines()[0]
        if error.context and not error.context.startswith("while "):
            problem = f"{error.context}, {problem}"
        raise _error(path, mark.line + 1 if mark else None, "", f"not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise _error(path, line, "", f"not valid YAML: character U+{error.character:04X} is not allowed") from None
    except yaml.YAMLError as error:
        raise _error(path, None, "", f"not valid YAML: {str(error).splitlines()[0]}") from None
    except RecursionError:
        raise _error(path, None, "", "not valid YAML: nested too deeply") from None


def _check_format(path: Path, root: MappingNode) -> None:
    """Check the version before anything else, so a newer file is not reported as full of typos."""
    for key, _, value in _pairs(path, root, ""):
        if key == "format":
            version = _integer(path, value, "format")
            if version != FORMAT_VERSION:
                hint = "; a newer asyncshell may read it" if version > FORMAT_VERSION else ""
                raise _error(path, _line(value), "format",
                             f"this asyncshell reads lesson format {FORMAT_VERSION}, not {version}{hint}")
            return
    raise _error(path, _line(root), "format", f"missing; put 'format: {FORMAT_VERSION}' at the top of the lesson")


def _read_steps(path: Path, top: _Fields) -> tuple[Step, ...]:
    steps: list[Step] = []
    taken: dict[str, str] = {}  # step key -> the field of the step that has it
    counts = dict.fromkeys(_STEP_KEYS, 0)
    nodes, _ = top.list("steps", lambda path, node, field: node, at_least=1, noun="step")
    for i, node in enumerate(nodes):
        field = f"steps[{i}]"
        if not isinstance(node, MappingNode):
            raise _error(path, _line(node), field, f"a step must be a mapping with a 'type', got {_kind(node)}")
        step_type = _step_type(path, node, field)
        fields = _Fields(path, node, field, _a(f"{step_type} step"), _STEP_KEYS[step_type])
        counts[step_type] += 1
        if step_type == "exercise" or "id" in fields.values:
            key = fields.id("id")
            if key in taken:
                raise fields.error("id", f"'{key}' is already the key of {taken[key]}")
        else:
            key = f"{step_type}-{counts[step_type]}"
            if key in taken:
                raise _error(path, _line(node), field, f"its automatic key '{key}' is already the key of "
                                                       f"{taken[key]}; give one of them another 'id'")
        taken[key] = field
        steps.append(_STEP_READERS[step_type](fields, key, Location(path, _line(node))))
    return tuple(steps)


def _step_type(path: Path, node: MappingNode, field: str) -> str:
    for key, _, value in _pairs(path, node, field):
        if key == "type":
            step_type = _string(path, value, f"{field}.type")
            if step_type not in _STEP_KEYS:
                raise _error(path, _line(value), f"{field}.type",
                             f"unknown step type '{step_type}'" + _one_of(step_type, tuple(_STEP_KEYS)))
            return step_type
    raise _error(path, _line(node), f"{field}.type",
                 "missing; say what kind of step this is: " + ", ".join(_STEP_KEYS))


def _text_step(fields: _Fields, key: str, location: Location) -> TextStep:
    return TextStep(key=key, location=location, body=fields.text("body"))


def _example_step(fields: _Fields, key: str, location: Location) -> ExampleStep:
    return ExampleStep(key=key, location=location, code=fields.code("code"),
                       body=fields.text("body", required=False))


def _quiz_step(fields: _Fields, key: str, location: Location) -> QuizStep:
    question = fields.text("question")
    choices: tuple[str, ...] = ()
    answers: tuple[int, ...] = ()
    accepted: tuple[str, ...] = ()
    if "choices" in fields.values:
        choices, lines = fields.list("choices", _text, at_least=2, noun="choice")
        seen: dict[str, int] = {}
        for i, choice in enumerate(choices):
            j = seen.setdefault(normalize_answer(choice), i)
            if j != i:
                raise _error(fields.path, lines[i], fields.sub(f"choices[{i}]"), f"the same as choices[{j}]")
        if "accept" in fields.values:
            raise fields.error("accept", "only for typed answers; a quiz with 'choices' is answered by number")
        answers = _choice_answers(fields, len(choices))
    else:
        answer = fields.values.get("answer")
        if isinstance(answer, SequenceNode):
            raise fields.error("answer", "a typed answer is one string; list other answers that count "
                                         "under 'accept', or add 'choices'")
        accepted = (fields.read("answer", _typed),)
        if "accept" in fields.values:
            accepted += fields.list("accept", _typed)[0]
    return QuizStep(key=key, location=location, question=question, choices=choices, answers=answers,
                    accepted=accepted, explanation=fields.text("explanation"))


def _choice_answers(fields: _Fields, count: int) -> tuple[int, ...]:
    node = fields.required("answer")
    if isinstance(node, SequenceNode):
        answers, lines = fields.list("answer", _integer, at_least=1, noun="choice number", unique=True)
    else:
        answers, lines = (_integer(fields.path, node, fields.sub("answer")),), (_line(node),)
    for i, answer in enumerate(answers):
        field = fields.sub(f"answer[{i}]" if isinstance(node, SequenceNode) else "answer")
        if not 1 <= answer <= count:
            raise _error(fields.path, lines[i], field,
                         f"{answer} is not a choice number; choices are numbered 1 to {count}")
    return answers


def _exercise_step(fields: _Fields, key: str, location: Location) -> ExerciseStep:
    body = fields.text("body")
    setup = fields.code("setup", required=False)
    starter = fields.code("starter", required=False)
    hints, _ = fields.list("hints", _text, at_least=2, noun="hint", who="an exercise")
    timeout = fields.number("timeout", default=DEFAULT_TIMEOUT)
    if not (math.isfinite(timeout) and timeout > 0):
        raise fields.error("timeout", f"must be a number of seconds above 0, got {timeout:g}")
    return ExerciseStep(key=key, location=location, id=key, body=body, setup=setup,
                        starter=starter.source if starter else "", hints=hints,
                        check=fields.code("check"), solution=fields.code("solution"), timeout=timeout)


_STEP_READERS: dict[str, Callable[[_Fields, str, Location], Step]] = {
    "text": _text_step, "example": _example_step, "quiz": _quiz_step, "exercise": _exercise_step,
}


# -- YAML nodes -> checked values ------------------------------------------------------------


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag.startswith(_TAG) and node.tag[len(_TAG):] in _KINDS:
        return _KINDS[node.tag[len(_TAG):]]
    return f"a value tagged {node.tag}"


def _wrong(path: Path, node: Node, field: str, expected: str) -> LessonError:
    return _error(path, _line(node), field, f"expected {expected}, got {_kind(node)}")


def _is(node: Node, tag: str) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + tag


def _pairs(path: Path, node: MappingNode, field: str) -> Iterator[tuple[str, int, Node]]:
    """A mapping's keys (checked to be names), the line of each key, and its value."""
    for key, value in node.value:
        if not _is(key, "str"):
            raise _error(path, _line(key), field, f"keys must be names, got {_kind(key)}")
        yield key.value, _line(key), value


# Readers of one node: (path, node, field) -> value, so lists can apply them to each item.

def _string(path: Path, node: Node, field: str) -> str:
    if not _is(node, "str"):
        raise _wrong(path, node, field, "a string")
    for offset, char in enumerate(node.value):
        if ord(char) in _CONTROL:
            line = _line(node) + node.value.count("\n", 0, offset)
            raise _error(path, line, field, f"contains the control character U+{ord(char):04X}; "
                                            "lesson text must be printable")
    return node.value


def _text(path: Path, node: Node, field: str) -> str:
    text = _string(path, node, field).strip()
    if not text:
        raise _error(path, _line(node), field, "is empty")
    return text


def _typed(path: Path, node: Node, field: str) -> str:
    """A typed quiz answer: a string, though a bare ``42`` or ``0.5`` counts as written."""
    if _is(node, "int") or _is(node, "float"):
        return node.value
    return _text(path, node, field)


def _id(path: Path, node: Node, field: str) -> str:
    value = _string(path, node, field)
    if not ID_PATTERN.fullmatch(value):
        raise _error(path, _line(node), field, f"'{value}' is not a valid id; use lowercase letters, "
                                               "digits and '-', starting with a letter or digit")
    return value


def _need(path: Path, node: Node, field: str) -> str:
    value = _string(path, node, field)
    if value not in KNOWN_NEEDS:
        raise _error(path, _line(node), field, f"unknown need '{value}'" + _one_of(value, KNOWN_NEEDS))
    return value


def _integer(path: Path, node: Node, field: str) -> int:
    return _numeric(path, node, field, ("int",), "integer")


def _number(path: Path, node: Node, field: str) -> float:
    return float(_numeric(path, node, field, ("int", "float"), "number"))


def _numeric(path: Path, node: Node, field: str, tags: tuple[str, ...], what: str) -> int | float:
    """A YAML number by PyYAML's own rules (``0x10``, ``1_000``, ``.inf``), built only from those tags."""
    if not any(_is(node, tag) for tag in tags):
        raise _wrong(path, node, field, _a(what))
    try:
        return SafeConstructor().construct_object(node)
    except ValueError:
        raise _error(path, _line(node), field, f"'{node.value}' is not a valid {what}") from None


def _code(path: Path, node: Node, field: str) -> Code:
    """Source that must compile cleanly (top-level ``await`` allowed), with the file line of its first line."""
    source = _string(path, node, field).rstrip()
    if not source.strip():
        raise _error(path, _line(node), field, "is empty")
    # A block scalar's text starts on the line after its '|' or '>'.
    first = _line(node) + (1 if node.style in ("|", ">") else 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile(source, str(path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except SyntaxError as error:
            raise _error(path, first + (error.lineno or 1) - 1, field, f"does not compile: {error.msg}") from None
        except (ValueError, RecursionError, MemoryError) as error:
            raise _error(path, first, field, f"does not compile: {error}") from None
    for warning in caught:
        # e.g. "assert (x, 'why')" is always true, so a check holding it would pass any answer.
        if warning.filename == str(path) and issubclass(warning.category, (SyntaxWarning, DeprecationWarning)):
            raise _error(path, first + warning.lineno - 1, field, f"compiler warning: {warning.message}")
    return Code(source=source, line=first)


class _Fields:
    """One YAML mapping, checked against the keys it may have, with getters that explain failures."""

    def __init__(self, path: Path, node: MappingNode, field: str, what: str, allowed: Sequence[str]):
        self.path, self.node, self.field, self.what = path, node, field, what
        self.values: dict[str, Node] = {}
        self.lines: dict[str, int] = {}  # the line of each key
        for key, line, value in _pairs(path, node, field):
            if key in self.values:
                raise _error(path, line, self.sub(key), f"given twice (first on line {self.lines[key]})")
            if key not in allowed:
                raise _error(path, line, self.sub(key), f"unknown key for {what}" + _one_of(key, allowed))
            self.values[key], self.lines[key] = value, line

    def sub(self, key: str) -> str:
        return f"{self.field}.{key}" if self.field else key

    def error(self, key: str, why: str) -> LessonError:
        return _error(self.path, self.lines[key], self.sub(key), why)

    def required(self, key: str) -> Node:
        if key not in self.values:
            raise _error(self.path, _line(self.node), self.sub(key), f"missing; {self.what} needs one")
        return self.values[key]

    def read(self, key: str, reader: Callable[[Path, Node, str], _T]) -> _T:
        return reader(self.path, self.required(key), self.sub(key))

    def text(self, key: str, required: bool = True) -> str:
        return self.read(key, _text) if required or key in self.values else ""

    def id(self, key: str) -> str:
        return self.read(key, _id)

    def integer(self, key: str) -> int:
        return self.read(key, _integer)

    def number(self, key: str, default: float) -> float:
        return self.read(key, _number) if key in self.values else default

    def code(self, key: str, required: bool = True) -> Code | None:
        return self.read(key, _code) if required or key in self.values else None

    def list(self, key: str, reader: Callable[[Path, Node, str], _T], *, required: bool = True,
             at_least: int = 0, noun: str = "item", who: str = "",
             unique: bool = False) -> tuple[tuple[_T, ...], tuple[int, ...]]:
        """The items of a list field, each read by ``reader``, and their lines."""
        if not required and key not in self.values:
            return (), ()
        node, field = self.required(key), self.sub(key)
        if not isinstance(node, SequenceNode):
            raise _wrong(self.path, node, field, "a list")
        if len(node.value) < at_least:
            plural = noun if at_least == 1 else noun + "s"
            raise _error(self.path, self.lines[key], field,
                         f"{who or self.what} needs at least {at_least} {plural}, got {len(node.value)}")
        values = tuple(reader(self.path, child, f"{field}[{i}]") for i, child in enumerate(node.value))
        lines = tuple(_line(child) for child in node.value)
        if unique:
            for i, value in enumerate(values):
                if value in values[:i]:
                    raise _error(self.path, lines[i], f"{field}[{i}]", f"{value!r} is listed twice")
        return values, lines
