"""Tutorial code runs as pasted: ``asyncio.run`` and ``loop.run_until_complete`` at the top of an input run on the live loop.

A script starts its own loop; here one is already running, so the real calls
would raise ``RuntimeError``.  A transform rewrites, at the top level of an input
only (top-level blocks included, never inside def, lambda or class bodies), every
call that *could* be one of these idioms into a call through ``__asyncshell__``,
a small object in the user's namespace.  At run time it checks the callee by
identity (``asyncio.run``, a method of the shell's loop, ...) and otherwise calls it
exactly as written, so ``subprocess.run(...)`` or ``f.close()`` are untouched::

    asyncio.run(main())   ->  await __asyncshell__.acall(asyncio.run, "...", "...")(main())
    loop.close()          ->  __asyncshell__.call(loop.close, "...", "...")()

The callee is evaluated before the arguments, as in the original call.  Each
rewrite that takes effect adds one note (once per input) saying what the shell
did and what to write here instead.

Inside a plain ``def`` (or lambda) typed at the prompt, ``await`` is not allowed,
so the same two calls go through ``in_function`` instead: called on the shell's
loop, they run as a script would, on a fresh loop in a helper thread
(``script_loop``).  Inside an ``async def`` they are left alone: they raise as
they would in a script, and the explanations teach ``await``.
"""

from __future__ import annotations

import ast
import asyncio
import contextvars
import functools
import inspect
import os
import sys
import weakref
from typing import Any, Callable

from asyncshell.text import plural

SHIM_NAME = "__asyncshell__"
ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep

# Set in the context of the task that an ``asyncio.run`` runs; the tasks it starts inherit it.
_RUN_SCOPE: "contextvars.ContextVar[object | None]" = contextvars.ContextVar("asyncshell_run_scope", default=None)

# Callee names (``name(...)`` or ``obj.name(...)``) worth checking at run time.
_AWAITED = frozenset({"run", "run_until_complete"})
_PLAIN = frozenset({"run_forever", "stop", "close", "new_event_loop", "set_event_loop"})

_REFUSALS = {
    "close": "`{call}` was skipped: the shell's loop stays open (it runs your tasks and this prompt).",
    "stop": "`{call}` was skipped: stopping the shell's loop would stop the shell; to stop a task, use task.cancel().",
    "run_forever": "`{call}` returned at once: the shell's loop is already running, and your tasks keep running after this input.",
}


