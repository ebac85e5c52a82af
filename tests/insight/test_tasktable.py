"""%tasks and %cancel: the table as exact text, and what a learner sees on the live loop."""

from __future__ import annotations

import asyncio
import io
import os
import sysconfig

import pytest
from support import run_inputs

from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.insight import tasktable as tt
from asyncshell.repl.tracebacks import is_learners_file
from asyncshell.features import register
from asyncshell.repl.session import Session
from asyncshell.repl.tasks import FINISHED_KEPT

SNAPSHOT = tt.TaskSnapshot(
    50.0,
    (
        tt.TaskRow(3, "ticker-1", "pending", "ticker()", 45.5, stack=(tt.Frame("<input-2>", 4, "ticker", "await asyncio.sleep(1)"),)),
        tt.TaskRow(
            5,
            "worker-2",
            "pending",
            "worker()",
            49.25,
            stack=(tt.Frame("<input-3>", 2, "worker", "await inner()"), tt.Frame("<input-3>", 6, "inner", "await asyncio.sleep(10)")),
        ),
    ),
    (
        tt.TaskRow(1, "fetch-1", "done", "fetch()", 40.0, 48.0, "-> {'status': 200}"),
        tt.TaskRow(2, "boom-1", "failed", "boom()", 40.0, 49.9, "ValueError: bad input"),
        tt.TaskRow(4, "slow-1", "cancelled", "slow()", 41.0, 50.0, ""),
    ),
)


def test_the_table_at_a_fixed_width_and_clock() -> None:
    assert tt.render(SNAPSHOT, width=100) == (
        "2 tasks alive:\n"
        "  id  name      state      coroutine        age  waiting at\n"
        "   3  ticker-1  pending    ticker()        4.5s  <input-2>:4  await asyncio.sleep(1)\n"
        "   5  worker-2  pending    worker()       750ms  <input-3>:6  await asyncio.sleep(10)\n"
        "Finished recently:\n"
        "  id  name      state      coroutine      ended  result\n"
        "   1  fetch-1   done       fetch()     2.0s ago  -> {'status': 200}\n"
        "   2  boom-1    failed     boom()     100ms ago  ValueError: bad input\n"
        "   4  slow-1    cancelled  slow()       0ms ago  cancelled\n"
    )


def test_verbose_adds_each_tasks_frames_in_the_users_code() -> None:
    text = tt.render(SNAPSHOT, width=100, verbose=True)
    assert (
        "   5  worker-2  pending    worker()       750ms  <input-3>:6  await asyncio.sleep(10)\n"
        "        <input-3>:2 in worker: await inner()\n"
        "        <input-3>:6 in inner: await asyncio.sleep(10)\n"
    ) in text


def test_a_narrow_terminal_cuts_the_last_column_not_the_ids() -> None:
    text = tt.render(SNAPSHOT, width=60)
    assert "   2  boom-1    failed     boom()     100ms ago  ValueError…\n" in text
    assert all(len(line) <= 60 for line in text.splitlines())


def test_no_tasks_is_one_friendly_line() -> None:
    assert tt.render(tt.TaskSnapshot(1.0, (), ())) == "No tasks: nothing you started is running. asyncio.create_task(...) starts one.\n"


def test_ages_read_at_a_glance() -> None:
    assert [tt.format_age(s) for s in (0.0123, 4.25, 185, 7800)] == ["12ms", "4.2s", "3m05s", "2h10m"]


@pytest.mark.parametrize(
    ("filename", "users"),
    [("<input-3>", True), ("/home/me/crawler.py", True), (asyncio.__file__, False), ("<frozen runpy>", False), (tt.__file__, False),
     (os.path.join(sysconfig.get_paths()["scripts"], "asyncshell"), False)],  # the console script, under every stack
)
def test_only_the_learners_code_counts_as_where_a_task_is(filename: str, users: bool) -> None:
    assert is_learners_file(filename) is users


def _session() -> tuple[Session, io.StringIO]:
    commands, out = CommandRegistry(), io.StringIO()
    register(commands, "insight")
    console = Console(out, out, color=False)
    return Session(Evaluator(write=console.write), console, commands=commands, interactive=False), out


SETUP = [
    "async def worker(n):\n    await asyncio.sleep(n)\n    return n * 10",
    "async def boom():\n    raise ValueError('bad input')",
    "w = asyncio.create_task(worker(60)); q = asyncio.create_task(worker(0), name='quick'); await asyncio.sleep(0.01)",
]


