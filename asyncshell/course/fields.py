"""Checking YAML node by node: safe loading that keeps every value's line, typed readers, "did you mean".

The YAML is only ever *composed* with PyYAML's safe loader, never constructed:
we walk the node tree ourselves, so every value keeps its line for messages.
Before anything is read, ``compose`` refuses any tag but the plain ones, and
aliases that loop or that multiply the document past the size a file may have,
so reading the tree costs no more than reading the file.  Every problem is a
``LessonError`` (path, line, field, why).  Nothing here knows what a lesson
holds; ``loader`` says that, with the keys ``model.file_keys`` gives.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeVar, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from asyncshell.errors import LessonError

T = TypeVar("T")
#: Reads one node: (file, node, field name for messages) -> value, or raises a ``LessonError``.
Reader = Callable[[Path, Node, str], T]

_TAG = "tag:yaml.org,2002:"
_KINDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true/false",
          "null": "an empty value", "timestamp": "a date",
          "merge": "a merge key '<<' (lessons do not support them)"}
# Control characters (tabs and line breaks aside) would reach the learner's terminal as commands;
# a lone surrogate is no character at all, and cannot even be printed.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The tags the safe loader itself gives plain values; anything else was written to build an object.
_PLAIN_TAGS = {ScalarNode: {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")},
               SequenceNode: {_TAG + "seq"}, MappingNode: {_TAG + "map"}}
# YAML 1.2 reads 1e-3 as a number; PyYAML (YAML 1.1) wants a dot and reads it as a string.
_EXPONENT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+")


class Key(Protocol):
    """What ``Fields`` needs to know of a key it may meet (``model.FileKey`` is one)."""

    @property
    def required(self) -> bool: ...

    @property
    def default(self) -> object: ...


def read_text(path: Path, max_bytes: int) -> str:
    """The file's text, refusing what is not a regular file, too big, or not UTF-8."""
    if path.exists() and not path.is_file():
        raise LessonError(path, None, "", "not a regular file")
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        raise LessonError(path, None, "", f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise LessonError(path, None, "", f"larger than {max_bytes:,} bytes; a lesson file must be smaller")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LessonError(path, line, "", f"not UTF-8 text (byte 0x{data[error.start]:02x}); "
                                          "save the file as UTF-8") from None


def compose(path: Path, text: str, max_size: int) -> Node | None:
    """The document's node tree (None for an empty file); a YAML error becomes one line with its line.

    The tree is checked whole (``check_tree``), its aliases expanded to no more than ``max_size``.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or str(error).splitlines()[0]
        if error.context and not error.context.startswith("while "):
            problem = f"{error.context}, {problem}"
        line = mark.line + 1 if mark else None
        if line is not None and (ended := block_ended_early(text, line)) is not None:
            raise LessonError(path, ended[0], "", f"this line is indented less than the '|' block it belongs to "
                                                  f"(from line {ended[1]}), so the block ended above it; indent "
                                                  "every line of a block at least as far as its first") from None
        raise LessonError(path, line, "", f"not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise LessonError(path, line, "",
                          f"not valid YAML: character U+{error.character:04X} is not allowed") from None
    except yaml.YAMLError as error:
        raise LessonError(path, None, "", f"not valid YAML: {str(error).splitlines()[0]}") from None
    except RecursionError:
        raise LessonError(path, None, "", "not valid YAML: nested too deeply") from None
    if root is not None:
        check_tree(path, root, max_size)
    return root


_BLOCK_START = re.compile(r"^[ ]*(?:- +)?(?:[^\s:#][^:#]*: +)?[|>][-+0-9]*[ ]*(?:#.*)?$")
_YAML_LINE = re.compile(r"^[ ]*(?:#|- |-$|[^\s:#][^:]*:(?: |$))")


def block_ended_early(text: str, error_line: int) -> tuple[int, int] | None:
    """Where a ``|`` block's line, indented too little, ended the block (its line, the block's first line).

    YAML then reads that line as a key without a ``:`` and reports a line
    or two further on; the line to fix is this one.
    """
    lines = text.splitlines()[:error_line]
    block_indent, block_line = None, 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block_indent == -1:  # the block's first line sets its indent
            block_indent = indent
        elif block_indent is not None and indent < block_indent:
            if not _YAML_LINE.match(line):
                return number, block_line
            block_indent = None
        if block_indent is None and _BLOCK_START.match(line):
            block_indent, block_line = -1, number + 1
    return None


def check_tree(path: Path, root: Node, max_size: int) -> None:
    """Refuse tags other than plain ones, and aliases that loop or expand the tree past ``max_size``.

    Each node's expanded size (its characters, at least one a node) is worked
    out once, however many aliases name it, so a file of aliases that multiply
    a billion-fold is refused after a few thousand steps.  Without a stack of
    its own, a deep tree would be a RecursionError.
    """
    sizes: dict[int, int] = {}  # id(node) -> its size with every alias expanded
    entered: set[int] = set()  # nodes whose children are still being sized: an alias to one is a loop
    todo: list[tuple[Node, str, bool]] = [(root, "", False)]
    while todo:
        node, field, children_sized = todo.pop()
        key = id(node)
        if children_sized:
            entered.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child, _ in _children(node, field))
        elif key in sizes:
            continue
        elif key in entered:
            raise LessonError(path, line(node), field, "an alias inside the very list or mapping it names")
        elif node.tag not in _PLAIN_TAGS[type(node)]:
            tag = "!!" + node.tag[len(_TAG):] if node.tag.startswith(_TAG) else node.tag
            raise LessonError(path, line(node), field, f"the tag {tag} is refused; a lesson holds plain values "
                                                       "only (text, numbers, true/false, lists, mappings)")
        elif isinstance(node, ScalarNode):
            sizes[key] = max(len(node.value), 1)
        else:
            entered.add(key)
            todo.append((node, field, True))
            todo.extend((child, name, False) for child, name in reversed(_children(node, field)))
            continue
        if sizes.get(key, 0) > max_size:
            raise LessonError(path, line(node), field, f"its aliases make it more than {max_size:,} characters "
                                                       "long; a lesson may hold no more than a file may")


def _children(node: Node, field: str) -> list[tuple[Node, str]]:
    """A list's items or a mapping's keys and values, each with its field name for messages."""
    if isinstance(node, SequenceNode):
        return [(child, f"{field}[{i}]") for i, child in enumerate(node.value)]
    children: list[tuple[Node, str]] = []
    if isinstance(node, MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else "?"
            children += [(key, field), (value, f"{field}.{name}" if field else name)]
    return children


def line(node: Node) -> int:
    """The 1-based file line a node starts on."""
    return node.start_mark.line + 1


def kind(node: Node) -> str:
    """What a node holds, as an author would say it: "a list", "an integer"."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag.startswith(_TAG) and node.tag[len(_TAG):] in _KINDS:
        return _KINDS[node.tag[len(_TAG):]]
    return f"a value tagged {node.tag}"


