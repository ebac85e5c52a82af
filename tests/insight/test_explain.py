"""Friendly explanations: each classic asyncio mistake gets at most three dim lines naming the learner's line and the fix."""

from __future__ import annotations

import ast
import inspect
import io
import warnings

import pytest

from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.insight import explain as explain_module
from asyncshell.insight.explain import Explainer, LessonLink, install_explanations
from asyncshell.insight.mistakes import MISTAKES
from asyncshell.insight.rewrite import install_rewrites
from asyncshell.repl.session import Session
from support import Transcript, run_inputs

FETCH = "async def fetch():\n    await asyncio.sleep(0)\n    return 1\n"
LESSON = "Lesson 'First steps with asyncio' covers this: %learn first-steps"
TAUGHT = {"never-awaited", "bare-coroutine", "not-awaitable", "await-outside-async", "coroutine-expected"}


def lesson_link(kind: str) -> str | None:
    """A course where one lesson teaches ``TAUGHT`` (course/teaching.py finds the real one)."""
    assert kind in MISTAKES, kind  # every explanation names its kind from the one vocabulary
    return LESSON if kind in TAUGHT else None


async def explained(inputs: list[str], *, rewrites: bool = False, link: LessonLink | None = lesson_link) -> Transcript:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, color=False)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    install_explanations(session, lesson_link=link)
    if rewrites:
        install_rewrites(session)
    transcript = await run_inputs(inputs, session=session)
    transcript.out, transcript.err = out, err
    return transcript


def only_explanation(t: Transcript) -> list[str]:
    """The lines the shell added on stdout (inputs here display nothing); never more than three."""
    lines = t.stdout.splitlines()
    assert 1 <= len(lines) <= 3, t.stdout
    return lines


async def test_a_coroutine_never_awaited_names_the_call_and_its_line() -> None:
    t = await explained([FETCH, "async def main():\n    x = 1\n    fetch()\n", "await main()"])
    assert "<input-2>:3: RuntimeWarning: coroutine 'fetch' was never awaited" in t.stderr
    assert only_explanation(t) == [
        "<input-2> line 3: `fetch()` made a coroutine object, but nothing awaited it, so its body never ran.",
        "Write `await fetch()` where you need its result (in an `async def`, or at the prompt). "
        "Only to let it run on in the background while you go on: `asyncio.create_task(fetch())`.",
        LESSON,
    ]


async def test_a_bare_call_at_the_prompt_asks_did_you_mean_await_and_closes_it_quietly() -> None:
    t = await explained([FETCH, "fetch()", "_ = None\nimport gc\ncollected = gc.collect()\n'next'"])
    shown, note, last = t.stdout.splitlines()
    assert shown.startswith("<coroutine object fetch at 0x")  # what Python's REPL shows
    assert note == f"`fetch()` made a coroutine object but did not run it: did you mean `await fetch()`? ({LESSON})"
    assert last == "'next'"
    assert "never awaited" not in t.stderr  # closed, so no second, later warning


async def test_a_bare_call_that_is_awaited_later_in_the_input_or_is_not_a_coroutine_is_quiet() -> None:
    # A paste shows its last value only (as Python 3.13 does), so `_` is what came before it.
    t = await explained([FETCH, "len('abc')", "c = asyncio.sleep(0)\nawait c\nlen('ab')", "print('x')"])
    assert t.stdout == "3\n2\n"
    assert "did you mean" not in t.stdout and t.stderr == ""


async def test_awaiting_something_not_awaitable() -> None:
    t = await explained(["import time", "await None", "async def load():\n    return 1\n", "async def main():\n    await load\n", "await main()"])
    assert "TypeError: object NoneType can't be used in 'await' expression" in t.stderr
    lines = t.stdout.splitlines()
    assert lines[0].startswith("<input-2> line 1: `await` needs an awaitable (a coroutine, a task or a future), and this was a NoneType")
    assert "<input-4> line 2: " in t.stdout and "this was a function: did you leave out the call, as in `await load()`?" in t.stdout
    assert t.stdout.count(LESSON) == 2


async def test_await_inside_a_plain_def_says_make_it_async_def() -> None:
    t = await explained(["def load():\n    data = 1\n    return await fetch()\n"])
    assert "SyntaxError: 'await' outside async function" in t.stderr
    assert only_explanation(t) == [
        "<input-1> line 3: `await` only works inside an `async def` (or at the top of an input here): make it `async def load(...)`, then `await` it where you call it.",
        LESSON,
    ]


