"""The installed shell in a real pseudo-terminal, typed into as a person would (pexpect)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator

import pexpect
import pytest

from support import child_env, installed_asyncshell

PROMPT = ">>>"  # prompt_toolkit draws the trailing space as a cursor move


@pytest.fixture
def term(asyncshell_home: Path) -> Iterator[pexpect.spawn]:
    child = pexpect.spawn(
        installed_asyncshell(),
        env=child_env(asyncshell_home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"),
        encoding="utf-8",
        dimensions=(40, 120),
        timeout=15,
    )
    child.expect(PROMPT)
    child.banner = child.before  # type: ignore[attr-defined]
    yield child
    child.close(force=True)


def run_line(child: pexpect.spawn, line: str) -> None:
    child.sendline(line)


def synced(child: pexpect.spawn) -> None:
    """Wait until the shell is at a fresh prompt (a marker printed, then the prompt after it).

    A bare ``>>>`` match may be the redraw of the line just accepted; control keys sent
    then reach a terminal not yet in raw mode, which swallows ^D and turns ^C into SIGINT.
    """
    answer_of(child, "'sy' + 'nc'", "'sync'")


def answer_of(child: pexpect.spawn, expression: str, pattern: str) -> re.Match[str]:
    child.sendline(expression)
    child.expect(pattern)
    match = child.match
    child.expect(PROMPT)
    return match


def test_startup_banner_and_top_level_await(term: pexpect.spawn) -> None:
    assert "Python 3." in term.banner
    assert "top-level await is on" in term.banner
    assert "%help" in term.banner
    answer_of(term, "await asyncio.sleep(0.05, 'awaited' + '-ok')", "'awaited-ok'")


def start_ticker(child: pexpect.spawn) -> None:
    child.sendline("ticks = []")
    child.expect(PROMPT)
    child.send("async def tick():\r")
    child.send("while True:\r")
    child.send("ticks.append(asyncio.get_running_loop().time())\r")
    child.send("await asyncio.sleep(0.01)\r\r")
    child.expect(PROMPT)
    child.sendline("ticker = asyncio.create_task(tick())")
    child.expect(PROMPT)


def tick_count(child: pexpect.spawn) -> int:
    return int(answer_of(child, "print('count', len(ticks), 'end')", r"count (\d+) end").group(1))


def test_a_background_task_keeps_ticking_while_the_prompt_is_idle(term: pexpect.spawn) -> None:
    start_ticker(term)
    first = tick_count(term)
    import time

    time.sleep(0.6)  # the user sits at the prompt
    assert tick_count(term) - first >= 20  # 10 ms ticks: ~60 expected, wide margin


@pytest.mark.parametrize(
    "blocking",
    ["await asyncio.sleep(100)", "while True: pass", "import time; time.sleep(100)"],
    ids=["await-sleep", "busy-loop", "time-sleep"],
)
def test_ctrl_c_interrupts_the_running_input_and_keeps_tasks(term: pexpect.spawn, blocking: str) -> None:
    start_ticker(term)
    # One pasted input that says when it has started, then blocks or waits.
    term.send("\x1b[200~print('now-' + 'running')\n" + blocking + "\n\x1b[201~\r")
    term.expect("now-running")
    import time

    time.sleep(0.3)
    term.sendintr()
    term.expect("KeyboardInterrupt: the input was stopped")
    term.expect(PROMPT)
    before = tick_count(term)
    time.sleep(0.3)
    assert tick_count(term) > before  # the loop and the ticker survived
    answer_of(term, "ticker.done()", "False")


def test_ctrl_c_while_typing_clears_the_line(term: pexpect.spawn) -> None:
    synced(term)
    term.send("this is half typed")
    term.sendintr()
    term.expect(PROMPT)
    answer_of(term, "6 * 7", "42")


def test_background_output_appears_while_typing_and_the_line_survives(term: pexpect.spawn) -> None:
    term.send("async def chatter():\r")
    term.send("await asyncio.sleep(0.3)\r")
    term.send("print('from-the-' + 'background')\r\r")
    term.expect(PROMPT)
    term.sendline("c = asyncio.create_task(chatter())")
    term.expect(PROMPT)
    term.send("typed = 'still")
    term.expect("from-the-background")
    term.send(" here'\r")
    term.expect(PROMPT)
    answer_of(term, "typed", "'still here'")


def test_ctrl_d_lists_and_cancels_running_tasks_and_exits_zero(term: pexpect.spawn) -> None:
    start_ticker(term)
    synced(term)
    term.sendcontrol("d")
    term.expect("Cancelling 1 task still running:")
    term.expect(r"tick-1 \(tick\(\) at <input-2>")
    term.expect(pexpect.EOF)
    term.close()
    assert term.exitstatus == 0


@pytest.mark.parametrize("leave", ["exit()", "%quit"])
def test_exit_and_quit_leave_with_status_zero(term: pexpect.spawn, leave: str) -> None:
    term.sendline(leave)
    term.expect(pexpect.EOF)
    term.close()
    assert term.exitstatus == 0


def test_history_persists_across_sessions(term: pexpect.spawn, asyncshell_home: Path) -> None:
    answer_of(term, "'remember' + '-me'", "'remember-me'")
    term.sendline("exit()")
    term.expect(pexpect.EOF)
    assert "'remember' + '-me'" in (asyncshell_home / "history").read_text()


def test_typed_code_is_highlighted_once_typing_starts(term: pexpect.spawn) -> None:
    term.send("async def")
    # The keyword is repainted in colour once the lexer has loaded (it loads at the first keystroke).
    term.expect(r"\x1b\[[0-9;]*m(\x1b\[[0-9;]*m)*async", timeout=10)
    term.sendintr()
    synced(term)


def test_a_long_line_wrapped_by_the_terminal_shows_a_wrap_marker_not_dots(term: pexpect.spawn) -> None:
    long = "x = " + " + ".join(["1"] * 60)  # wider than the 120 columns
    term.send(long)
    term.expect("↪")
    assert "..." not in term.before
    term.send("\r")
    answer_of(term, "x", "60")


def test_a_pasted_tab_shows_as_space_not_caret_i(term: pexpect.spawn) -> None:
    term.send("\x1b[200~if True:\n\ty = 7\n\x1b[201~")
    term.expect(r"y = 7")
    assert "^I" not in term.before + term.after
    term.send("\r")
    answer_of(term, "y", "7")


def test_at_sixty_columns_the_banner_and_notes_break_between_words(asyncshell_home: Path) -> None:
    child = pexpect.spawn(installed_asyncshell(), env=child_env(asyncshell_home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"),
                          encoding="utf-8", dimensions=(40, 60), timeout=15)
    try:
        child.expect(PROMPT)
        banner = [line.strip() for line in child.before.replace("\r", "").split("\n") if line.strip()]
        assert " ".join(banner).startswith("asyncshell ") and "event loop keeps running between inputs." in " ".join(banner)
        assert all(len(line) <= 60 for line in banner)
        assert "between\ninputs" not in child.before and "betwe" + "\n" not in child.before
    finally:
        child.close(force=True)


def test_after_ctrl_c_the_next_message_starts_on_a_line_of_its_own(term: pexpect.spawn) -> None:
    term.sendline("import time; time.sleep(30)")
    time.sleep(0.5)
    term.sendcontrol("c")
    term.expect("KeyboardInterrupt: the input was stopped")
    assert re.search(r"\^C\r?\n", term.before), repr(term.before)
    synced(term)


def test_ctrl_c_on_code_that_swallows_cancellation_comes_back_and_exit_still_exits(term: pexpect.spawn) -> None:
    term.send("async def worker():\rwhile True:\rtry:\rawait asyncio.sleep(0.05)\r")
    term.send("\x08" + "except:\rpass\r\r\r")  # one Backspace: back one indent level
    term.expect(PROMPT)
    synced(term)
    term.sendline("await worker()")
    time.sleep(0.5)
    term.sendcontrol("c")
    term.expect("caught the CancelledError meant to stop it", timeout=6)
    synced(term)
    term.sendline("w = asyncio.create_task(worker())")
    term.expect(PROMPT)
    synced(term)
    term.sendcontrol("d")
    term.expect("Leaving anyway", timeout=10)
    term.expect(pexpect.EOF, timeout=10)
    term.close()
    assert term.exitstatus == 0


def test_sync_code_that_catches_every_ctrl_c_is_warned_about_then_left(term: pexpect.spawn) -> None:
    term.send("import time\rwhile True:\rtry:\rtime.sleep(0.05)\r")
    term.send("\x08" + "except:\rpass\r\r\r")  # one Backspace: back one indent level
    time.sleep(0.5)
    for _ in range(3):
        term.sendcontrol("c")
        time.sleep(0.3)
    term.expect("The running code does not stop")
    for _ in range(2):
        term.sendcontrol("c")
        time.sleep(0.3)
    term.expect("Leaving asyncshell: the running code would not stop.")
    term.expect(pexpect.EOF, timeout=10)
    term.close()
    assert term.exitstatus == 130


@pytest.mark.parametrize("breaking", ["sys.stdout.close()", "sys.stdin.close()", "sys.stderr.close()"])
def test_closing_a_standard_stream_in_a_terminal_keeps_the_shell(term: pexpect.spawn, breaking: str) -> None:
    term.sendline(f"import sys; {breaking}")
    term.expect("put back the one it started with")
    synced(term)
    answer_of(term, "6 * 7", "42")
    term.sendline("1/0")
    term.expect("ZeroDivisionError")
    synced(term)


def test_what_the_shell_stores_is_private_and_stays_put_after_chdir(tmp_path: Path) -> None:
    import os
    import stat

    (tmp_path / "elsewhere").mkdir()
    child = pexpect.spawn(installed_asyncshell(), cwd=str(tmp_path),
                          env=child_env(Path("relative-home"), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"),
                          encoding="utf-8", dimensions=(40, 120), timeout=15)
    try:
        child.expect(PROMPT)
        answer_of(child, f"import os; os.chdir({str(tmp_path / 'elsewhere')!r}); 'moved'", "'moved'")
        answer_of(child, "'after ' + 'chdir'", "'after chdir'")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    home = tmp_path / "relative-home"
    assert not (tmp_path / "elsewhere" / "relative-home").exists()
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(home / "history").st_mode) == 0o600
    assert "'after ' + 'chdir'" in (home / "history").read_text()
    assert not (home / "crash.log").exists()


def test_ctrl_c_stops_asyncio_run_inside_a_plain_function(term: pexpect.spawn) -> None:
    term.send("async def main():\rawait asyncio.sleep(30)\r\r")
    term.expect(PROMPT)
    term.send("def download():\rasyncio.run(main())\r\r")
    term.expect(PROMPT)
    synced(term)
    term.sendline("download()")
    time.sleep(0.6)
    term.sendcontrol("c")
    term.expect("KeyboardInterrupt")
    synced(term)
    answer_of(term, "6 * 7", "42")


def test_ctrl_c_on_a_blocking_call_gets_no_blocking_advice(term: pexpect.spawn) -> None:
    term.sendline("import time; t = asyncio.create_task(asyncio.sleep(60))")
    term.expect(PROMPT)
    synced(term)
    term.sendline("time.sleep(30)")
    time.sleep(1.0)
    term.sendcontrol("c")
    term.expect("KeyboardInterrupt")
    assert "blocked the event loop" not in term.before
    time.sleep(0.5)  # a report would come as the loop turns again
    term.sendline("'sy' + 'nc'")
    assert term.expect(["blocked the event loop", "'sync'"]) == 1
    term.expect(PROMPT)
    answer_of(term, "t.cancel()", "True")


def test_pdb_post_mortem_and_breakpoint_in_a_coroutine_work_at_the_prompt(term: pexpect.spawn) -> None:
    term.send("def inner():\rsecret = 42\r1 / 0\r\r")
    term.expect(PROMPT)
    term.sendline("inner()")
    term.expect("ZeroDivisionError")
    synced(term)
    term.sendline("import pdb; pdb.pm()")
    term.expect(r"\(Pdb\)")
    term.sendline("p secret")
    term.expect("42")
    term.expect(r"\(Pdb\)")
    term.sendline("q")
    synced(term)
    term.send("async def f():\rx = 'in the coroutine'\rbreakpoint()\rreturn x\r\r")
    term.expect(PROMPT)
    synced(term)
    term.sendline("await f()")
    term.expect(r"\(Pdb\)")
    term.sendline("p x")
    term.expect("'in the coroutine'")
    term.expect(r"\(Pdb\)")
    term.sendline("c")
    term.expect("'in the coroutine'")
    synced(term)
    answer_of(term, "6 * 7", "42")  # the terminal still works: typing, echo, the prompt


def test_tasks_tree_in_the_real_shell(term: pexpect.spawn) -> None:
    term.send("async def kid():\rawait asyncio.sleep(30)\r\r")
    term.expect(PROMPT)
    term.send("async def boss():\rasync with asyncio.TaskGroup() as tg:\rtg.create_task(kid(), name='kid-a')\r")
    term.send("tg.create_task(kid(), name='kid-b')\r\r")
    term.expect(PROMPT)
    synced(term)
    term.sendline("b = asyncio.create_task(boss(), name='boss')")
    term.expect(PROMPT)
    synced(term)
    term.sendline("%tasks --tree")
    term.expect(r"boss  pending  <input-\d+>:2  async with asyncio.TaskGroup\(\) as tg:")
    term.expect(r"├── kid-a  pending")
    term.expect(r"└── kid-b  pending")
    synced(term)
