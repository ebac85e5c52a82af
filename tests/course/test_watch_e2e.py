"""%watch in the real shell (pexpect in a pseudo-terminal): the learner saves a file, the prompt stays usable."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pexpect

from lesson_shell import DEMO, GREET
from support import child_env, installed_asyncshell


def test_saving_the_watched_file_checks_it_while_the_prompt_stays_usable(tmp_path: Path, asyncshell_home: Path) -> None:
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO, encoding="utf-8")
    child = pexpect.spawn(installed_asyncshell(), ["--lessons-dir", str(folder)],
                          env=child_env(asyncshell_home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1"),
                          encoding="utf-8", dimensions=(50, 160), timeout=20)
    try:
        child.expect(">>>")
        child.sendline("%learn demo")
        child.expect(r"\[demo 1/6\] >>>")
        child.send("\r")
        child.expect(r"\[demo 2/6\] >>>")
        child.send("\r")
        child.expect(r"\[demo 3/6\] >>>")
        child.sendline("%answer 2")
        child.expect("Enter to continue")
        child.expect(r"\[demo 3/6\] >>>")
        child.send("\r")
        child.expect(r"\[demo 4/6\] >>>")
        child.sendline("%watch")
        child.expect(r"(/\S+demo-greet\.py)\r\n")
        path = Path(child.match.group(1))
        child.expect(r"\[demo 4/6\] >>>")
        path.write_text(path.read_text() + "\n" + GREET + "\n")
        child.expect("Passed!", timeout=10)
        child.expect("Enter to continue")
        time.sleep(0.3)
        child.send("\r")  # the learner reads the result, then moves on: the watch follows
        child.expect(r"Watching exercise 'shout'")
        time.sleep(0.3)
        child.sendline("6 * 7")  # the prompt is still there, and usable
        child.expect(re.escape("42"))
        child.sendline("%watch off")
        child.expect("The watch stopped")
        child.sendline("%quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
