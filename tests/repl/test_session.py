"""The read → run → show loop, fed from a list as a pipe would feed it; and the bad input it must survive."""

from __future__ import annotations

import asyncio
import builtins
import io
import sys
from pathlib import Path
from typing import Iterator

import pytest

from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.session import Session
from support import run_inputs


async def test_values_commands_and_errors_reach_the_right_stream() -> None:
    t = await run_inputs(["1 + 1", "%help", "1 / 0", "'still here'"])
    assert t.stdout.startswith("2\nShell commands")
    assert "%quit" in t.stdout and "%help" in t.stdout
    assert "ZeroDivisionError: division by zero" in t.stderr
    assert t.stdout.endswith("'still here'\n")
    assert t.code == 1  # like a script, a run in which an input failed says so in its status


async def test_an_unknown_command_is_one_line_with_a_suggestion() -> None:
    t = await run_inputs(["%hlep", "%frobnicate"])
    assert t.stderr == "Unknown command %hlep. Did you mean %help?\nUnknown command %frobnicate. Type %help for the list.\n"


async def test_help_on_one_command() -> None:
    t = await run_inputs(["%help quit"])
    assert t.stdout.startswith("%quit\n    Leave asyncshell")
    assert "Example: %quit" in t.stdout


async def test_help_on_a_lazy_command_gives_its_arguments_and_an_example() -> None:
    from asyncshell.features import register
    from asyncshell.repl.commands import registry

    commands = registry.copy()
    register(commands)
    out = io.StringIO()
    console = Console(out, out, color=False)
    session = Session(Evaluator(write=console.write), console, commands=commands, interactive=False)
    t = await run_inputs(["%help %cancel"], session=session)
    t.out = out
    assert t.stdout.splitlines() == [
        "%cancel ID|NAME|all",
        "    Cancel one of your tasks, or all of them.",
        "    ID is the number %tasks shows, NAME a task's name, all cancels every one of your tasks. Each gets "
        "CancelledError where it waits.",
        "    Example: %cancel all",
    ]


@pytest.mark.parametrize("line", ["%quit", "exit()", "quit()", "raise SystemExit"])
async def test_leaving_is_status_zero_and_stops_reading(line: str) -> None:
    t = await run_inputs([line, "print('never')"])
    assert t.code == 0
    assert "never" not in t.stdout


async def test_sys_exit_with_a_status_or_message() -> None:
    assert (await run_inputs(["import sys; sys.exit(4)"])).code == 4
    t = await run_inputs(["raise SystemExit('goodbye')"])
    assert (t.code, t.stderr) == (1, "goodbye\n")


async def test_exit_lists_and_cancels_the_tasks_still_running() -> None:
    t = await run_inputs(
        [
            "cleaned = []\nasync def worker():\n    try:\n        await asyncio.sleep(100)\n    finally:\n        cleaned.append(True)\n",
            "w = asyncio.create_task(worker())",
            "await asyncio.sleep(0)",
        ]
    )
    assert "Cancelling 1 task still running:\n  worker-1 (worker() at <input-1>:4)\n" in t.stdout
    assert t.session is not None
    assert t.session.evaluator.namespace["cleaned"] == [True]
    assert t.session.evaluator.namespace["w"].cancelled()


async def test_a_background_failure_nobody_awaits_is_reported_once_in_a_short_block() -> None:
    t = await run_inputs(["async def boom():\n    raise RuntimeError('broke')\n", "b = asyncio.create_task(boom())", "await asyncio.sleep(0.05)", "1"])
    assert t.stderr.count("RuntimeError: broke") == 1
    assert "Task 'boom-1' failed and nothing awaited it" in t.stderr
    assert "asyncshell" not in t.stderr.replace("Task 'boom-1'", "")
    assert t.stdout.endswith("1\n")


async def test_background_tasks_failing_the_same_way_are_folded_into_one_report() -> None:
    t = await run_inputs([
        "async def boom():\n    await asyncio.sleep(0.01)\n    raise RuntimeError('broke')\n",
        "ts = [asyncio.create_task(boom()) for _ in range(4)]",
        "async def other():\n    raise ValueError('different')\n",
        "o = asyncio.create_task(other())",
        "await asyncio.sleep(0.1)",
    ])
    assert t.stderr.count("RuntimeError: broke") == 1
    assert t.stderr.count("ValueError: different") == 1
    assert "Task 'boom-1' failed and nothing awaited it" in t.stderr
    assert "3 more tasks failed the same way: boom-2, boom-3, boom-4." in t.stdout


async def test_a_failure_that_the_input_awaits_is_not_reported_twice() -> None:
    t = await run_inputs(["async def boom():\n    raise RuntimeError('broke')\n", "b = asyncio.create_task(boom())\nawait asyncio.sleep(0.05)\nawait b"])
    assert t.stderr.count("RuntimeError: broke") == 1
    assert "nothing awaited it" not in t.stderr