async def test_asyncio_run_inside_the_running_loop_and_no_second_warning() -> None:
    t = await explained([FETCH, "def go():\n    return asyncio.run(fetch())\n", "go()"])
    assert "RuntimeError: asyncio.run() cannot be called from a running event loop" in t.stderr
    assert only_explanation(t) == [
        "<input-2> line 2: asyncio.run() starts a new event loop, but one is already running here (the shell's).",
        "In async code write `await fetch()` instead; typed at the top of an input, asyncio.run(...) just works here.",
    ]
    assert "never awaited" not in t.stderr


async def test_run_until_complete_inside_the_running_loop() -> None:
    t = await explained([FETCH, "def go():\n    loop = asyncio.get_event_loop()\n    loop.run_until_complete(fetch())\n", "go()"])
    assert "RuntimeError: This event loop is already running" in t.stderr
    assert only_explanation(t) == [
        "<input-2> line 3: run_until_complete() and run_forever() start a loop, but the shell's loop is already running.",
        "In async code write `await fetch()`; at the top of an input the shell does that for you.",
    ]
    assert "never awaited" not in t.stderr


async def test_a_task_exception_nobody_retrieved() -> None:
    t = await explained(["async def boom():\n    raise ValueError('bad')\n", "b = asyncio.create_task(boom())", "await asyncio.sleep(0.05)"])
    assert "Task 'boom-1' failed and nothing awaited it" in t.stderr
    assert only_explanation(t) == [
        "<input-1> line 2: nothing awaited task 'boom-1', so its error only came to light now.",
        "Keep the task and `await` it (or use asyncio.gather / a TaskGroup) to get its result or error where you need it.",
    ]


async def test_task_exception_was_never_retrieved_from_the_loop() -> None:
    t = await explained(
        [
            "async def boom():\n    raise ValueError('bad')\n",
            "loop = asyncio.get_running_loop()\nhandle = loop.call_soon(lambda: loop.create_task(boom()))\n"
            "await asyncio.sleep(0.05)\nimport gc\ncollected = gc.collect()",
        ]
    )
    assert "Task exception was never retrieved" in t.stderr
    assert only_explanation(t)[0] == "<input-1> line 2: nothing awaited the task running boom(), so its error only came to light now."


async def test_a_pending_task_destroyed() -> None:
    t = await explained(
        [
            "async def waits():\n    await asyncio.get_running_loop().create_future()\n",
            "t = asyncio.create_task(waits())\nawait asyncio.sleep(0)\ndel t\nimport gc\ncollected = gc.collect()",
        ]
    )
    assert "Task was destroyed but it is pending!" in t.stderr
    assert only_explanation(t) == [
        "<input-1> line 1: the task running waits() was thrown away while still waiting, because nothing kept a reference to it.",
        "Keep the tasks you start (in a variable or a set) until they finish, and await them.",
    ]


async def test_no_running_event_loop_from_a_thread() -> None:
    t = await explained([FETCH, "def in_thread():\n    return asyncio.get_running_loop()\n", "await asyncio.to_thread(in_thread)"])
    assert "RuntimeError: no running event loop" in t.stderr
    assert only_explanation(t) == [
        "<input-2> line 2: this needs a running event loop, but it ran outside one (in a thread, or in code no task is running).",
        "From a thread, hand work to the loop: asyncio.run_coroutine_threadsafe(coro, loop) or loop.call_soon_threadsafe(...).",
    ]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
async def test_create_task_in_a_plain_thread_is_explained_after_the_threads_traceback() -> None:
    t = await explained(
        [
            FETCH,
            "import threading\ndef start_in_thread():\n    asyncio.create_task(fetch())\n",
            "worker = threading.Thread(target=start_in_thread)\nworker.start()\nworker.join()\nawait asyncio.sleep(0.05)",
        ]
    )
    assert only_explanation(t)[0] == (
        "<input-2> line 3: this needs a running event loop, but it ran outside one (in a thread, or in code no task is running)."
    )


async def test_a_cancelled_task_awaited() -> None:
    t = await explained(["t = asyncio.create_task(asyncio.sleep(30))\nawait asyncio.sleep(0)\n_ = t.cancel()\nawait t"])
    assert "CancelledError" in t.stderr
    assert only_explanation(t)[0].startswith("<input-1> line 4: this was cancelled (task.cancel(), a timeout, or a TaskGroup")