class Shim:
    """``__asyncshell__``: decides at run time whether a rewritten call is one of the idioms."""

    def __init__(self, evaluator: Any) -> None:
        self._evaluator = evaluator
        self._unstarted: list[tuple[Any, str]] = []
        self.say: Callable[[str], None] | None = None  # for a refusal between inputs (a callback calling loop.stop)

    def __repr__(self) -> str:
        return "<asyncshell: runs asyncio.run(...) and loop.run_until_complete(...) on the live loop>"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop = self._evaluator.loop
        return loop

    def note(self, text: str) -> None:
        if not self._evaluator.running and self.say is not None:
            self.say(text)
            return
        notes: list[str] = self._evaluator.notes
        if text not in notes:
            notes.append(text)

    def guard_loop(self) -> None:
        """Keep code that runs later (``loop.call_later(1, loop.stop)``, a function) from stopping or closing the shell's loop.

        Only the loop's own ``run_until_complete`` may stop it, and only a loop
        that is no longer running may be closed (the shell does both as it ends).
        """
        loop = self.loop
        if not isinstance(loop.stop, _Guard):
            # Replacing the loop's own methods is the point: code run later may hold only the loop.
            loop.stop = _Guard(loop, "stop", self, _is_run_until_complete_ending)  # type: ignore[method-assign]
            loop.close = _Guard(loop, "close", self, lambda caller: not loop.is_running())  # type: ignore[method-assign]

    def is_shell_loop(self, obj: object) -> bool:
        return obj is self.loop or (isinstance(obj, LoopStandIn) and obj.shim is self)

    # -- called by rewritten code ------------------------------------------------

    def acall(self, callee: Any, call: str, arg: str) -> Callable[..., Any]:
        """For ``await``-ed rewrites: an async function standing for ``callee``."""
        if callee is asyncio.run:
            return functools.partial(self._run, call, arg)
        if getattr(callee, "__name__", None) == "run_until_complete" and self.is_shell_loop(getattr(callee, "__self__", None)):
            return functools.partial(self._until_complete, call, arg)
        return functools.partial(_call_now, callee)

    def call(self, callee: Any, call: str, arg: str) -> Callable[..., Any]:
        """For plain rewrites: ``callee`` itself, or what the shell does instead."""
        if callee is asyncio.new_event_loop:
            return lambda: LoopStandIn(self)  # type: ignore[abstract]  # its methods are forwarders, set after the class
        if callee is asyncio.set_event_loop:
            return functools.partial(self._set_event_loop, callee)
        name = getattr(callee, "__name__", None)
        if name in _REFUSALS and self.is_shell_loop(getattr(callee, "__self__", None)):
            return functools.partial(self.refuse, name, call)
        return callee

    def in_function(self, callee: Any, call: str, function: str) -> Callable[..., Any]:
        """For calls inside a plain function: ``callee``, or the same call on a loop of its own when this one runs."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return callee  # called from a thread of the learner's: nothing is running there, the real call works
        until_complete = getattr(callee, "__name__", None) == "run_until_complete" and self.is_shell_loop(
            getattr(callee, "__self__", None))
        if running is not self.loop or not (callee is asyncio.run or until_complete):
            return callee

        def elsewhere(main: Any, *, debug: bool | None = None, **_options: Any) -> Any:
            if not asyncio.iscoroutine(main):
                return callee(main)  # a Task or Future of this loop cannot run on another one: it raises as it would
            from asyncshell.insight.script_loop import run_elsewhere

            self.note(f"`{call}` in {function}() ran on a fresh event loop in a helper thread, as it would in a "
                      "script; the shell's loop and your tasks waited until it finished.")
            return run_elsewhere(main, debug=debug)

        return elsewhere

    def bare(self, value: Any, call: str) -> Any:
        """A bare call at the top of an input: remember a coroutine it made, to check at the end."""
        if inspect.iscoroutine(value) and inspect.getcoroutinestate(value) == inspect.CORO_CREATED:
            self._unstarted.append((value, call))
        return value

    # -- what the shell does instead ---------------------------------------------

    def refuse(self, name: str, call: str, *args: Any, **kwargs: Any) -> None:
        self.note(_REFUSALS[name].format(call=call))

    async def _run(self, call: str, arg: str, main: Any, *, debug: bool | None = None, **_options: Any) -> Any:
        """``asyncio.run(main)`` on the live loop: main runs as a task; tasks it leaves running are cancelled, as asyncio.run does."""
        if not asyncio.iscoroutine(main):
            raise ValueError(f"a coroutine was expected, got {main!r}")
        loop = self.loop
        debug_before = loop.get_debug()
        if debug is not None:
            loop.set_debug(debug)
        before = set(self._evaluator.tasks.alive())
        scope = object()
        context = contextvars.copy_context()
        context.run(_RUN_SCOPE.set, scope)
        task = loop.create_task(main, context=context)
        try:
            return await task
        finally:
            if debug is not None:
                loop.set_debug(debug_before)
            cancelled = await self._cancel_started_by(task, before, scope)
            left = f"; like asyncio.run, it then cancelled {plural(cancelled, 'task')} left running" if cancelled else ""
            self.note(f"the loop is already running here, so `{call}` ran as `await {arg}`{left}")

    async def _cancel_started_by(self, main: "asyncio.Task[Any]", before: set[Any], scope: object) -> int:
        started = [t for t in self._evaluator.tasks.alive() if t not in before and t is not main and _in_scope(t, scope)]
        for task in started:
            task.cancel()
        if not started:
            return 0
        await asyncio.wait(started)
        for task in started:
            if not task.cancelled() and task.exception() is not None:
                self.loop.call_exception_handler(
                    {"message": "unhandled exception during asyncio.run() shutdown", "exception": task.exception(), "task": task}
                )
        return len(started)

    async def _until_complete(self, call: str, arg: str, future: Any) -> Any:
        """``loop.run_until_complete(x)`` on the live loop: ``await x`` (as a task if a coroutine)."""
        waitable = asyncio.ensure_future(future)
        self.note(f"the loop is already running here, so `{call}` ran as `await {arg}`")
        return await waitable

    def _set_event_loop(self, real: Callable[[Any], None], loop: Any) -> None:
        if not self.is_shell_loop(loop):
            real(loop)

    def close_unstarted(self) -> list[str]:
        """The bare calls of this input whose coroutine never started; closed now, so Python does not warn later."""
        found, self._unstarted = self._unstarted, []
        calls = []
        for coro, call in found:
            if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
                coro.close()
                calls.append(call)
        return calls


class _Guard:
    """Stands in for the shell loop's own ``stop`` or ``close``: refuses while the shell needs the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, name: str, shim: Shim, allowed: Callable[[Any], bool]) -> None:
        self.__self__ = loop
        self.__name__ = name
        self.__qualname__ = getattr(type(loop), name).__qualname__  # shown as a loop callback would be
        self._shim = shim
        self._allowed = allowed

    def __call__(self) -> None:
        if self._allowed(sys._getframe(1).f_code):
            getattr(type(self.__self__), self.__name__)(self.__self__)
        else:
            self._shim.refuse(self.__name__, f"loop.{self.__name__}()")