async def test_a_never_awaited_coroutine_warning_is_shown_with_its_line() -> None:
    t = await run_inputs(["async def fetch():\n    return 1\n", "async def main():\n    fetch()\n", "await main()", "await main()"])
    assert t.stderr.count("RuntimeWarning: coroutine 'fetch' was never awaited") == 2
    assert "<input-2>:2: RuntimeWarning" in t.stderr
    assert "    fetch()" in t.stderr


# Bad input: nothing typed may crash the shell or show a traceback of asyncshell's own code.

EXCEPTIONS = [
    "raise ValueError('v')",
    "raise Exception",
    "class Weird(Exception):\n    def __str__(self):\n        raise RuntimeError('no str')\nraise Weird()",
    "raise ExceptionGroup('many', [ValueError(1), TypeError(2)])",
    "raise BaseException('base')",
    "raise GeneratorExit",
    "raise asyncio.CancelledError",
    "raise MemoryError",
    "import os; os.fspath(1)",
    "undefined_name",
    "await 5",
    "def r(): return r()\nr()",
    "raise KeyboardInterrupt",
]


@pytest.mark.parametrize("source", EXCEPTIONS)
async def test_every_kind_of_exception_is_shown_and_the_shell_goes_on(source: str) -> None:
    t = await run_inputs([source, "'alive'"])
    assert t.stdout.endswith("'alive'\n")
    assert t.stderr.strip(), "the error must be shown"
    assert "asyncshell/" not in t.stderr
    assert t.code == 1  # the shell went on, and the status says something failed


@pytest.mark.parametrize("source", ["1 +", "def f(:", "x = (", "\tif True:\n  pass", "a b c", "%", "%%", "print('unterminated"])
async def test_syntax_errors_and_nonsense_are_shown(source: str) -> None:
    t = await run_inputs([source, "'alive'"])
    assert t.stdout.endswith("'alive'\n")
    assert "asyncshell/" not in t.stderr


async def test_printing_ten_megabytes() -> None:
    t = await run_inputs(["'x' * 10_000_000", "len(_)"])
    assert len(t.stdout) > 10_000_000
    assert t.stdout.endswith("10000000\n")


@pytest.fixture
def restore_print() -> Iterator[None]:
    saved = builtins.print
    yield
    builtins.print = saved


@pytest.mark.parametrize("damage", ["del asyncio", "asyncio = None", "import builtins; del builtins.print", "__builtins__ = {}"])
async def test_damaging_the_namespace_does_not_break_the_shell(damage: str, restore_print: None) -> None:
    t = await run_inputs([damage, "%help", "'still answering'", "async def f():\n    return 'ran'\n", "await f()"])
    assert "Shell commands" in t.stdout
    assert t.stdout.endswith("'still answering'\n'ran'\n")
    assert "asyncshell/" not in t.stderr


async def test_replacing_or_closing_sys_stdout_keeps_the_shell_talking() -> None:
    saved = sys.stdout
    try:
        t = await run_inputs(["import io, sys\nsys.stdout = io.StringIO()", "print('lost')", "6 * 7", "sys.stdout = None", "print('nowhere')", "'still'"])
    finally:
        sys.stdout = saved
    assert t.stdout == "42\n'still'\n"
    assert t.stderr == ""


async def test_a_lazy_command_loads_its_module_on_first_use() -> None:
    from asyncshell.repl.commands import CommandRegistry

    commands = CommandRegistry()
    commands.lazy("shout", "say it loudly", "%shout WORDS", "tests_lazy_target:shout")
    import sys
    import types

    module = types.ModuleType("tests_lazy_target")
    module.shout = lambda session, arg: session.console.write(arg.upper() + "\n")  # type: ignore[attr-defined]
    sys.modules["tests_lazy_target"] = module
    try:
        from asyncshell.repl.console import Console
        from asyncshell.repl.evaluator import Evaluator
        from asyncshell.repl.session import Session
        import io

        out = io.StringIO()
        console = Console(out)
        session = Session(Evaluator(write=console.write), console, commands=commands, interactive=False)
        await session.handle("%shout hello there")
        await session.handle("%shout again")
    finally:
        del sys.modules["tests_lazy_target"]
    assert out.getvalue() == "HELLO THERE\nAGAIN\n"


async def test_enter_on_an_empty_line_calls_the_hook() -> None:
    calls = []
    t = await run_inputs(["1"])
    assert t.session is not None
    t.session.hooks.on_empty_input = lambda: calls.append("next")
    await t.session.handle("   ")
    assert calls == ["next"]


