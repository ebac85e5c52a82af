"""Asserts that explain themselves: rewrite check code so a failing ``assert`` shows its values.

``rewrite_asserts`` turns every ``assert test, message`` in the check (also those
inside functions the check defines) into

    @r = @assert(site)          # a fresh AssertRecord for this assert
    if not test':               # test, with each interesting sub-expression e
        raise @r.fail(message)  #   replaced by @r(slot, e)

``@r(slot, e)`` stores the value of ``e`` as it is computed and hands it back,
so every sub-expression is still evaluated once, in Python's order, with
``and``/``or``/``if-else`` short-circuiting as written: what was never
evaluated is never shown, and nothing is evaluated again after the failure
(a call may have side effects, an ``await`` may not be repeatable).  The
message is only evaluated when the assert fails, as in Python.  Names starting
with ``@`` cannot clash with anything the check or the learner writes.

Recorded: names, calls, attributes (not the plain name an attribute is read
from), subscripts and awaits.  Not looked into:
lambdas, f-strings, and the bodies of comprehensions, whose values change per item (the
iterable a comprehension starts from is recorded).  When an assert fails its
values are shown outer first, ``len(calls) was 2`` before ``calls was [...]``,
leaving out what tells nothing: functions, classes, modules, a call that only
made a coroutine (``await f()`` is shown, ``f()`` is not), a whole test that
was just ``False``, and values that read exactly like their source.  Floats are
shown to 3 significant digits.  When the test is one ``==`` between two lists,
tuples, dicts or strings, ``difference`` says where they differ, as pytest's
compare explanations do: ``at index 0: 3 != 1``.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from typing import Any, Callable

from asyncshell.course.differences import difference, short_repr

#: The namespace key of the factory the rewritten code calls at each assert.
RECORDER = "@assert"
_LOCAL = "@r"
_NO_MESSAGE: Any = object()


@dataclasses.dataclass(frozen=True)
class Part:
    """A recorded sub-expression: its source text and what sort of node it is."""

    text: str
    kind: str  # name, call, attribute, subscript or await


@dataclasses.dataclass(frozen=True)
class AssertSite:
    """One ``assert`` in the check: the line it starts on, its source, what it records."""

    line: int
    source: str
    parts: tuple[Part, ...]
    whole_test_recorded: bool = False  # parts[0] is the test itself
    #: The test, on one line.
    test: str = ""
    #: The slots of the two sides when the test is ``left == right``.
    compared: tuple[int, int] | None = None


class AssertionFailed(AssertionError):
    """A rewritten assert failed.  ``values`` are ``(expression, repr)`` pairs worth showing."""

    def __init__(self, site: AssertSite, values: dict[int, Any], message: Any = _NO_MESSAGE) -> None:
        self.site = site
        self.message: str | None = None if message is _NO_MESSAGE else str(message)
        self.values = _shown_values(site, values)
        sides = site.compared
        self.sides = (values[sides[0]], values[sides[1]]) if sides and sides[1] in values else None
        super().__init__(self.message if self.message is not None else site.source)

    def explanation(self) -> list[str]:
        """``len(calls) was 2``, one line per value, outer first."""
        return [f"{text} was {value}" for text, value in self.values]

    def difference(self) -> list[str]:
        """For a failed ``left == right`` on lists, tuples, dicts or strings: where they differ."""
        if self.sides is None or self.site.compared is None:
            return []
        left, right = (self.site.parts[slot].text for slot in self.site.compared)
        try:
            return difference(*self.sides, left, right)
        except Exception:  # noqa: BLE001 - comparing calls the learner's __eq__, which may do anything
            return []


class AssertRecord:
    """What one run of one assert evaluated.  Calling it records a value and returns it."""

    __slots__ = ("site", "values")

    def __init__(self, site: AssertSite) -> None:
        self.site = site
        self.values: dict[int, Any] = {}

    def __call__(self, slot: int, value: Any) -> Any:
        self.values[slot] = value
        return value

    def fail(self, message: Any = _NO_MESSAGE) -> AssertionFailed:
        return AssertionFailed(self.site, self.values, message)


@dataclasses.dataclass(frozen=True)
class Rewritten:
    """Check code with explaining asserts: run ``tree`` with ``names`` in its namespace."""

    tree: ast.Module
    sites: tuple[AssertSite, ...]

    @property
    def names(self) -> dict[str, Callable[[int], AssertRecord]]:
        sites = self.sites
        return {RECORDER: lambda index: AssertRecord(sites[index])}


def rewrite_asserts(source: str, filename: str) -> Rewritten:
    """Parse check code (top-level ``await`` allowed) and rewrite its asserts; SyntaxError as Python's."""
    tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    rewriter = _AssertRewriter(source)
    tree = rewriter.visit(tree)
    ast.fix_missing_locations(tree)
    return Rewritten(tree, tuple(rewriter.sites))