def a(noun: str) -> str:
    """``noun`` with its article: "an exercise step", "a quiz step"."""
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest option, or "" when none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(word: str, options: Sequence[str]) -> str:
    """The closest option, or else all of them."""
    return did_you_mean(word, options) or "; expected one of: " + ", ".join(options)


def wrong(path: Path, node: Node, field: str, expected: str) -> LessonError:
    return LessonError(path, line(node), field, f"expected {expected}, got {kind(node)}")


def is_scalar(node: Node, tag: str) -> bool:
    """Whether ``node`` is a plain value YAML resolved to ``tag`` ("str", "int", ...)."""
    return isinstance(node, ScalarNode) and node.tag == _TAG + tag


def pairs(path: Path, node: MappingNode, field: str) -> Iterator[tuple[str, int, Node]]:
    """A mapping's keys (checked to be names), the line of each key, and its value."""
    for key, value in node.value:
        if not is_scalar(key, "str"):
            raise LessonError(path, line(key), field, f"keys must be names, got {kind(key)}")
        yield key.value, line(key), value


# Readers of one node, so lists can apply them to each item.

def string(path: Path, node: Node, field: str) -> str:
    """A string with no control characters (they would reach the learner's terminal as commands)."""
    if not is_scalar(node, "str"):
        raise wrong(path, node, field, "a string")
    value: str = node.value
    found = _NOT_TEXT.search(value)
    if found:
        at, code = line(node) + value.count("\n", 0, found.start()), ord(found.group())
        if 0xD800 <= code <= 0xDFFF:
            raise LessonError(path, at, field, f"contains U+{code:04X}, half of a UTF-16 pair, which is not a "
                                               "character; write the character itself, or \\U and 8 hex digits")
        raise LessonError(path, at, field, f"contains the control character U+{code:04X}; "
                                           "lesson text must be printable")
    return value