async def test_notes_and_explanations_follow_the_input() -> None:
    t = await run_inputs([])
    session = t.session
    assert session is not None
    session.hooks.explain = lambda subject: "explained: " + type(subject).__name__ if isinstance(subject, ZeroDivisionError) else None
    session.evaluator.on_input_start.append(lambda task: session.evaluator.notes.append("a note about this input"))
    await session.handle("1/0")
    await session.handle("'fine'")
    # A note follows the input's own output; the explanation follows the traceback.
    assert t.stdout == "a note about this input\nexplained: ZeroDivisionError\n'fine'\na note about this input\n"
    assert "ZeroDivisionError: division by zero" in t.stderr


async def test_a_bug_in_a_command_is_one_line_and_the_session_goes_on(asyncshell_home: Path) -> None:
    from asyncshell.repl.commands import CommandRegistry
    from asyncshell.repl.console import Console
    from asyncshell.repl.evaluator import Evaluator
    from asyncshell.repl.session import Session

    commands = CommandRegistry()

    @commands.command("broken", "always fails")
    def broken(session: Session, arg: str) -> None:
        raise TypeError("oops")

    console_out = io.StringIO()
    console = Console(console_out)
    session = Session(Evaluator(write=console.write), console, commands=commands, interactive=False)
    t = await run_inputs(["%broken", "'still here'"], session=session)
    text = console_out.getvalue()
    assert text.startswith("%broken: internal error, this is a bug: TypeError: oops; details in ")
    assert text.endswith("'still here'\n")
    assert t.code == 0
    assert "TypeError: oops" in (asyncshell_home / "crash.log").read_text()


async def test_deferred_setup_runs_once_before_the_first_input() -> None:
    ran: list[str] = []
    t = await run_inputs([])
    session = t.session
    assert session is not None
    session.defer(lambda: ran.append("set up"))
    await session.handle("1")
    await session.handle("2")
    session.run_deferred()
    assert ran == ["set up"]


# The classic mistake, with a way out for the test's own clean-up: set `done = True`.
SWALLOWER = (
    "done = False\n"
    "async def worker():\n"
    "    while not done:\n"
    "        try:\n"
    "            await asyncio.sleep(0.05)\n"
    "        except:\n"
    "            pass\n"
)


async def test_an_input_that_swallows_ctrl_c_is_abandoned_within_a_bound_and_said_where() -> None:
    from asyncshell.repl.evaluator import CANCEL_GRACE

    console_out = io.StringIO()
    console = Console(console_out, console_out, color=False)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    await session.handle(SWALLOWER)
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, session.evaluator.interrupt)  # Ctrl-C, as the signal handler calls it
    started = loop.time()
    try:
        await asyncio.wait_for(session.handle("await worker()"), CANCEL_GRACE + 3)
        assert loop.time() - started < CANCEL_GRACE + 1.5
        text = console_out.getvalue()
        assert "The input caught the CancelledError meant to stop it and went on" in text
        assert "(it is at <input-1> line 5: `await asyncio.sleep(0.05)`)" in text
        assert "bare `except:`" in text
        await session.handle("'still here'")
        assert "'still here'" in console_out.getvalue()
    finally:
        session.evaluator.namespace["done"] = True


async def test_leaving_with_a_task_that_swallows_cancellation_is_bounded() -> None:
    started = asyncio.get_running_loop().time()
    t = await asyncio.wait_for(run_inputs([SWALLOWER, "w = asyncio.create_task(worker())", "await asyncio.sleep(0.1)"]), 10)
    assert asyncio.get_running_loop().time() - started < 5
    assert t.code == 0
    assert t.session is not None
    t.session.evaluator.namespace["done"] = True
    assert "1 did not stop within 2 s; they caught CancelledError and went on: worker-1 (at <input-1> line 5" in t.stdout


@pytest.mark.parametrize("word", ["exit", "quit", "  exit  "])
async def test_exit_or_quit_typed_bare_leaves(word: str) -> None:
    t = await run_inputs([word, "print('never')"])
    assert t.code == 0 and "never" not in t.stdout


async def test_a_redefined_exit_is_just_a_name() -> None:
    t = await run_inputs(["exit = 'mine'", "exit", "'still here'"])
    assert t.stdout == "'mine'\n'still here'\n"


async def test_after_an_error_post_mortem_debugging_finds_it() -> None:
    t = await run_inputs(["def inner():\n    secret = 42\n    1 / 0\n", "inner()",
                          "import sys\nframe = sys.last_traceback\nwhile frame.tb_next:\n    frame = frame.tb_next\n"
                          "frame.tb_frame.f_locals['secret'], sys.last_type.__name__"])
    assert t.stdout.endswith("(42, 'ZeroDivisionError')\n")
    if sys.version_info >= (3, 12):
        assert isinstance(sys.last_exc, ZeroDivisionError)
