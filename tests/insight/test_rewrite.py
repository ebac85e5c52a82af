"""Tutorial code runs as pasted: asyncio.run and loop.run_until_complete at the top of an input run on the live loop."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.insight.rewrite import SHIM_NAME, install_rewrites
from asyncshell.repl.session import Session
from support import Transcript, child_env, installed_asyncshell, run_inputs

MAIN = "async def main():\n    await asyncio.sleep(0.01)\n    print('hello from main')\n    return 42\n"
RAN = "the loop is already running here, so `asyncio.run(main())` ran as `await main()`"


async def with_rewrites(inputs: list[str]) -> Transcript:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, color=False)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    install_rewrites(session)
    transcript = await run_inputs(inputs, session=session)
    transcript.out, transcript.err = out, err
    return transcript


def names(t: Transcript) -> dict[str, object]:
    assert t.session is not None
    return t.session.evaluator.namespace


async def test_asyncio_run_typed_alone_runs_main_then_one_note(capsys: pytest.CaptureFixture[str]) -> None:
    t = await with_rewrites([MAIN, "asyncio.run(main())", "'still here'"])
    assert capsys.readouterr().out == "hello from main\n"
    assert t.stdout == f"42\n{RAN}\n'still here'\n"
    assert t.stderr == ""


async def test_asyncio_run_inside_expressions_and_under_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    t = await with_rewrites(
        [
            MAIN,
            "r = asyncio.run(main())",
            "print(asyncio.run(main()) + 1)",
            "import asyncio as aio\nfrom asyncio import run\ntotal = aio.run(main()) + run(main())",
        ]
    )
    assert (names(t)["r"], names(t)["total"]) == (42, 84)
    assert "43\n" in capsys.readouterr().out
    assert t.stdout == (
        f"{RAN}\n{RAN}\n"
        "the loop is already running here, so `aio.run(main())` ran as `await main()`\n"
        "the loop is already running here, so `run(main())` ran as `await main()`\n"
    )


async def test_inside_top_level_blocks_with_one_note_per_input() -> None:
    script = (
        "results = []\n"
        "if __name__ == '__main__':\n"
        "    for _ in range(3):\n"
        "        try:\n"
        "            results.append(asyncio.run(main()))\n"
        "        finally:\n"
        "            results.append('tidy')\n"
    )
    t = await with_rewrites([MAIN, script])
    assert names(t)["results"] == [42, "tidy"] * 3
    assert t.stdout == f"{RAN}\n"


async def test_in_top_level_with_blocks_and_comprehensions() -> None:
    t = await with_rewrites([MAIN, "import contextlib\nwith contextlib.suppress(KeyError):\n    both = [asyncio.run(main()) for _ in range(2)]\n"])
    assert names(t)["both"] == [42, 42]
    assert t.stdout == f"{RAN}\n"


@pytest.mark.parametrize(
    "define, call",
    [
        ("def go():\n    return asyncio.run(main())\n", "go()"),
        ("go = lambda: asyncio.run(main())", "go()"),
        ("class Go:\n    def __init__(self):\n        asyncio.run(main())\n", "Go()"),
    ],
)
async def test_in_def_lambda_or_class_bodies_asyncio_run_runs_on_a_loop_of_its_own(define: str, call: str) -> None:
    t = await with_rewrites([MAIN, define, call, "'alive'"])
    assert t.stderr == "" and "hello from main" not in t.stderr
    assert "ran on a fresh event loop in a helper thread" in t.stdout
    assert "ran as" not in t.stdout and t.stdout.endswith("'alive'\n")


async def test_exceptions_come_out_as_in_a_script_with_only_the_learners_frames() -> None:
    t = await with_rewrites(
        [
            "async def main():\n    await asyncio.sleep(0)\n    raise KeyError('missing')\n",
            "asyncio.run(main())",
            "asyncio.run(main)",
            "1 + 1",
        ]
    )
    assert 'File "<input-2>", line 1, in <module>\n    asyncio.run(main())' in t.stderr
    assert 'File "<input-1>", line 3, in main' in t.stderr
    assert "KeyError: 'missing'" in t.stderr
    assert "ValueError: a coroutine was expected, got <function main" in t.stderr
    assert SHIM_NAME not in t.stderr and "asyncshell" not in t.stderr
    assert t.stdout.endswith("2\n")


async def test_like_asyncio_run_the_tasks_main_leaves_running_are_cancelled() -> None:
    t = await with_rewrites(
        [
            "async def ticker():\n    await asyncio.sleep(30)\n",
            "async def main():\n    global left\n    left = asyncio.create_task(ticker())\n    await asyncio.sleep(0)\n",
            "asyncio.run(main())",
            "left.cancelled()",
        ]
    )
    assert t.stdout == (
        "the loop is already running here, so `asyncio.run(main())` ran as `await main()`; "
        "like asyncio.run, it then cancelled 1 task left running\nTrue\n"
    )


async def test_tasks_started_earlier_keep_running() -> None:
    t = await with_rewrites(
        [MAIN, "async def ticker():\n    await asyncio.sleep(30)\n", "earlier = asyncio.create_task(ticker())", "asyncio.run(main())", "earlier.done()"]
    )
    assert f"{RAN}\nFalse\n" in t.stdout
    assert "Cancelling 1 task still running" in t.stdout  # at exit, not by asyncio.run


async def test_other_run_and_close_methods_are_called_as_written() -> None:
    job = (
        "class Job:\n"
        "    closed = False\n"
        "    def run(self, x, *, times=2):\n        return x * times\n"
        "    def close(self):\n        self.closed = True\n        return 'closed'\n"
        "    def stop(self):\n        return 'stopped'\n"
        "job = Job()\n"
    )
    t = await with_rewrites([job, "job.run(3, times=3)", "job.close(), job.stop(), job.closed", "run = job.run\nrun(5)"])
    assert t.stdout == "9\n('closed', 'stopped', True)\n10\n"


@pytest.mark.parametrize("get_loop", ["asyncio.get_event_loop()", "asyncio.get_running_loop()", "asyncio.new_event_loop()"])
async def test_run_until_complete_on_whatever_loop_the_tutorial_gets(get_loop: str) -> None:
    t = await with_rewrites([MAIN, f"loop = {get_loop}\nresult = loop.run_until_complete(main())", "result"])
    assert t.stdout == "the loop is already running here, so `loop.run_until_complete(main())` ran as `await main()`\n42\n"
    assert t.stderr == ""


async def test_the_classic_tutorial_shape_runs_end_to_end() -> None:
    tutorial = (
        "async def say_after(delay, what):\n"
        "    await asyncio.sleep(delay)\n"
        "    said.append(what)\n"
        "\n"
        "said = []\n"
        "loop = asyncio.new_event_loop()\n"
        "asyncio.set_event_loop(loop)\n"
        "try:\n"
        "    task = loop.create_task(say_after(0.02, 'world'))\n"
        "    loop.run_until_complete(say_after(0.01, 'hello'))\n"
        "    loop.run_until_complete(task)\n"
        "finally:\n"
        "    loop.close()\n"
        "print('after close')\n"
    )
    t = await with_rewrites([tutorial, "said", "task.done(), asyncio.get_running_loop().is_closed()"])
    assert names(t)["said"] == ["hello", "world"]
    assert t.stdout == (
        "the loop is already running here, so `loop.run_until_complete(say_after(0.01, 'hello'))` ran as `await say_after(0.01, 'hello')`\n"
        "the loop is already running here, so `loop.run_until_complete(task)` ran as `await task`\n"
        "`loop.close()` was skipped: the shell's loop stays open (it runs your tasks and this prompt).\n"
        "['hello', 'world']\n(True, False)\n"
    )


async def test_run_until_complete_of_a_future_and_a_gather() -> None:
    t = await with_rewrites(
        [
            "loop = asyncio.get_event_loop()\n"
            "fut = loop.create_future()\n"
            "loop.call_later(0.01, fut.set_result, 'set')\n"
            "first = loop.run_until_complete(fut)\n"
            "both = loop.run_until_complete(asyncio.gather(asyncio.sleep(0, 'a'), asyncio.sleep(0, 'b')))\n",
            "first, both",
        ]
    )
    assert t.stdout.endswith("('set', ['a', 'b'])\n")


async def test_close_stop_and_run_forever_are_refused_and_the_rest_still_runs() -> None:
    t = await with_rewrites(
        [
            "loop = asyncio.get_event_loop()\nloop.stop()\nloop.run_forever()\nloop.close()\nloop.close()\nrest = 'ran'",
            "rest, asyncio.get_running_loop().is_closed()",
            "await asyncio.sleep(0.01)\n'loop still runs'",
        ]
    )
    assert t.stdout == (
        "`loop.stop()` was skipped: stopping the shell's loop would stop the shell; to stop a task, use task.cancel().\n"
        "`loop.run_forever()` returned at once: the shell's loop is already running, and your tasks keep running after this input.\n"
        "`loop.close()` was skipped: the shell's loop stays open (it runs your tasks and this prompt).\n"
        "('ran', False)\n'loop still runs'\n"
    )


async def test_a_new_loop_stands_in_for_the_live_one_even_inside_functions() -> None:
    t = await with_rewrites(
        [
            "loop = asyncio.new_event_loop()",
            "def shut():\n    loop.stop()\n    loop.close()\n",
            "shut()",
            "def drive():\n    loop.run_until_complete(asyncio.sleep(0))\n",
            "drive()",
            "await asyncio.sleep(0.01)\nloop.time() > 0, loop.is_running(), loop.is_closed()",
        ]
    )
    assert "`loop.stop()` was skipped" in t.stdout and "`loop.close()` was skipped" in t.stdout
    assert "`loop.run_until_complete(asyncio.sleep(0))` in drive() ran on a fresh event loop" in t.stdout
    assert t.stderr == "" and t.stdout.endswith("(True, True, False)\n")


async def test_the_shim_comes_back_if_the_learner_deletes_it() -> None:
    t = await with_rewrites([MAIN, f"del {SHIM_NAME}", "asyncio.run(main())", "globals().clear()", "import asyncio\n" + MAIN + "asyncio.run(main())"])
    assert t.stdout == f"42\n{RAN}\n42\n{RAN}\n"
    assert t.stderr == ""


async def test_a_script_run_with_run_source_works_the_same(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, color=False)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    install_rewrites(session)
    outcome = await session.run_source(MAIN + "if __name__ == '__main__':\n    answer = asyncio.run(main())\n", str(tmp_path / "tut.py"))
    assert outcome.kind == "ok"
    assert session.evaluator.namespace["answer"] == 42
    assert out.getvalue() == f"{RAN}\n"


async def test_asyncio_run_with_debug_restores_the_loops_debug_mode() -> None:
    t = await with_rewrites([MAIN, "before = asyncio.get_running_loop().get_debug()\nasyncio.run(main(), debug=True)\nafter = asyncio.get_running_loop().get_debug()"])
    assert names(t)["before"] is names(t)["after"]



async def test_a_stop_or_close_that_runs_later_never_reaches_the_shells_loop() -> None:
    t = await with_rewrites(
        [
            "loop = asyncio.get_event_loop()\nloop.call_later(0.01, loop.stop)\nloop.run_forever()",
            "def shut():\n    asyncio.get_running_loop().close()\n",
            "shut()",
            "await asyncio.sleep(0.05)",
            "loop.call_soon(loop.stop)",
            "await asyncio.sleep(0.05)\n'alive'",
        ]
    )
    assert t.stdout.count("`loop.stop()` was skipped") == 2 and "`loop.close()` was skipped" in t.stdout
    assert "<Handle BaseEventLoop.stop()>" in t.stdout and "asyncshell" not in t.stdout  # shown as in a script
    assert t.stdout.endswith("'alive'\n")
    assert t.stderr == ""


# -- Tutorials piped in, as a learner pastes them: in this process, and through the installed command ------------

GATHER_TUTORIAL = (
    "import asyncio\n\n"
    "async def greet(name, delay):\n"
    "    await asyncio.sleep(delay)\n"
    "    print(f'hello, {name}')\n"
    "    return name.upper()\n\n"
    "async def main():\n"
    "    names = await asyncio.gather(greet('ada', 0.02), greet('bob', 0.01))\n"
    "    print(names)\n\n"
    "if __name__ == '__main__':\n"
    "    asyncio.run(main())\n"
    "print('done')\n"
)
COUNTDOWN_TUTORIAL = (
    "import asyncio\n\n"
    "async def countdown(n):\n"
    "    while n:\n"
    "        print(n)\n"
    "        n -= 1\n"
    "        await asyncio.sleep(0)\n"
    "    return 'liftoff'\n\n"
    "loop = asyncio.get_event_loop()\n"
    "print(loop.run_until_complete(countdown(3)))\n"
)
NEW_LOOP_TUTORIAL = (
    "import asyncio\n\n"
    "async def work(label, delay):\n"
    "    await asyncio.sleep(delay)\n"
    "    return f'{label} done'\n\n"
    "loop = asyncio.new_event_loop()\n"
    "asyncio.set_event_loop(loop)\n"
    "try:\n"
    "    task = loop.create_task(work('slow', 0.02))\n"
    "    print(loop.run_until_complete(work('quick', 0.01)))\n"
    "    print(loop.run_until_complete(task))\n"
    "finally:\n"
    "    loop.close()\n"
    "print('closed')\n"
)
STOP_TUTORIAL = (
    "import asyncio\n\n"
    "async def ticker():\n"
    "    for i in range(2):\n"
    "        print('tick', i)\n"
    "        await asyncio.sleep(0.01)\n\n"
    "loop = asyncio.get_event_loop()\n"
    "try:\n"
    "    loop.run_until_complete(ticker())\n"
    "    loop.run_forever()\n"
    "    loop.stop()\n"
    "finally:\n"
    "    loop.close()\n"
    "print('still here')\n"
)
INSIDE_A_FUNCTION = (
    "import asyncio\n\n"
    "async def main():\n"
    "    return 1\n\n"
    "def sync_entry():\n"
    "    return asyncio.run(main())\n\n"
    "sync_entry()\n"
    "print('survived')\n"
)
SKIPPED_STOP = "`loop.stop()` was skipped: stopping the shell's loop would stop the shell; to stop a task, use task.cancel().\n"
SKIPPED_CLOSE = "`loop.close()` was skipped: the shell's loop stays open (it runs your tasks and this prompt).\n"
PIPED = {
    "asyncio.run": (GATHER_TUTORIAL, f"hello, bob\nhello, ada\n['ADA', 'BOB']\n{RAN}\ndone\n"),
    "get_event_loop": (
        COUNTDOWN_TUTORIAL,
        "3\n2\n1\nliftoff\nthe loop is already running here, so `loop.run_until_complete(countdown(3))` ran as `await countdown(3)`\n",
    ),
    "new_event_loop": (
        NEW_LOOP_TUTORIAL,
        "quick done\nslow done\n"
        "the loop is already running here, so `loop.run_until_complete(work('quick', 0.01))` ran as `await work('quick', 0.01)`\n"
        "the loop is already running here, so `loop.run_until_complete(task)` ran as `await task`\n"
        f"{SKIPPED_CLOSE}closed\n",
    ),
    "stop-run_forever-close": (
        STOP_TUTORIAL,
        "tick 0\ntick 1\n"
        "the loop is already running here, so `loop.run_until_complete(ticker())` ran as `await ticker()`\n"
        "`loop.run_forever()` returned at once: the shell's loop is already running, and your tasks keep running after this input.\n"
        f"{SKIPPED_STOP}{SKIPPED_CLOSE}still here\n",
    ),
}


async def piped_in_process(script: str, capsys: pytest.CaptureFixture[str], status: int = 0) -> tuple[str, str]:
    """The session the installed command builds for a pipe, with both teaching features."""
    from asyncshell.insight.explain import install_explanations
    from asyncshell.frontends.piped import PipedReader

    console = Console(sys.stdout, sys.stderr, color=False)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    install_rewrites(session)
    install_explanations(session)
    assert await session.run(PipedReader(lambda stream=io.StringIO(script): stream)) == status
    captured = capsys.readouterr()
    return captured.out, captured.err


def piped_installed(script: str, home: Path, status: int = 0) -> tuple[str, str]:
    result = subprocess.run(
        [installed_asyncshell()], input=script, capture_output=True, text=True, timeout=60, env=child_env(home)
    )
    assert result.returncode == status, result.stderr
    return result.stdout, result.stderr


@pytest.mark.parametrize("idiom", list(PIPED))
async def test_a_pasted_tutorial_runs_in_a_session_fed_by_a_pipe(idiom: str, capsys: pytest.CaptureFixture[str]) -> None:
    script, expected = PIPED[idiom]
    assert await piped_in_process(script, capsys) == (expected, "")


@pytest.mark.parametrize("idiom", list(PIPED))
def test_a_pasted_tutorial_runs_in_the_installed_shell(idiom: str, asyncshell_home: Path) -> None:
    script, expected = PIPED[idiom]
    assert piped_installed(script, asyncshell_home) == (expected, "")


RAN_ELSEWHERE = ("`asyncio.run(main())` in sync_entry() ran on a fresh event loop in a helper thread, as it would in "
                 "a script; the shell's loop and your tasks waited until it finished.\n")


async def test_piped_asyncio_run_inside_a_function_runs_as_in_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = await piped_in_process(INSIDE_A_FUNCTION, capsys)
    assert (out, err) == (f"1\n{RAN_ELSEWHERE}survived\n", "")


def test_installed_asyncio_run_inside_a_function_runs_as_in_a_script(asyncshell_home: Path) -> None:
    assert piped_installed(INSIDE_A_FUNCTION, asyncshell_home) == (f"1\n{RAN_ELSEWHERE}survived\n", "")


async def test_asyncio_run_inside_an_async_def_is_explained_and_the_shell_survives(capsys: pytest.CaptureFixture[str]) -> None:
    script = INSIDE_A_FUNCTION.replace("def sync_entry", "async def sync_entry").replace("sync_entry()\n", "await sync_entry()\n")
    out, err = await piped_in_process(script, capsys, status=1)  # it went on; the status says an input failed
    assert err.endswith("RuntimeError: asyncio.run() cannot be called from a running event loop\n")
    assert "never awaited" not in err
    assert out == (
        "<input-3> line 2: asyncio.run() starts a new event loop, but one is already running here (the shell's).\n"
        "In async code write `await main()` instead; typed at the top of an input, asyncio.run(...) just works here.\n"
        "survived\n"
    )


@pytest.mark.parametrize("following", ["# just a comment", "def broken(:"])
async def test_a_note_belongs_to_its_input_not_to_the_next(following: str) -> None:
    t = await with_rewrites([MAIN, "asyncio.run(main())", following])
    assert t.stdout.count(RAN) == 1


DOWNLOAD = (
    "async def main():\n"
    "    await asyncio.sleep(0.05)\n"
    "    return 'downloaded'\n"
    "def download():\n"
    "    return asyncio.run(main())\n"
)


async def test_asyncio_run_inside_a_plain_function_runs_as_a_script_would_with_one_note() -> None:
    t = await with_rewrites([DOWNLOAD, "download()", "f = lambda: asyncio.run(main())", "f()", "'next'"])
    assert t.stdout.count("'downloaded'") == 2
    assert ("`asyncio.run(main())` in download() ran on a fresh event loop in a helper thread, as it would in a "
            "script; the shell's loop and your tasks waited until it finished.") in t.stdout
    assert "in <lambda>() ran on a fresh event loop" in t.stdout
    assert "cannot be called from a running event loop" not in t.stderr and t.stderr == ""
    assert t.stdout.rstrip().endswith("'next'")


async def test_loop_run_until_complete_inside_a_plain_function_too_and_errors_come_through() -> None:
    t = await with_rewrites([
        "async def boom():\n    raise ValueError('from the helper loop')\n",
        "loop = asyncio.get_event_loop()",
        "def legacy():\n    return loop.run_until_complete(boom())\n",
        "legacy()",
    ])
    assert "ValueError: from the helper loop" in t.stderr
    assert "`loop.run_until_complete(boom())` in legacy() ran on a fresh event loop" in t.stdout


async def test_inside_an_async_def_asyncio_run_still_raises_as_in_a_script() -> None:
    t = await with_rewrites([DOWNLOAD, "async def outer():\n    return asyncio.run(main())\n", "await outer()",
                             # post-mortem keeps the error, and the refused main() with it: let go here, not in a later test
                             "import gc, sys; sys.last_value = sys.last_traceback = sys.last_exc = None; _ = gc.collect()"])
    assert "asyncio.run() cannot be called from a running event loop" in t.stderr
    assert "helper thread" not in t.stdout