def _is_run_until_complete_ending(caller: Any) -> bool:
    """Is this ``loop.stop()`` the one asyncio's ``run_until_complete`` makes when its future is done?"""
    return bool(caller.co_name == "_run_until_complete_cb" and caller.co_filename.startswith(ASYNCIO_DIR))


async def _call_now(callee: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return callee(*args, **kwargs)


def _in_scope(task: "asyncio.Task[Any]", scope: object) -> bool:
    """Was ``task`` started (directly or not) by the main of ``scope``?  Known from its context on 3.12+."""
    get_context = getattr(task, "get_context", None)
    if get_context is None:
        return True  # 3.11: assume every task started while main ran (the input waits on main meanwhile)
    return get_context().get(_RUN_SCOPE) is scope


class LoopStandIn(asyncio.AbstractEventLoop):
    """What ``asyncio.new_event_loop()`` gives at the top of an input: the shell's loop under another name.

    Everything is forwarded to the live loop except what would stop or close it,
    or run it a second time: those behave as on a loop that is already running.
    """

    def __init__(self, shim: Shim) -> None:
        object.__setattr__(self, "shim", shim)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.shim.loop, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.shim.loop, name, value)

    def __repr__(self) -> str:
        return f"<the shell's running loop, standing in for a new one: {self.shim.loop!r}>"

    def run_until_complete(self, future: Any) -> Any:
        raise RuntimeError("This event loop is already running")

    def run_forever(self) -> None:
        raise RuntimeError("This event loop is already running")

    def stop(self) -> None:
        self.shim.refuse("stop", "loop.stop()")

    def close(self) -> None:
        self.shim.refuse("close", "loop.close()")


