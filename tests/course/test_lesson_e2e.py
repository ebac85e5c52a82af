"""A new learner walks the sample lesson in the real shell (pexpect in a pseudo-terminal), quits, and comes back."""

from __future__ import annotations

from pathlib import Path

import pexpect

from support import child_env, installed_asyncshell



def spawn(home: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        installed_asyncshell(), list(args),
        env=child_env(home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1"),
        encoding="utf-8", dimensions=(50, 120), timeout=20,
    )


def at_step(child: pexpect.spawn, number: int) -> None:
    """Wait for the prompt of that step (the accepted line is redrawn with the old prompt first)."""
    child.expect(rf"\[first-steps {number}/10\] >>>")


def test_walk_the_sample_lesson_then_resume_it(asyncshell_home: Path) -> None:
    child = spawn(asyncshell_home, "learn", "first-steps")
    child.expect("A coroutine is a paused function call")
    at_step(child, 1)
    child.send("\r")  # Enter on an empty line: next step
    at_step(child, 2)
    child.send("\r")
    child.expect("What do you get")
    at_step(child, 3)
    child.sendline("%answer 1")
    child.expect("Not quite")
    at_step(child, 3)
    child.sendline("%answer 2")
    child.expect("Right")
    at_step(child, 4)
    child.sendline("%answer made it, hello from inside, 1")  # a prediction: the code runs, its output beside it
    child.expect("You predicted")
    child.expect("Right")
    at_step(child, 4)
    child.send("\r")
    at_step(child, 5)
    # The starter is already in the buffer: run it as it is (a plain def), and check it.
    child.send("\r\r")
    at_step(child, 5)
    child.sendline("%check")
    child.expect("define slow_square with async def")
    at_step(child, 5)
    child.sendline("%hint")
    child.expect("hint 1 of 3")
    at_step(child, 5)
    child.send("async def slow_square(x):\r")
    child.send("await asyncio.sleep(0.1)\r")
    child.send("return x * x\r\r")
    at_step(child, 5)
    child.sendline("%check")
    child.expect("Passed!")
    at_step(child, 6)
    child.sendline("print('sy' + 'nc')")  # a fresh prompt for sure: ^D in a cooked terminal is lost
    child.expect("sync")
    at_step(child, 6)
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    again = spawn(asyncshell_home)
    again.expect("You were in the middle of 'First steps with asyncio'")
    again.expect(">>>")
    again.sendline("%learn first-steps")
    again.expect("Awaiting one by one adds up")
    at_step(again, 6)
    again.sendline("%quit")
    again.expect(pexpect.EOF)