class _AssertRewriter(ast.NodeTransformer):
    def __init__(self, source: str) -> None:
        self.source = source
        self.sites: list[AssertSite] = []

    def visit_Assert(self, node: ast.Assert) -> list[ast.stmt]:
        recorder = _Recorder(self.source)
        whole = isinstance(node.test, _RECORDED)
        text = _expression_text(self.source, node.test)
        test = recorder.visit(node.test)
        compared = recorder.record_sides(test)
        index = len(self.sites)
        self.sites.append(AssertSite(node.lineno, _statement_text(self.source, node), tuple(recorder.parts), whole,
                                     text, compared))
        start = ast.Assign(
            targets=[_name(_LOCAL, ast.Store())],
            value=ast.Call(_name(RECORDER), [ast.Constant(index)], []),
        )
        fail = ast.Call(ast.Attribute(_name(_LOCAL), "fail", ast.Load()), [node.msg] if node.msg else [], [])
        check = ast.If(test=ast.UnaryOp(ast.Not(), test), body=[ast.Raise(exc=fail, cause=None)], orelse=[])
        # Both statements stand where the assert stood, so tracebacks point at it.
        return [ast.copy_location(start, node), ast.copy_location(check, node)]


_RECORDED = (ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.Await)


class _Recorder(ast.NodeTransformer):
    """Wraps the interesting sub-expressions of one assert's test in ``@r(slot, ...)``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[Part] = []

    def _record(self, node: ast.expr, kind: str) -> Callable[[ast.expr], ast.expr]:
        # Take the slot before the children are visited, so outer expressions come first.
        slot = len(self.parts)
        self.parts.append(Part(_expression_text(self.source, node), kind))

        def wrap(inner: ast.expr) -> ast.expr:
            return ast.copy_location(ast.Call(_name(_LOCAL), [ast.Constant(slot), inner], []), node)

        return wrap

    def record_sides(self, test: ast.expr) -> tuple[int, int] | None:
        """In ``left == right`` (already visited), record both sides too, for ``difference``; their slots."""
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            return None
        slots = len(self.parts), len(self.parts) + 1
        test.left = self._record(test.left, "side")(test.left)
        test.comparators[0] = self._record(test.comparators[0], "side")(test.comparators[0])
        return slots

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if not isinstance(node.ctx, ast.Load):
            return node
        return self._record(node, "name")(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if not isinstance(node.ctx, ast.Load):
            return node
        wrap = self._record(node, "attribute")
        if not isinstance(node.value, ast.Name):  # ``t.seconds was 0.3`` says it; ``t was elapsed(...)`` adds nothing
            node.value = self.visit(node.value)
        return wrap(node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if not isinstance(node.ctx, ast.Load):
            return node
        wrap = self._record(node, "subscript")
        node.value, node.slice = self.visit(node.value), self.visit(node.slice)
        return wrap(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        wrap = self._record(node, "call")
        self._visit_call_parts(node)
        return wrap(node)

    def _visit_call_parts(self, node: ast.Call) -> None:
        # The function itself is never worth showing (and wrapping a bare name would
        # hide ``super`` from the compiler); the object a method is called on is.
        if isinstance(node.func, ast.Attribute):
            node.func.value = self.visit(node.func.value)
        elif not isinstance(node.func, ast.Name):
            node.func = self.visit(node.func)
        node.args = [self.visit(arg) for arg in node.args]
        for keyword in node.keywords:
            keyword.value = self.visit(keyword.value)

    def visit_Await(self, node: ast.Await) -> ast.expr:
        wrap = self._record(node, "await")
        if isinstance(node.value, ast.Call):
            self._visit_call_parts(node.value)  # the coroutine object itself tells nothing
        else:
            node.value = self.visit(node.value)
        return wrap(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> ast.expr:
        node.value = self.visit(node.value)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.expr:
        return node  # before Python 3.12 the positions inside f-strings are unreliable

    def _visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> ast.expr:
        # Only the first iterable runs in the assert's own scope, and only once.
        first = node.generators[0]
        first.iter = self.visit(first.iter)
        return node

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension


def _name(identifier: str, ctx: ast.expr_context | None = None) -> ast.Name:
    return ast.Name(id=identifier, ctx=ctx or ast.Load())


def _statement_text(source: str, node: ast.stmt) -> str:
    text = ast.get_source_segment(source, node, padded=True)
    return textwrap.dedent(text) if text is not None else ast.unparse(node)


def _expression_text(source: str, node: ast.expr) -> str:
    text = ast.get_source_segment(source, node)
    if text is None or "\n" in text:
        return ast.unparse(node)  # one line, however the check spread it
    return text


def _shown_values(site: AssertSite, values: dict[int, Any]) -> tuple[tuple[str, str], ...]:
    shown: list[tuple[str, str]] = []
    for slot in sorted(values):
        part, value = site.parts[slot], values[slot]
        if part.kind == "side":
            continue  # for ``difference``; what the sides hold is shown as their parts
        if inspect.isroutine(value) or inspect.isclass(value) or inspect.ismodule(value):
            continue
        if part.kind == "call" and inspect.iscoroutine(value):
            continue
        if slot == 0 and site.whole_test_recorded and value is False:
            continue  # `assert task.done()` failed: "task.done() was False" adds nothing
        text = short_repr(value)
        if text == part.text or (part.text, text) in shown:
            continue
        shown.append((part.text, text))
    return tuple(shown)
