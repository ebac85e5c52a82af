"""The terminal front end: prompt_toolkit reads inputs on the live loop; nothing here runs code.

Reading happens with ``prompt_async`` on the same loop as the user's tasks, so
they keep running while the prompt waits.  Highlighting loads once the first
prompt is up, so start-up pays only for what the prompt needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout.processors import TabsProcessor
from prompt_toolkit.lexers import DynamicLexer, Lexer
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.patch_stdout import StdoutProxy

from asyncshell.frontends.completion import complete
from asyncshell.paths import data_home, ensure_data_home, private_file
from asyncshell.text import terminal_width
from asyncshell.repl.console import Console
from asyncshell.repl.statements import is_command, next_indent, should_submit

PROMPT = ">>> "
CONTINUATION = "... "
WRAPPED = "  ↪ "
#: Shown above the prompt while an exercise's starter code sits in it untouched.
STARTER_HINT = "starter code below: type to replace it · arrow keys to edit it · Enter runs it · Ctrl-D leaves"
STARTER_HINT_NARROW = "starter: type to replace, arrows to edit, Ctrl-D leaves"  # fits 60 columns


#: Completes a ``%command`` line: (the word being typed, its candidates).
CommandCompleter = Callable[[str], tuple[str, list[str]]]


class NamespaceCompleter(Completer):
    """Completes names and attributes from the live namespace (the logic lives in ``completion``), and %commands."""

    def __init__(self, namespace: dict[str, Any], commands: CommandCompleter | None = None) -> None:
        self._namespace = namespace
        self._commands = commands

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        before = document.text_before_cursor
        if self._commands is not None and before.lstrip().startswith("%") and "\n" not in before:
            word, candidates = self._commands(before)
        else:
            word, candidates = complete(before, self._namespace)
        for candidate in candidates:
            yield Completion(candidate, start_position=-len(word))


class _ForgivingFileHistory(FileHistory):
    """History that keeps working in memory when its file cannot be written."""

    def store_string(self, string: str) -> None:
        try:
            super().store_string(string)
        except OSError:
            pass


def open_history(path: Path | None) -> History:
    if path is None:
        return InMemoryHistory()
    try:
        if path.parent == data_home():
            ensure_data_home()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        private_file(path)
    except OSError:
        return InMemoryHistory()
    return _ForgivingFileHistory(str(path))


def key_bindings(untouched_prefill: Callable[[], str] = lambda: "") -> KeyBindings:
    """Enter runs a complete input and continues an incomplete one; Alt-Enter always runs.

    Prefilled code (an exercise's starter) starts with the cursor before it, like
    a selected default: typing or pasting replaces it, so ``exit()``, ``%skip`` or an
    ``async def`` of one's own never land at the end of the starter; the arrow
    keys move into it to edit it.  Ctrl-D leaves while it is untouched.
    """
    bindings = KeyBindings()

    @Condition
    def prefill_untouched() -> bool:
        from prompt_toolkit.application.current import get_app

        return starter_untouched(untouched_prefill(), get_app().current_buffer.document)

    @bindings.add(Keys.Any, filter=prefill_untouched)
    def _type_over_prefill(event: KeyPressEvent) -> None:
        event.current_buffer.text = ""
        event.current_buffer.insert_text(event.data)

    @bindings.add(Keys.BracketedPaste, filter=prefill_untouched)
    def _paste_over_prefill(event: KeyPressEvent) -> None:  # pasting a solution replaces it too
        event.current_buffer.text = ""
        event.current_buffer.insert_text(event.data.replace("\r\n", "\n").replace("\r", "\n"))

    @bindings.add("c-d", filter=prefill_untouched)
    def _leave_over_prefill(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError)

    @Condition
    def completion_selected() -> bool:
        from prompt_toolkit.application.current import get_app

        state = get_app().current_buffer.complete_state
        return bool(state and state.current_completion)

    @bindings.add("enter", filter=~completion_selected)
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if prefill_untouched():  # Enter on an untouched starter runs it as it is
            buffer.validate_and_handle()
            return
        document = buffer.document
        if document.is_cursor_at_the_end and should_submit(buffer.text):
            last_line = document.lines[-1]
            if len(document.lines) > 1 and not last_line.strip():
                buffer.text = buffer.text[: len(buffer.text) - len(last_line)]  # drop auto-indent on the closing blank line
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n" + next_indent(document.text_before_cursor))

    @bindings.add("escape", "enter")
    def _run_now(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    @Condition
    def in_indentation() -> bool:
        from prompt_toolkit.application.current import get_app

        before = get_app().current_buffer.document.current_line_before_cursor
        return bool(before) and not before.strip(" ")

    @bindings.add("backspace", filter=in_indentation & ~completion_selected)
    def _dedent(event: KeyPressEvent) -> None:  # one indent level, not one space, as Tab inserted it
        width = len(event.current_buffer.document.current_line_before_cursor)
        event.current_buffer.delete_before_cursor(width - (width - 1) // 4 * 4)

    @bindings.add("tab", filter=~completion_selected)
    def _tab(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if not buffer.document.current_line_before_cursor.strip():
            buffer.insert_text("    ")
        else:
            buffer.start_completion(insert_common_part=True)

    return bindings


def _python_lexer() -> Lexer:
    from prompt_toolkit.lexers import PygmentsLexer

    module = importlib.import_module("pygments.lexers.python")
    for _ in module.PythonLexer().get_tokens("async def f():\n    await x"):
        pass  # compiles the lexer's regular expressions here, not at the first repaint on the loop
    return PygmentsLexer(module.PythonLexer)


def starter_untouched(prefill: str, document: Document) -> bool:
    """The buffer holds the prefilled starter as it came, with the cursor still before it."""
    return bool(prefill) and document.text == prefill and document.cursor_position == 0


async def choose(question: str, options: list[str]) -> int | None:
    """Pick one option with the arrow keys (or its number) and Enter: its index; None on Escape or Ctrl-C.

    The question and options may hold colour codes (lesson text rendered for the
    terminal).  A dim line under the question names the keys; the caller says
    when nothing was picked.
    """
    from prompt_toolkit.formatted_text import ANSI, to_formatted_text
    from prompt_toolkit.shortcuts.choice_input import ChoiceInput

    bindings = KeyBindings()

    @bindings.add("escape", eager=True)
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt(), style="class:aborting")

    hint = f"↑↓ or 1-{min(len(options), 9)}, then Enter · Esc or Ctrl-C: no answer"  # fits 60 columns
    message = [*to_formatted_text(ANSI(question)), ("", "\n"), ("fg:ansibrightblack", hint)]
    picker = ChoiceInput(message=message, options=[(i, ANSI(option)) for i, option in enumerate(options)],
                         key_bindings=bindings)
    try:
        return await picker.prompt_async()
    except (KeyboardInterrupt, EOFError):
        return None


async def edit(path: Path) -> None:
    """Open ``path`` in $VISUAL or $EDITOR (nano, else vi) and wait for it to close.

    The editor runs in a thread, so the event loop and the user's tasks keep going.
    """
    import os
    import shlex
    import shutil
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        editor = "nano" if shutil.which("nano") else "vi"
        print(f"Opening {path.name} in {editor} (set $EDITOR to use another editor).", flush=True)
    command = [*shlex.split(editor), str(path)]
    try:
        await asyncio.to_thread(subprocess.call, command)
    except OSError as exc:
        from asyncshell.errors import UsageError

        raise UsageError(f"Could not start the editor {editor!r}: {exc.strerror or exc}; set $EDITOR.") from None


class PromptReader:
    """A session ``Reader``: one prompt per call; None on Ctrl-D.  Ctrl-C while typing clears the line.

    While the prompt is up, ``print()`` from background tasks and the shell's own
    messages go through prompt_toolkit's stdout proxy, so they appear above the
    line being typed.  While an input runs they go straight to the terminal.
    """

    def __init__(
        self,
        namespace: dict[str, Any],
        *,
        console: Console | None = None,
        color: bool = True,
        history_path: Path | None = None,
        message: Callable[[], str] | None = None,
        prefill: Callable[[], str] | None = None,
        complete_command: CommandCompleter | None = None,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self._lexer: Lexer | None = None
        self._console = console
        self._proxy: StdoutProxy | None = None
        self._color = color
        self._highlighting: asyncio.Task[None] | None = None
        self._message = message or (lambda: PROMPT)
        self._prefill = prefill or (lambda: "")
        self._prefilled = ""  # what this prompt started with, while the user has not changed it
        self.prompt: PromptSession[str] = PromptSession(
            message=self._prompt_message,
            multiline=True,
            # A long line wrapped by the terminal is still one line: it gets a marker, not "... ".
            prompt_continuation=lambda width, line_number, is_soft_wrap: WRAPPED if is_soft_wrap else CONTINUATION,
            input_processors=[TabsProcessor(char1=" ", char2=" ")],  # a pasted TAB shows as space, not ^I
            key_bindings=key_bindings(lambda: self._prefilled),
            lexer=DynamicLexer(self._lexer_for_input),
            completer=NamespaceCompleter(namespace, complete_command),
            complete_while_typing=False,
            history=open_history(history_path),
            enable_open_in_editor=True,
            tempfile_suffix=".py",
            color_depth=None if color else ColorDepth.DEPTH_1_BIT,
            input=input,
            output=output,
        )
        self.prompt.default_buffer.on_cursor_position_changed += self._moved

    def _lexer_for_input(self) -> Lexer | None:
        """Python is highlighted; a %command is plain text (``%answer 2`` is no Python)."""
        return None if is_command(self.prompt.default_buffer.text) else self._lexer

    def _prompt_message(self) -> Any:
        """The prompt, with a line above it saying what the keys do while a starter sits untouched below."""
        prompt = self._message()
        if not starter_untouched(self._prefilled, self.prompt.default_buffer.document):
            return prompt
        hint = STARTER_HINT if terminal_width() >= len(STARTER_HINT) + 1 else STARTER_HINT_NARROW
        return [("fg:ansibrightblack" if self._color else "", hint + "\n"), ("", prompt)]

    def _moved(self, buffer: Any) -> None:
        """Once the cursor has moved into the starter, it is being edited: typing no longer replaces it."""
        if buffer.cursor_position != 0:
            self._prefilled = ""

    async def __call__(self) -> str | None:
        self._prefilled = self._prefill()
        default = Document(self._prefilled, cursor_position=0)
        if self._color and self._highlighting is None:
            self.prompt.default_buffer.on_text_changed += self._start_highlighting
        while True:
            try:
                with self._output_above_prompt():
                    return await self.prompt.prompt_async(default=default, set_exception_handler=False, handle_sigint=False)
            except KeyboardInterrupt:
                default, self._prefilled = Document(""), ""  # Ctrl-C while typing: a fresh, empty line
            except EOFError:
                return None

    def close(self) -> None:
        """Write out what background tasks printed last; called once, at exit."""
        if self._proxy is not None:
            self._proxy.close()

    @contextlib.contextmanager
    def _output_above_prompt(self) -> Iterator[None]:
        """Point stdout (and the console) at one long-lived proxy while the prompt is up.

        One proxy for the session, not one per prompt: starting and joining its
        writer thread on every input cost about a millisecond of round trip.
        """
        if self._proxy is None:
            self._proxy = StdoutProxy(raw=True)
        proxy = self._proxy
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = proxy
        console_saved = (self._console.out, self._console.err) if self._console else None
        if self._console is not None:
            self._console.out = self._console.err = proxy
        try:
            yield
        finally:
            proxy.flush()
            # Put back what was there, unless a background task replaced it meanwhile.
            if sys.stdout is proxy:
                sys.stdout = saved[0]
            if sys.stderr is proxy:
                sys.stderr = saved[1]
            if self._console is not None and console_saved is not None:
                self._console.out, self._console.err = console_saved

    def _start_highlighting(self, buffer: Any) -> None:
        """On the first keystroke: highlighting is needed only once there is text to colour."""
        buffer.on_text_changed -= self._start_highlighting
        if self._highlighting is None:
            self._highlighting = asyncio.get_running_loop().create_task(self._load_highlighting())

    async def _load_highlighting(self) -> None:
        """Import pygments and build the lexer off the loop (about 100 ms cold), then repaint in colour.

        Only handing the lexer over happens on the loop: a learner's task ticking every
        10 ms must not see a gap at the first keystroke.
        """
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.001))  # the importing thread hands the GIL back to the loop sooner
        try:
            self._lexer = await asyncio.to_thread(_python_lexer)
        finally:
            sys.setswitchinterval(interval)
        if self.prompt.app.is_running:
            self.prompt.app.invalidate()
