"""%watch: the exercise in a file; each save runs it and checks it, and the watch follows the lesson."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from asyncshell.course import watch as watch_module
from lesson_shell import GREET, SHOUT, Shell


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "POLL", 0.05)


async def until(shell: Shell, text: str, seconds: float = 5.0) -> str:
    """What the shell printed until ``text`` appeared (the watch prints from its own task)."""
    printed = ""
    for _ in range(int(seconds / 0.05)):
        printed += await shell.type()
        if text in printed:
            return printed
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never came; printed: {printed!r}")


async def test_each_save_runs_the_file_and_checks_it_then_the_watch_follows_the_lesson(shell: Shell, asyncshell_home: Path) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    out = await shell.type("%watch")
    path = Path(out.strip().splitlines()[-1])
    assert path.parent == asyncshell_home / "edits" and path.name == "demo-greet.py"
    text = path.read_text()
    assert text.startswith("# %watch: Demo lesson, exercise 'greet'.") and "async def greet(name):\n    ...\n" in text
    path.write_text(text + "\nasync def greet(name):\n    return 'nope'\n")
    failed = await until(shell, "Stuck? %hint")
    assert "demo-greet.py changed: running it" in failed
    path.write_text(GREET + "\n")
    assert "Passed!" in await until(shell, "Enter to continue")
    passed = await shell.type("") + await until(shell, "Watching exercise 'shout'")
    assert "step 5 of 6" in passed  # Enter moved on, and the watch moved to the next exercise's file
    shout = Path(passed.strip().splitlines()[-1])
    assert shout.name == "demo-shout.py"
    shout.write_text(SHOUT + "\n")
    assert "Passed!" in await until(shell, "Enter to continue")
    done = await shell.type("") + await until(shell, "The watch stopped: this step is not an exercise")
    assert "That is all." in done
    await shell.end()


async def test_watch_outside_an_exercise_and_off_without_a_watch_are_one_line_errors(shell: Shell) -> None:
    out = await shell.type("%learn demo", "%watch", "%watch off", "%watch now")
    assert "%watch works at an exercise" in out
    assert "Nothing is being watched" in out
    assert "Usage: %watch [off]" in out


async def test_a_saved_file_that_never_ends_is_stopped_at_the_exercises_timeout(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    out = await shell.type("%watch")
    path = Path(out.strip().splitlines()[-1])
    path.write_text("while True:\n    await asyncio.sleep(0.01)\n")
    stopped = await until(shell, "ran out of time", seconds=10)  # demo's greet has timeout: 5
    assert "changed: running it" in stopped
    assert "42" in await shell.type("6 * 7")  # typed inputs run again
    await shell.end()