async def test_a_timeout() -> None:
    t = await explained([FETCH, "async def slow():\n    await asyncio.sleep(30)\n", "await asyncio.wait_for(slow(), 0.01)"])
    assert "TimeoutError" in t.stderr
    assert only_explanation(t)[0] == "<input-3> line 1: the wait timed out: asyncio.wait_for / asyncio.timeout gave up and cancelled the work."


async def test_passing_the_function_instead_of_the_coroutine() -> None:
    t = await explained([FETCH, "asyncio.create_task(fetch)"])
    assert only_explanation(t) == ["<input-2> line 1: this wants a coroutine: pass `fetch()` (called), not `fetch`.", LESSON]


async def test_ordinary_errors_get_no_explanation() -> None:
    t = await explained(["1 / 0", "raise RuntimeError('mine')", "import warnings; warnings.warn('careful')"])
    assert "ZeroDivisionError" in t.stderr and "UserWarning: careful" in t.stderr
    assert t.stdout == ""


async def test_with_rewrites_the_tutorial_idiom_gets_a_note_not_an_error() -> None:
    t = await explained([FETCH, "asyncio.run(fetch())"], rewrites=True)
    assert t.stdout == "1\nthe loop is already running here, so `asyncio.run(fetch())` ran as `await fetch()`\n"
    assert t.stderr == ""


def test_the_explainer_ignores_what_it_does_not_know() -> None:
    explain = Explainer()
    assert explain(object()) is None
    assert explain({}) is None
    assert explain(warnings.WarningMessage("coroutine 'x' was never awaited", RuntimeWarning, "/elsewhere/lib.py", 3)) is not None


def test_every_kind_of_mistake_a_lesson_may_teach_is_one_an_explanation_gives() -> None:
    source = inspect.getsource(explain_module)
    strings = {node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant)}
    assert set(MISTAKES) <= strings  # a kind no explanation gives would never link to its lesson


async def test_without_a_lesson_link_explanations_name_no_lesson() -> None:
    t = await explained([FETCH, "fetch()", "asyncio.create_task(fetch)"], link=None)
    assert "did you mean `await fetch()`?" in t.stdout and "this wants a coroutine" in t.stdout
    assert "covers this" not in t.stdout


async def test_never_awaited_names_the_line_where_the_coroutine_was_made_and_a_call_that_works() -> None:
    t = await explained(["def fetch_url():\n    return 1\n", "coro = asyncio.to_thread(fetch_url)", "del coro"])
    assert "<input-2>:1: RuntimeWarning: coroutine 'to_thread' was never awaited" in t.stderr
    assert "asyncshell" not in t.stderr
    lines = only_explanation(t)
    assert lines[0] == "<input-2> line 1: `asyncio.to_thread(fetch_url)` made a coroutine object, but nothing awaited it, so its body never ran."
    assert lines[1].startswith("Write `await asyncio.to_thread(fetch_url)`")


async def test_the_same_forgotten_await_made_four_times_in_one_input_is_said_once() -> None:
    t = await explained([FETCH, "def call():\n    fetch()\n", "for _ in range(4):\n    call()"])
    assert t.stderr.count("was never awaited") == 1
    assert t.stdout.count("made a coroutine object") == 1


async def test_await_time_sleep_says_use_asyncio_sleep() -> None:
    t = await explained(["import time\nasync def nap():\n    await time.sleep(0.01)\n", "await nap()"])
    assert "TypeError" in t.stderr
    lines = only_explanation(t)
    assert lines[0].startswith("<input-1> line 3: use `await asyncio.sleep(0.01)`: `time.sleep` blocks the whole loop")
    assert "drop `await`" not in t.stdout


async def test_gather_given_a_list_gets_its_own_explanation_and_no_never_awaited_noise() -> None:
    t = await explained([FETCH, "await asyncio.gather([fetch(), fetch()])", "import gc; _ = gc.collect()"])
    lines = only_explanation(t)
    assert lines[0] == "<input-2> line 1: asyncio.gather takes each awaitable as its own argument, not one list:"
    assert lines[1] == "write `await asyncio.gather(*coros)`; the `*` passes the list's items one by one."
    assert "never awaited" not in t.stderr


async def test_a_call_where_the_loop_wanted_a_function_to_call_later() -> None:
    t = await explained(["inbox = []\nloop = asyncio.get_running_loop()\nloop.call_soon(inbox.append('hi'))\nawait asyncio.sleep(0.01)"])
    assert "Exception in callback None()" in t.stderr
    assert only_explanation(t)[0].startswith("The loop was handed None to call: a `call_soon` or `call_later` got the result")
