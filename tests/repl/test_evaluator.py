"""The evaluator alone: no terminal, just a namespace and the running loop."""

from __future__ import annotations

import asyncio
import sys
import time
import warnings

import pytest

from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.tracebacks import format_error


class Shown:
    """Collects what the evaluator displays."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def __call__(self, text: str) -> None:
        self.parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@pytest.fixture
def shown() -> Shown:
    return Shown()


@pytest.fixture
async def ev(shown: Shown) -> Evaluator:
    return Evaluator(write=shown)


async def test_top_level_await_and_values_are_shown_and_kept_in_underscore(ev: Evaluator, shown: Shown) -> None:
    outcome = await ev.run("await asyncio.sleep(0, 'slept')")
    assert outcome.kind == "ok"
    assert shown.text == "'slept'\n"
    assert ev.namespace["_"] == "slept"


async def test_none_is_not_shown(ev: Evaluator, shown: Shown) -> None:
    await ev.run("None")
    await ev.run("print")
    assert shown.text == "<built-in function print>\n"


async def test_async_for_async_with_and_async_comprehensions(ev: Evaluator, shown: Shown) -> None:
    await ev.run(
        "async def agen():\n    for i in range(3):\n        yield i\n"
        "class Ctx:\n    async def __aenter__(self):\n        return 'in'\n    async def __aexit__(self, *exc):\n        return False\n"
    )
    await ev.run("seen = []\nasync for i in agen():\n    seen.append(i)")
    await ev.run("async with Ctx() as where:\n    seen.append(where)")
    await ev.run("[i * 10 async for i in agen()]")
    assert ev.namespace["seen"] == [0, 1, 2, "in"]
    assert shown.text == "[0, 10, 20]\n"


async def test_names_persist_and_the_namespace_is_main_with_asyncio(ev: Evaluator, shown: Shown) -> None:
    await ev.run("import math\nclass Point:\n    x = 1\ndef double(v):\n    return 2 * v")
    await ev.run("double(math.floor(Point.x + 0.5)), __name__, asyncio.__name__")
    assert shown.text == "(2, '__main__', 'asyncio')\n"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f():\n    await asyncio.sleep(1)", "'await' outside async function"),
        ("f = lambda: await asyncio.sleep(1)", "'await' outside async function"),
        ("return 1", "'return' outside function"),
        ("yield 1", "'yield' outside function"),
        ("1 +", "invalid syntax"),
    ],
)
async def test_python_syntax_errors_look_like_pythons(ev: Evaluator, source: str, message: str) -> None:
    outcome = await ev.run(source)
    assert outcome.kind == "error"
    assert isinstance(outcome.error, SyntaxError)
    text = format_error(outcome.error)
    assert f"SyntaxError: {message}" in text
    assert 'File "<input-1>", line' in text
    assert "^" in text  # the caret under the offending code, as Python shows it


async def test_multiline_blocks_like_the_standard_repl(ev: Evaluator, shown: Shown) -> None:
    await ev.run(
        "import functools\n@functools.lru_cache\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
        "if fib(10) == 55:\n    result = 'yes'\nelse:\n    result = 'no'\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    caught = True\nfinally:\n    done = True\n"
    )
    await ev.run("result, caught, done")
    assert shown.text == "('yes', True, True)\n"


async def test_a_pasted_tutorial_with_blank_lines_runs_as_one_input(ev: Evaluator) -> None:
    tutorial = (
        "import asyncio\n\n"
        "async def count(name, n):\n"
        "    total = 0\n\n"
        "    for i in range(n):\n"
        "        await asyncio.sleep(0)\n\n"
        "        total += i\n"
        "    return name, total\n"
        "results = await asyncio.gather(count('a', 3), count('b', 4))\n"
    )
    outcome = await ev.run(tutorial)
    assert outcome.kind == "ok"
    assert ev.namespace["results"] == [("a", 3), ("b", 6)]


async def test_a_paste_copied_from_inside_a_block_is_dedented(ev: Evaluator) -> None:
    outcome = await ev.run("    x = 1\n    y = x + 1\n")
    assert outcome.kind == "ok"
    assert ev.namespace["y"] == 2


async def test_tracebacks_show_only_the_users_frames(ev: Evaluator) -> None:
    await ev.run("async def inner():\n    raise ValueError('bad value')\nasync def outer():\n    await inner()")
    outcome = await ev.run("await outer()")
    assert outcome.kind == "error"
    text = format_error(outcome.error)
    assert "asyncshell" not in text
    assert 'File "<input-2>", line 1, in <module>' in text
    assert 'File "<input-1>", line 2, in inner' in text
    assert "raise ValueError('bad value')" in text  # the source line of typed code
    assert text.rstrip().endswith("ValueError: bad value")


async def test_chained_exceptions_lose_our_frames_too(ev: Evaluator) -> None:
    outcome = await ev.run("try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise KeyError('k') from e")
    text = format_error(outcome.error)
    assert "ZeroDivisionError" in text and "KeyError" in text
    assert "asyncshell" not in text


async def test_the_loop_keeps_running_between_inputs(ev: Evaluator) -> None:
    await ev.run(
        "ticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n        await asyncio.sleep(0.01)\n"
        "ticker = asyncio.create_task(tick())"
    )
    before = len(ev.namespace["ticks"])
    await asyncio.sleep(0.2)  # the caller is idle, as at the prompt
    assert len(ev.namespace["ticks"]) - before >= 5
    assert ev.tasks.alive() == [ev.namespace["ticker"]]
    ev.namespace["ticker"].cancel()


async def test_user_tasks_get_readable_names(ev: Evaluator, shown: Shown) -> None:
    await ev.run("async def fetch():\n    await asyncio.sleep(0)\n")
    await ev.run("a = asyncio.create_task(fetch()); b = asyncio.create_task(fetch()); c = asyncio.create_task(fetch(), name='mine')")
    await ev.run("a.get_name(), b.get_name(), c.get_name()")
    await ev.run("await asyncio.gather(a, b, c)")
    assert shown.parts[0] == "('fetch-1', 'fetch-2', 'mine')\n"


async def test_concurrent_sleeps_really_overlap(ev: Evaluator) -> None:
    start = time.perf_counter()
    outcome = await ev.run("await asyncio.gather(*(asyncio.sleep(0.2) for _ in range(3)))")
    assert outcome.kind == "ok"
    assert time.perf_counter() - start < 0.45


async def test_cancelling_a_waiting_input_is_an_interrupt(ev: Evaluator) -> None:
    running = asyncio.ensure_future(ev.run("await asyncio.sleep(100)"))
    await asyncio.sleep(0.05)
    assert ev.running
    assert ev.interrupt() is True
    outcome = await asyncio.wait_for(running, 2)
    assert outcome.kind == "interrupted"
    assert not ev.running
    assert ev.interrupt() is False  # nothing runs now


async def test_system_exit_is_an_outcome_not_an_escape(ev: Evaluator) -> None:
    assert (await ev.run("exit(3)")).exit_code == 3
    assert (await ev.run("import sys; sys.exit()")).kind == "exit"
    assert (await ev.run("raise SystemExit('bye')")).exit_code == 1


async def test_keyboard_interrupt_raised_by_user_code_is_an_error_not_an_escape(ev: Evaluator) -> None:
    outcome = await ev.run("raise KeyboardInterrupt")
    assert outcome.kind == "error"
    assert isinstance(outcome.error, KeyboardInterrupt)
    assert (await ev.run("1")).kind == "ok"


async def test_never_awaited_coroutine_warns(ev: Evaluator) -> None:
    await ev.run("async def fetch():\n    return 1\ndef forgetful():\n    fetch()\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await ev.run("forgetful()")
    messages = [str(w.message) for w in caught]
    assert "coroutine 'fetch' was never awaited" in messages


async def test_user_replacing_stdout_does_not_silence_the_shell(ev: Evaluator, shown: Shown) -> None:
    saved = sys.stdout
    try:
        await ev.run("import io, sys\nsys.stdout = io.StringIO()\nprint('hidden')")
        await ev.run("40 + 2")
    finally:
        sys.stdout = saved
    assert shown.text == "42\n"


async def test_future_imports_last_like_in_pythons_repl(ev: Evaluator, shown: Shown) -> None:
    await ev.run("from __future__ import annotations")
    await ev.run("def f(x: undefined_name) -> None: pass")
    await ev.run("f.__annotations__['x']")
    assert shown.text == "'undefined_name'\n"


async def test_blocking_sync_code_is_stopped_by_interrupt_in_the_input(ev: Evaluator) -> None:
    # What the SIGINT handler does when the input's own code holds the loop.
    ev.namespace["interrupt"] = ev.interrupt
    outcome = await ev.run("import time\ndeadline = time.monotonic() + 5\nwhile time.monotonic() < deadline:\n    interrupt()")
    assert outcome.kind == "interrupted"


async def test_ctrl_c_landing_in_a_background_tasks_step_stops_the_input_not_that_task(ev: Evaluator) -> None:
    # The signal handler runs in whichever task holds the loop at that instant: here a
    # ticker mid-step, while the input waits.  The input stops; the ticker lives on.
    ev.namespace["interrupt"] = ev.interrupt
    await ev.run("ticks = []\n"
                 "async def tick():\n"
                 "    while True:\n"
                 "        ticks.append(1)\n"
                 "        if len(ticks) == 5:\n"
                 "            interrupt()\n"
                 "        await asyncio.sleep(0.01)\n"
                 "ticker = asyncio.create_task(tick())")
    outcome = await asyncio.wait_for(ev.run("await asyncio.sleep(100)"), 5)
    assert outcome.kind == "interrupted"
    before = len(ev.namespace["ticks"])
    await asyncio.sleep(0.1)
    assert len(ev.namespace["ticks"]) > before
    assert not ev.namespace["ticker"].done()


async def test_code_can_run_in_another_namespace_quietly_with_a_timeout(ev: Evaluator, shown: Shown) -> None:
    await ev.run("async def slow():\n    await asyncio.sleep(100)\n")
    layered = dict(ev.namespace, helper=lambda: "from the layer")
    outcome = await ev.run("seen = helper()\n'not displayed'", namespace=layered, show_values=False)
    assert outcome.kind == "ok"
    assert layered["seen"] == "from the layer"
    assert "seen" not in ev.namespace and "helper" not in ev.namespace
    assert shown.text == ""
    outcome = await ev.run("await slow()", namespace=layered, timeout=0.1)
    assert outcome.kind == "timeout"
    assert not ev.running


async def test_transforms_rewrite_typed_code_and_input_callbacks_run(ev: Evaluator, shown: Shown) -> None:
    import ast

    class Double(ast.NodeTransformer):
        def visit_Constant(self, node: ast.Constant) -> ast.AST:
            return ast.Constant(node.value * 2) if isinstance(node.value, int) else node

    seen: list[str] = []
    ev.transforms.append(Double().visit)
    ev.on_input_start.append(lambda task: seen.append("start " + task.get_name()))
    ev.on_input_end.append(lambda task: seen.append("end " + task.get_name()))
    await ev.run("21")
    assert shown.text == "42\n"
    assert seen == ["start input-1", "end input-1"]


@pytest.mark.parametrize("blocking", ["while True: pass", "import time; time.sleep(100)"], ids=["spin", "sleep"])
async def test_a_timeout_also_stops_sync_code_that_holds_the_loop(ev: Evaluator, blocking: str) -> None:
    import signal

    previous = signal.signal(signal.SIGINT, ev.handle_sigint)
    try:
        started = time.perf_counter()
        outcome = await ev.run(blocking, timeout=0.3)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert outcome.kind == "timeout"
    assert time.perf_counter() - started < 10  # not 100 s, not forever
    assert (await ev.run("'usable'")).kind == "ok"


async def test_a_tasks_repr_is_what_python_shows_without_the_shells_callback(ev: Evaluator) -> None:
    await ev.run("async def kale():\n    await asyncio.sleep(10)")
    await ev.run("t = asyncio.create_task(kale())")
    try:
        text = repr(ev.namespace["t"])
        assert text.startswith("<Task pending name='kale-1' coro=<kale() running at <input-1>:2>")
        assert "TaskWatch" not in text, text
        assert not text.endswith("]>"), text
    finally:
        ev.namespace["t"].cancel()


async def test_a_paste_of_several_statements_shows_only_the_last_value_as_python_3_13_does() -> None:
    shown: list[str] = []
    ev = Evaluator(write=shown.append)
    await ev.run("x = 20\nx + 1\nx + 2")
    assert shown == ["22\n"]
    shown.clear()
    await ev.run("async def nap(s):\n    await asyncio.sleep(0)\n    return s\nawait nap(0.5)\nawait nap(0.5)\nfor i in range(2):\n    i")
    assert shown == ["0\n", "1\n"]  # the last statement shows what it would alone, inside its blocks too
    shown.clear()
    await ev.run("x + 3")
    assert shown == ["23\n"] and ev.namespace["_"] == 23


async def test_one_contextvars_context_for_the_whole_session() -> None:
    ev = Evaluator(write=lambda text: None)
    await ev.run("import contextvars\nvar = contextvars.ContextVar('var', default='default')")
    await ev.run("var.set('kept')")
    await ev.run("seen_next_input = var.get()")
    await ev.run("async def set_var():\n    var.set('from a coroutine')\n")
    await ev.run("await set_var()")
    await ev.run("after_await = var.get()")
    await ev.run("async def read():\n    return var.get()\n")
    await ev.run("from_task = await asyncio.create_task(read())")
    await ev.run("async def change():\n    var.set('only in that task')\n")
    await ev.run("await asyncio.create_task(change())\nafter_task = var.get()")
    ns = ev.namespace
    assert ns["seen_next_input"] == "kept"
    assert ns["after_await"] == "from a coroutine"
    assert ns["from_task"] == "from a coroutine"  # a task started later copies the session's context
    assert ns["after_task"] == "from a coroutine"  # and its own changes stay in it
