"""The prompt_toolkit front end, driven through a pipe input and a dummy output."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from typing import AsyncIterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.data_structures import Size
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from asyncshell.features import register
from asyncshell.frontends import terminal
from asyncshell.frontends.terminal import NamespaceCompleter, PromptReader, choose
from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.session import Session

ENTER = "\r"
ALT_ENTER = "\x1b\r"
CTRL_C = "\x03"
CTRL_D = "\x04"
DOWN = "\x1b[B"
END = "\x1b[F"


@pytest.fixture
async def typed(tmp_path: Path) -> AsyncIterator[tuple[PromptReader, object]]:
    with create_pipe_input() as pipe:
        reader = PromptReader({"asyncio": asyncio, "fetch_all": 1}, color=False, history_path=tmp_path / "history", input=pipe, output=DummyOutput())
        yield reader, pipe


async def read_after(typed: tuple[PromptReader, object], keys: str) -> str | None:
    reader, pipe = typed
    pending = asyncio.ensure_future(reader())
    await asyncio.sleep(0.05)
    pipe.send_text(keys)  # type: ignore[attr-defined]
    return await asyncio.wait_for(pending, 5)


async def test_enter_runs_a_complete_line(typed) -> None:  # type: ignore[no-untyped-def]
    assert await read_after(typed, "await asyncio.sleep(0)" + ENTER) == "await asyncio.sleep(0)"


async def test_enter_continues_a_block_with_auto_indent_and_a_blank_line_ends_it(typed) -> None:  # type: ignore[no-untyped-def]
    keys = "async def f():" + ENTER + "await asyncio.sleep(0)" + ENTER + "return 1" + ENTER + ENTER
    text = await read_after(typed, keys)
    assert text == "async def f():\n    await asyncio.sleep(0)\n    return 1\n"


async def test_backspace_in_the_indentation_removes_one_level(typed) -> None:  # type: ignore[no-untyped-def]
    backspace = "\x7f"
    keys = ("async def f():" + ENTER + "for x in y:" + ENTER + "x = 1" + ENTER + backspace + "return x" + backspace
            + ALT_ENTER)
    text = await read_after(typed, keys)
    assert text == "async def f():\n    for x in y:\n        x = 1\n    return "  # after text: one character


async def test_enter_continues_open_brackets(typed) -> None:  # type: ignore[no-untyped-def]
    assert await read_after(typed, "x = [1," + ENTER + "2]" + ENTER) == "x = [1,\n2]"


async def test_alt_enter_runs_whatever_is_there(typed) -> None:  # type: ignore[no-untyped-def]
    assert await read_after(typed, "async def f():" + ENTER + "pass" + ALT_ENTER) == "async def f():\n    pass"


async def test_a_bracketed_paste_is_one_input(typed) -> None:  # type: ignore[no-untyped-def]
    paste = "async def main():\n    await asyncio.sleep(0)\n\n    print('hi')\nawait main()\n"
    text = await read_after(typed, "\x1b[200~" + paste + "\x1b[201~" + ENTER)
    assert text == paste


async def test_ctrl_c_while_typing_clears_the_line(typed) -> None:  # type: ignore[no-untyped-def]
    reader, pipe = typed
    pending = asyncio.ensure_future(reader())
    await asyncio.sleep(0.05)
    pipe.send_text("half typed")
    await asyncio.sleep(0.05)
    pipe.send_text(CTRL_C)
    await asyncio.sleep(0.05)
    pipe.send_text("1" + ENTER)
    assert await asyncio.wait_for(pending, 5) == "1"


async def test_ctrl_d_on_an_empty_line_is_end_of_input(typed) -> None:  # type: ignore[no-untyped-def]
    assert await read_after(typed, CTRL_D) is None


async def test_tab_completes_from_the_namespace(typed) -> None:  # type: ignore[no-untyped-def]
    reader, pipe = typed
    pending = asyncio.ensure_future(reader())
    await asyncio.sleep(0.05)
    pipe.send_text("fetch_\t")
    await asyncio.sleep(0.2)  # completions are computed off the key handler
    pipe.send_text(ENTER)
    assert await asyncio.wait_for(pending, 5) == "fetch_all"


async def test_tab_at_line_start_indents(typed) -> None:  # type: ignore[no-untyped-def]
    assert await read_after(typed, "if True:" + ENTER + "\x08" + "\t" + "x = 1" + ENTER + ENTER) == "if True:\n    x = 1\n"


async def test_history_is_saved_to_the_file_and_recalled(tmp_path: Path) -> None:
    history = tmp_path / "history"
    with create_pipe_input() as pipe:
        reader = PromptReader({}, color=False, history_path=history, input=pipe, output=DummyOutput())
        first = asyncio.ensure_future(reader())
        await asyncio.sleep(0.05)
        pipe.send_text("x = 41" + ENTER)
        await asyncio.wait_for(first, 5)
    assert "x = 41" in history.read_text()
    with create_pipe_input() as pipe:
        reader = PromptReader({}, color=False, history_path=history, input=pipe, output=DummyOutput())
        second = asyncio.ensure_future(reader())
        await asyncio.sleep(0.1)
        pipe.send_text("\x1b[A" + ENTER)  # Up arrow recalls the last input
        assert await asyncio.wait_for(second, 5) == "x = 41"


async def test_an_unwritable_history_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with create_pipe_input() as pipe:
        reader = PromptReader({}, color=False, history_path=blocker / "history", input=pipe, output=DummyOutput())
        pending = asyncio.ensure_future(reader())
        await asyncio.sleep(0.05)
        pipe.send_text("1" + ENTER)
        assert await asyncio.wait_for(pending, 5) == "1"


async def test_background_tasks_run_while_the_prompt_waits(typed) -> None:  # type: ignore[no-untyped-def]
    reader, pipe = typed
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(asyncio.get_running_loop().time())
            await asyncio.sleep(0.01)

    ticker = asyncio.ensure_future(tick())
    pending = asyncio.ensure_future(reader())
    await asyncio.sleep(0.3)
    pipe.send_text("1" + ENTER)
    await asyncio.wait_for(pending, 5)
    ticker.cancel()
    assert len(ticks) >= 10


async def test_percent_over_untouched_prefilled_code_starts_a_command(tmp_path: Path) -> None:
    starter = "def slow_square(x):\n    return x * x"
    prefills = iter([starter, starter])
    with create_pipe_input() as pipe:
        reader = PromptReader({}, color=False, history_path=tmp_path / "h", prefill=lambda: next(prefills, ""), input=pipe, output=DummyOutput())
        first = asyncio.ensure_future(reader())
        await asyncio.sleep(0.05)
        pipe.send_text("%skip" + ENTER)
        assert await asyncio.wait_for(first, 5) == "%skip"
        second = asyncio.ensure_future(reader())
        await asyncio.sleep(0.05)
        pipe.send_text(DOWN + END + " # edited %" + ALT_ENTER)  # moved into the code, % is just a character
        assert await asyncio.wait_for(second, 5) == starter + " # edited %"


@pytest.mark.parametrize(
    ("keys", "read"),
    [
        ("exit()" + ENTER, "exit()"),  # replaces the starter: not "return x * xexit()"
        ("async def mine():" + ENTER + "return 1" + ALT_ENTER, "async def mine():\n    return 1"),
        ("\x1b[200~async def slow_square(x):\r    return 1\x1b[201~" + ALT_ENTER,
         "async def slow_square(x):\n    return 1"),  # a pasted solution replaces it too
        (CTRL_D, None),  # leaves, though the buffer is not empty
        (ENTER, "def slow_square(x):\n    return x * x"),  # one Enter runs the starter as it is
        (DOWN + "\x1b[H" + "# " + ALT_ENTER, "def slow_square(x):\n#     return x * x"),  # moved in: typing edits it
    ],
)
async def test_a_prefilled_starter_is_replaced_by_typing_and_ctrl_d_leaves(tmp_path: Path, keys: str, read: str | None) -> None:
    starter = "def slow_square(x):\n    return x * x"
    with create_pipe_input() as pipe:
        reader = PromptReader({}, color=False, history_path=tmp_path / "h", prefill=lambda: starter, input=pipe, output=DummyOutput())
        pending = asyncio.ensure_future(reader())
        await asyncio.sleep(0.05)
        assert "type to replace" in str(reader._prompt_message())  # the screen says so while it is untouched
        pipe.send_text(keys)
        assert await asyncio.wait_for(pending, 5) == read


async def test_tab_completes_commands_and_their_arguments() -> None:
    commands = CommandRegistry()
    register(commands)
    console = Console(io.StringIO())
    session = Session(Evaluator(write=console.write), console, commands=commands, interactive=False)
    await session.handle("async def bee():\n    await asyncio.sleep(10)")
    await session.handle("t = asyncio.create_task(bee(), name='busy-bee')")
    completer = NamespaceCompleter(session.evaluator.namespace, lambda line: commands.complete(session, line))

    def offered(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]

    try:
        assert offered("%t") == ["%tasks", "%timeline"]
        assert offered("%ti") == ["%timeline"]
        assert offered("%cancel ") == ["all", "busy-bee"]
        assert offered("%cancel bu") == ["busy-bee"]
        assert "first-steps" in offered("%learn ")
        assert offered("%timeline o") == ["off", "on"]
        assert offered("%nosuch ") == []
        assert offered("asyncio.sle") == ["sleep"]  # Python still completes as before
    finally:
        session.evaluator.namespace["t"].cancel()


async def test_edit_without_editor_set_says_which_editor_it_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from asyncshell.frontends.terminal import edit

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "nano"
    fake.write_text("#!/bin/sh\necho edited >> \"$1\"\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    target = tmp_path / "exercise.py"
    target.write_text("x = 1\n")
    await edit(target)
    assert capsys.readouterr().out == "Opening exercise.py in nano (set $EDITOR to use another editor).\n"
    assert target.read_text() == "x = 1\nedited\n"


async def pick(keys: str) -> tuple[int | None, str]:
    """The %answer picker on a real VT100 screen: what it returned, and the screen's text without escape codes."""
    screen = io.StringIO()
    with create_pipe_input() as pipe:
        output = Vt100_Output(screen, lambda: Size(rows=20, columns=80), term="xterm")
        with create_app_session(input=pipe, output=output):
            pending = asyncio.ensure_future(choose("Which is \x1b[36mawait\x1b[0m?", ["one", "\x1b[36mtwo\x1b[0m", "three"]))
            await asyncio.sleep(0.05)
            pipe.send_text(keys)
            chosen = await asyncio.wait_for(pending, 5)
    return chosen, re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen.getvalue())