async def test_tasks_lists_the_users_tasks_where_they_wait_and_what_just_finished() -> None:
    session, out = _session()
    await run_inputs([*SETUP, "%tasks"], session=session)
    text = out.getvalue()
    assert "1 task alive:" in text
    row = next(line for line in text.splitlines() if line.startswith("   1  worker-1  pending  worker()"))
    assert "<input-1>:2  await asyncio.sleep(" in row  # the await in worker's body, not inside asyncio.sleep
    assert "   2  quick     done     worker()" in text and "ago  -> 0\n" in text


async def test_verbose_shows_the_source_line_it_waits_on() -> None:
    session, out = _session()
    await run_inputs([*SETUP, "%tasks -v"], session=session)
    assert "        <input-1>:2 in worker: await asyncio.sleep(n)\n" in out.getvalue()


async def test_a_failed_task_shows_its_error_and_is_still_reported_as_unawaited() -> None:
    session, out = _session()
    await run_inputs([*SETUP[:2], "t = asyncio.create_task(boom()); await asyncio.sleep(0)", "%tasks"], session=session)
    text = out.getvalue()
    assert "failed" in text and "ValueError: bad input" in text
    assert "Task 'boom-1' failed and nothing awaited it" in text


async def test_looking_at_a_failed_task_does_not_count_as_handling_its_error() -> None:
    async def boom() -> None:
        raise ValueError("bad")

    task = asyncio.get_running_loop().create_task(boom())
    await asyncio.sleep(0)
    row = tt._row(task, None)
    assert (row.state, row.outcome) == ("failed", "ValueError: bad")
    assert task._log_traceback  # asyncio would still log it
    task.exception()


async def test_the_watch_remembers_the_last_finished_tasks_and_when() -> None:
    session, _ = _session()
    await run_inputs(["await asyncio.gather(*(asyncio.sleep(0) for _ in range(15)))"], session=session)
    finished = list(session.evaluator.tasks.finished)
    assert len(finished) == FINISHED_KEPT
    assert [task.get_name() for task in finished[-2:]] == ["sleep-14", "sleep-15"]
    assert all(task.created <= task.finished_at for task in finished)


async def test_cancel_by_id_by_name_and_all() -> None:
    session, out = _session()
    starts = "a = asyncio.create_task(worker(60)); b = asyncio.create_task(worker(60)); c = asyncio.create_task(worker(60), name='slow')"
    await run_inputs([SETUP[0], starts, "%cancel 1", "%cancel slow", "await asyncio.sleep(0)", "a.cancelled(), b.cancelled(), c.cancelled()", "%cancel all", "await asyncio.sleep(0)", "b.cancelled()"], session=session)
    text = out.getvalue()
    assert "(True, False, True)" in text
    assert "Cancelling worker-1: it gets CancelledError where it waits." in text
    assert "Cancelling slow:" in text and "Cancelling worker-2:" in text and "each gets" not in text
    assert text.rstrip().endswith("True")


async def test_cancel_something_unknown_lists_what_can_be_cancelled() -> None:
    session, _ = _session()
    await run_inputs([SETUP[0], "a = asyncio.create_task(worker(60))", "%cancel nope"], session=session)
    assert "No task 'nope'. Running: 1 worker-1, or all.\n" in session.console.err.getvalue()


async def test_cancel_with_nothing_running_says_so() -> None:
    session, out = _session()
    await run_inputs(["%cancel all", "%cancel 3"], session=session)
    assert "No task 'all': none of your tasks is running." in out.getvalue()


async def test_tasks_with_a_stray_argument_shows_its_usage() -> None:
    session, out = _session()
    await run_inputs(["%tasks everything"], session=session)
    assert out.getvalue().startswith("Usage: %tasks [-v | --tree]")


HOSTILE = (
    "class Forever:\n"
    "    def __repr__(self):\n"
    "        while True:\n"
    "            pass\n"
    "class Leaves:\n"
    "    def __repr__(self):\n"
    "        raise SystemExit('bye')\n"
    "class BadStr(Exception):\n"
    "    def __str__(self):\n"
    "        exit(3)\n"
    "async def give(value):\n"
    "    return value\n"
    "async def fail():\n"
    "    raise BadStr()\n"
)


async def test_tasks_over_results_whose_repr_loops_or_exits_shows_a_guarded_value() -> None:
    session, out = _session()
    t = await run_inputs([HOSTILE, "a = asyncio.create_task(give(Forever()))", "b = asyncio.create_task(give(Leaves()))",
                          "c = asyncio.create_task(fail())", "await asyncio.sleep(0.05)", "%tasks", "'still here'"],
                         session=session)
    text = out.getvalue()
    assert "-> <repr failed: took too long>" in text
    assert "-> <repr failed: SystemExit>" in text
    assert "BadStr: <repr failed: SystemExit>" in text
    assert "BadStr: <exception str() failed>" in text  # the background failure report, as Python words it
    assert text.rstrip().endswith("'still here'") and t.code == 0
