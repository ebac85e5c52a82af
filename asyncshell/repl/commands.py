"""The ``%command`` registry: what the shell can do besides running Python.

Features add their commands with ``registry.command(...)``; the session only
dispatches.  A handler gets the session and the rest of the line.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Union

from asyncshell.errors import UsageError

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

Handler = Callable[["Session", str], Union[Awaitable[None], None]]
#: What Tab offers after ``%name ``: the candidates for the argument being typed.
ArgumentCompleter = Callable[["Session", str], Iterable[str]]


@dataclasses.dataclass(frozen=True)
class Command:
    name: str
    summary: str
    usage: str
    handler: Handler
    complete: ArgumentCompleter | None = None
    details: str = ""  # what %help NAME adds: the arguments, and an example


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def command(self, name: str, summary: str, usage: str = "", details: str = "") -> Callable[[Handler], Handler]:
        """Register the decorated function as ``%name``."""

        def register(handler: Handler) -> Handler:
            self._commands[name] = Command(name, summary, usage or f"%{name}", handler, details=details)
            return handler

        return register

    def lazy(self, name: str, summary: str, usage: str, target: str, *,
             words: Sequence[str] = (), complete: str = "", details: str = "") -> None:
        """Register ``%name`` whose handler is ``"module:function"``, imported on first use.

        Keeps start-up fast: features such as lessons or the practice server load
        only when the user first asks for them.  Tab offers ``words`` for the
        argument, or what the ``complete`` target (``"module:function"``) returns.
        """

        def load_and_call(session: "Session", arg: str) -> Union[Awaitable[None], None]:
            handler: Handler = _load(target)
            self._commands[name] = dataclasses.replace(self._commands[name], handler=handler)
            return handler(session, arg)

        def candidates(session: "Session", arg: str) -> Iterable[str]:
            return [*words, *(_load(complete)(session, arg) if complete else ())]

        self._commands[name] = Command(name, summary, usage, load_and_call, candidates if words or complete else None, details)

    def __iter__(self) -> Iterator[Command]:
        return iter(sorted(self._commands.values(), key=lambda command: command.name))

    def copy(self) -> CommandRegistry:
        """A registry with the same commands, to add to without touching this one (a session's own)."""
        twin = CommandRegistry()
        twin._commands = dict(self._commands)
        return twin

    def get(self, name: str) -> Command:
        try:
            return self._commands[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._commands), n=1)
            hint = f" Did you mean %{close[0]}?" if close else " Type %help for the list."
            raise UsageError(f"Unknown command %{name}.{hint}") from None

    def complete(self, session: "Session", line: str) -> tuple[str, list[str]]:
        """Tab after ``%``: the word being typed and what it could be (command names, or the command's arguments).

        Never raises: completion must not cost the user their line.
        """
        name, space, arg = line.lstrip()[1:].partition(" ")
        if not space:
            return f"%{name}", sorted(f"%{n}" for n in self._commands if n.startswith(name))
        command = self._commands.get(name)
        word = arg.rpartition(" ")[2]
        if command is None or command.complete is None:
            return word, []
        try:
            found = {str(c) for c in command.complete(session, arg)}
        except Exception:  # noqa: BLE001 - a completer's bug must not break typing
            return word, []
        return word, sorted(c for c in found if c.startswith(word) and c != word)

    async def dispatch(self, session: "Session", line: str) -> None:
        """Run ``%name args``; a UsageError is shown as one line, never a traceback."""
        name, _, rest = line.strip()[1:].partition(" ")
        result = self.get(name.strip()).handler(session, rest.strip())
        if inspect.isawaitable(result):
            await result


def _load(target: str) -> Any:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


registry = CommandRegistry()


@registry.command("help", "list the shell commands, or explain one", "%help [COMMAND]",
                  "COMMAND is one of the names %help lists, with or without its %.\nExample: %help timeline")
def _help(session: "Session", arg: str) -> None:
    if arg:
        command = session.commands.get(arg.lstrip("%"))
        lines = [f"{command.usage}", f"    {command.summary[:1].upper()}{command.summary[1:]}."]
        lines += [f"    {line}" for line in command.details.splitlines()]
        session.console.write(session.console.wrap("\n".join(lines)) + "\n")
        return
    lines = ["Shell commands (Python runs as usual; top-level await works):"]
    for command in session.commands:
        if len(command.usage) <= 22:
            lines.append(f"  {command.usage:<22} {command.summary}")
        else:  # a long usage gets its own line, so the summaries stay in one column
            lines += [f"  {command.usage}", f"  {'':<22} {command.summary}"]
    lines.append("Keys: Enter runs a complete input, Alt-Enter always runs, Ctrl-C stops what runs, Ctrl-D leaves.")
    session.console.write("\n".join(lines) + "\n")


@registry.command("quit", "leave asyncshell (cancels the tasks still running)", "%quit",
                  "Your tasks still running are cancelled first, as with Ctrl-D or exit().\nExample: %quit")
def _quit(session: "Session", arg: str) -> None:
    if arg:
        raise UsageError("%quit takes no argument: type %quit alone to leave (exit(CODE) leaves with a status).")
    session.request_exit(0)