@pytest.mark.parametrize(("keys", "chosen"), [
    ("2" + ENTER, 1), (DOWN + DOWN + ENTER, 2), (ENTER, 0), ("\x1b", None), (CTRL_C, None),
])
async def test_the_picker_takes_arrows_or_a_number_and_escape_or_ctrl_c_pick_nothing(keys: str, chosen: int | None) -> None:
    assert (await pick(keys))[0] == chosen


async def test_the_picker_shows_the_keys_and_the_rendered_question_and_options() -> None:
    _, screen = await pick(ENTER)
    assert "Which is await?" in screen and "2. two" in screen and "\\x1b" not in screen
    assert "↑↓ or 1-3, then Enter · Esc or Ctrl-C: no answer" in screen


async def test_python_is_highlighted_and_a_percent_command_is_plain(tmp_path: Path) -> None:
    from prompt_toolkit.document import Document

    with create_pipe_input() as pipe:
        reader = PromptReader({}, color=True, history_path=tmp_path / "h", input=pipe, output=DummyOutput())
        reader._lexer = terminal._python_lexer()
        lexer = reader.prompt.lexer
        for text, coloured in [("await asyncio.sleep(1)", True), ("%answer 2 if not", False)]:
            reader.prompt.default_buffer.text = text
            styles = {style for style, _ in lexer.lex_document(Document(text))(0)}
            assert (styles != {""}) is coloured, (text, styles)
