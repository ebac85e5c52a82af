"""%tasks --tree: who awaits whom, the same text on every Python version."""

from __future__ import annotations

import io

from asyncshell.features import register
from asyncshell.insight import tasktree
from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.session import Session
from support import run_inputs

FAMILY = (
    "async def kid(n):\n"
    "    await asyncio.sleep(10)\n"
    "async def boss():\n"
    "    async with asyncio.TaskGroup() as tg:\n"
    "        tg.create_task(kid(1), name='kid-a')\n"
    "        tg.create_task(kid(2), name='kid-b')\n"
    "async def waiter():\n"
    "    await asyncio.gather(*(asyncio.create_task(kid(i), name=f'w-{i}') for i in range(200)))\n"
    "async def follower(t):\n"
    "    return await t\n"
)


def _session() -> tuple[Session, io.StringIO]:
    commands, out = CommandRegistry(), io.StringIO()
    register(commands, "insight")
    console = Console(out, out, color=False)
    return Session(Evaluator(write=console.write), console, commands=commands, interactive=False), out


async def test_a_taskgroups_children_a_gather_and_an_awaited_task_hang_under_their_waiter() -> None:
    session, out = _session()
    await run_inputs([
        FAMILY,
        "b = asyncio.create_task(boss(), name='boss')",
        "w = asyncio.create_task(waiter(), name='waiter')",
        "lone = asyncio.create_task(kid(0), name='lone')",
        "f = asyncio.create_task(follower(lone), name='follower')",
        "await asyncio.sleep(0.05)",
        "%tasks --tree",
        "for t in (b, w, f):\n    t.cancel()",
    ], session=session)
    tree = out.getvalue().split("%tasks", 1)[-1] if "%tasks" in out.getvalue() else out.getvalue()
    assert (
        "boss  pending  <input-1>:4  async with asyncio.TaskGroup() as tg:\n"
        "├── kid-a  pending  <input-1>:2  await asyncio.sleep(10)\n"
        "└── kid-b  pending  <input-1>:2  await asyncio.sleep(10)\n"
    ) in tree
    assert "waiter  pending  <input-1>:8" in tree
    assert (
        "├── w-0  pending  <input-1>:2  await asyncio.sleep(10)\n"
        "├── w-1  pending  <input-1>:2  await asyncio.sleep(10)\n"
        "├── w-2  pending  <input-1>:2  await asyncio.sleep(10)\n"
        "└── … and 197 more like w-3\n"
    ) in tree
    assert "follower  pending  <input-1>:10  return await t\n└── lone  pending  <input-1>:2  await asyncio.sleep(10)\n" in tree
    assert len(tree.splitlines()) < 20  # 205 tasks, still readable


def test_render_folds_alike_siblings_and_keeps_those_with_children() -> None:
    leaf = tasktree.Node("kid-1", "pending", "<input-1>:2  await asyncio.sleep(1)", ())
    kids = tuple(leaf._replace(name=f"kid-{i}") for i in range(1, 8))
    parent = kids[6]._replace(children=(leaf._replace(name="grandkid-1"),))
    root = tasktree.Node("boss", "pending", "", (*kids[:6], parent))
    assert tasktree.render([root], width=80) == (
        "boss  pending\n"
        "├── kid-1  pending  <input-1>:2  await asyncio.sleep(1)\n"
        "├── kid-2  pending  <input-1>:2  await asyncio.sleep(1)\n"
        "├── kid-3  pending  <input-1>:2  await asyncio.sleep(1)\n"
        "├── … and 4 more like kid-4\n"
        "└── kid-7  pending  <input-1>:2  await asyncio.sleep(1)\n"
        "    └── grandkid-1  pending  <input-1>:2  await asyncio.sleep(1)\n"
    )


def test_no_tasks_is_one_friendly_line() -> None:
    assert tasktree.render([]) == "No tasks: nothing you started is running. asyncio.create_task(...) starts one.\n"
