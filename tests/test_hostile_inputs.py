"""Odd and hostile inputs, each in a shell of its own through a pipe: nothing hangs, dies or shows our traceback.

The corpus is in hostile_corpus.py.  Each input is followed by a marker line; a shell
that survived the input prints it (unless the input never ends as a statement, like
an unclosed bracket, which swallows the rest as Python's REPL would).
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from asyncshell.repl.statements import Status, input_status
from hostile_corpus import LEAVING, ODD
from support import child_env, installed_asyncshell

MARKER = "@@@ survived @@@"
OUR_FRAME = re.compile(r'File "[^"]*/asyncshell/')


def _feed(text: str, home: Path) -> subprocess.CompletedProcess[str] | None:
    """The shell's run on ``text`` then the marker; None if it did not end within the bound (a hang)."""
    try:
        return subprocess.run([installed_asyncshell()], input=f"{text}\n\nprint({MARKER!r})\n", capture_output=True,
                              text=True, timeout=30, env=child_env(home), errors="replace")
    except subprocess.TimeoutExpired:
        return None


def test_odd_inputs_never_hang_kill_the_shell_or_show_its_traceback(tmp_path: Path) -> None:
    def one(index_text: tuple[int, str]) -> tuple[str, str]:
        index, text = index_text
        result = _feed(text, tmp_path / f"home-{index}")
        if result is None:
            return "hang", text
        if result.returncode not in (0, 1) or "internal error" in result.stderr:
            return f"death ({result.returncode})", text
        if OUR_FRAME.search(result.stderr) or "Traceback" in result.stdout and OUR_FRAME.search(result.stdout):
            return "our traceback", text
        first = text.split("\n", 1)[0]
        if input_status(first) is not Status.INCOMPLETE and MARKER not in result.stdout:
            return "lost the rest", text
        return "ok", text

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(one, enumerate(ODD)))
    bad = [(what, text[:60]) for what, text in outcomes if what != "ok"]
    assert bad == [], f"{len(bad)} of {len(ODD)} inputs went wrong: {bad}"


@pytest.mark.parametrize(("text", "status"), LEAVING)
def test_leaving_on_purpose_gives_its_status(text: str, status: int, tmp_path: Path) -> None:
    result = _feed(text, tmp_path)
    assert result is not None and result.returncode == status
    assert MARKER not in result.stdout and "internal error" not in result.stderr