def _forwarder(name: str) -> Callable[..., Any]:
    def forward(self: LoopStandIn, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.shim.loop, name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    return forward


# AbstractEventLoop defines every public method as "raise NotImplementedError": forward them instead.
for _name, _value in vars(asyncio.AbstractEventLoop).items():
    if callable(_value) and not _name.startswith("_") and _name not in vars(LoopStandIn):
        setattr(LoopStandIn, _name, _forwarder(_name))


class _TopLevel(ast.NodeTransformer):
    """Visits what runs at the top of an input: never the bodies of def, lambda, class or generator expressions."""

    def __init__(self) -> None:
        self.changed = False

    def _skip(self, node: ast.AST) -> ast.AST:
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_GeneratorExp = _skip


def _shim_call(method: str, args: list[ast.expr]) -> ast.Call:
    func = ast.Attribute(value=ast.Name(id=SHIM_NAME, ctx=ast.Load()), attr=method, ctx=ast.Load())
    return ast.Call(func=func, args=args, keywords=[])


class _LoopCalls(_TopLevel):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in _AWAITED and name not in _PLAIN:
            return self.generic_visit(node)
        call = ast.unparse(node)
        arg = ast.unparse(node.args[0]) if node.args else ""
        self.generic_visit(node)
        self.changed = True
        wrapped = _shim_call("acall" if name in _AWAITED else "call", [node.func, ast.Constant(call), ast.Constant(arg)])
        new: ast.expr = ast.Call(func=wrapped, args=node.args, keywords=node.keywords)
        if name in _AWAITED:
            new = ast.Await(value=new)
        return ast.copy_location(new, node)


class _InPlainFunctions(ast.NodeTransformer):
    """``asyncio.run(...)`` and ``x.run_until_complete(...)`` in the bodies of plain functions, at any depth."""

    def __init__(self) -> None:
        self.changed = False
        self._functions: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self._functions.append(node.name)
        self.generic_visit(node)
        self._functions.pop()
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._functions.append("<lambda>")
        self.generic_visit(node)
        self._functions.pop()
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return node  # await works there: the error and its explanation say so

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if not self._functions or name not in _AWAITED:
            return node
        self.changed = True
        wrapped = _shim_call("in_function", [node.func, ast.Constant(ast.unparse(node)), ast.Constant(self._functions[-1])])
        return ast.copy_location(ast.Call(func=wrapped, args=node.args, keywords=node.keywords), node)


class _BareCalls(_TopLevel):
    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.value, ast.Call):
            self.changed = True
            node.value = ast.copy_location(_shim_call("bare", [node.value, ast.Constant(ast.unparse(node.value))]), node.value)
        return node


_shims: "weakref.WeakKeyDictionary[Any, Shim]" = weakref.WeakKeyDictionary()


def shim_for(evaluator: Any) -> Shim:
    """The evaluator's one shim, put back into its namespace before every input."""
    shim = _shims.get(evaluator)
    if shim is None:
        shim = _shims[evaluator] = Shim(evaluator)
        evaluator.namespace[SHIM_NAME] = shim
        evaluator.on_input_start.append(lambda task: evaluator.namespace.__setitem__(SHIM_NAME, shim))
    return shim


def _transform(evaluator: Any, shim: Shim, visitor: type[_TopLevel] | type[_InPlainFunctions]) -> Callable[[ast.Module], ast.Module]:
    def transform(tree: ast.Module) -> ast.Module:
        rewriter = visitor()
        tree = rewriter.visit(tree)
        if rewriter.changed:
            evaluator.namespace[SHIM_NAME] = shim  # in case the user deleted it
        return tree

    return transform


def install_rewrites(session: Any) -> None:
    """Make ``asyncio.run(...)`` and ``loop.run_until_complete(...)`` at the top of an input run on the live loop."""
    evaluator = session.evaluator
    shim = shim_for(evaluator)
    shim.say = session.console.note
    shim.guard_loop()
    evaluator.transforms.append(_transform(evaluator, shim, _LoopCalls))
    evaluator.transforms.append(_transform(evaluator, shim, _InPlainFunctions))


def mark_bare_calls(evaluator: Any) -> Shim:
    """Remember coroutines made by bare calls at the top of an input (``main()`` alone); see ``Shim.close_unstarted``."""
    shim = shim_for(evaluator)
    evaluator.transforms.append(_transform(evaluator, shim, _BareCalls))
    return shim