def text(path: Path, node: Node, field: str) -> str:
    """A string with its surrounding blank space removed, which must leave something."""
    value = string(path, node, field).strip()
    if not value:
        raise LessonError(path, line(node), field, "is empty")
    return value


def boolean(path: Path, node: Node, field: str) -> bool:
    if not isinstance(node, ScalarNode) or not is_scalar(node, "bool"):
        raise wrong(path, node, field, "true or false")
    return bool(SafeConstructor().construct_yaml_bool(node))


def integer(path: Path, node: Node, field: str) -> int:
    return int(_numeric(path, node, field, ("int",), "integer"))


def number(path: Path, node: Node, field: str) -> float:
    """A number; a plain ``1e-3`` counts, as YAML 1.2 and authors would have it."""
    if isinstance(node, ScalarNode) and is_scalar(node, "str") and node.style is None \
            and _EXPONENT.fullmatch(node.value):
        return float(node.value)
    return float(_numeric(path, node, field, ("int", "float"), "number"))


def _numeric(path: Path, node: Node, field: str, tags: tuple[str, ...], what: str) -> int | float:
    """A YAML number by PyYAML's own rules (``0x10``, ``1_000``, ``.inf``), built only from those tags."""
    if not any(is_scalar(node, tag) for tag in tags):
        raise wrong(path, node, field, a(what))
    try:
        return cast("int | float", SafeConstructor().construct_object(node))
    except ValueError:
        raise LessonError(path, line(node), field, f"'{node.value}' is not a valid {what}") from None


class Fields:
    """One YAML mapping, checked against the keys it may have, with getters that explain failures.

    ``keys`` says which keys are allowed, which are required, and the value a
    getter gives for an optional key the mapping leaves out.
    """

    def __init__(self, path: Path, node: MappingNode, field: str, what: str, keys: Mapping[str, Key]) -> None:
        self.path, self.node, self.field, self.what, self.keys = path, node, field, what, keys
        self.values: dict[str, Node] = {}
        self.lines: dict[str, int] = {}  # the line of each key
        for key, at, value in pairs(path, node, field):
            if key in self.values:
                raise LessonError(path, at, self.sub(key), f"given twice (first on line {self.lines[key]})")
            if key not in keys:
                raise LessonError(path, at, self.sub(key), f"unknown key for {what}" + one_of(key, tuple(keys)))
            self.values[key], self.lines[key] = value, at

    def sub(self, key: str) -> str:
        """The field name of ``key`` in messages: ``steps[2].hints``."""
        return f"{self.field}.{key}" if self.field else key

    def error(self, key: str, why: str) -> LessonError:
        return LessonError(self.path, self.lines[key], self.sub(key), why)

    def required(self, key: str) -> Node:
        """The node under ``key``, which must be there."""
        if key not in self.values:
            raise LessonError(self.path, line(self.node), self.sub(key), f"missing; {self.what} needs one")
        return self.values[key]

    def get(self, key: str, reader: Reader[T]) -> T:
        """``key``'s value read by ``reader``; left out, the default ``keys`` gives (or missing, if it is required)."""
        if key in self.values or self.keys[key].required:
            return reader(self.path, self.required(key), self.sub(key))
        # The model declares each default with its field's type, which is the reader's.
        return cast(T, self.keys[key].default)

    def list(self, key: str, reader: Reader[T], *, at_least: int = 0, noun: str = "item", who: str = "",
             unique: bool = False) -> tuple[tuple[T, ...], tuple[int, ...]]:
        """The items of a list field, each read by ``reader``, and their lines; left out, the default."""
        if key not in self.values and not self.keys[key].required:
            return cast("tuple[T, ...]", self.keys[key].default), ()
        node, field = self.required(key), self.sub(key)
        if not isinstance(node, SequenceNode):
            raise wrong(self.path, node, field, "a list")
        if len(node.value) < at_least:
            plural = noun if at_least == 1 else noun + "s"
            raise LessonError(self.path, self.lines[key], field,
                              f"{who or self.what} needs at least {at_least} {plural}, got {len(node.value)}")
        values = tuple(reader(self.path, child, f"{field}[{i}]") for i, child in enumerate(node.value))
        lines = tuple(line(child) for child in node.value)
        if unique:
            for i, value in enumerate(values):
                if value in values[:i]:
                    raise LessonError(self.path, lines[i], f"{field}[{i}]", f"{value!r} is listed twice")
        return values, lines
