"""The ``%command`` registry: what the shell can do besides running Python.

Features add their commands with ``registry.command(...)``; the session only
dispatches.  A handler gets the session and the rest of the line.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
from typing import TYPE_CHECKING, Awaitable, Callable, Union

from asyncshell.errors import UsageError

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

Handler = Callable[["Session", str], Union[Awaitable[None], None]]


@dataclasses.dataclass(frozen=True)
class Command:
    name: str
    summary: str
    usage: str
    handler: Handler


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def command(self, name: str, summary: str, usage: str = "") -> Callable[[Handler], Handler]:
        """Register the decorated function as ``%name``."""

        def register(handler: Handler) -> Handler:
            self._commands[name] = Command(name, summary, usage or f"%{name}", handler)
            return handler

        return register

    def lazy(self, name: str, summary: str, usage: str, target: str) -> None:
        """Register ``%name`` whose handler is ``"module:function"``, imported on first use.

        Keeps start-up fast: features such as lessons or the practice server load
        only when the user first asks for them.
        """

        def load_and_call(session: "Session", arg: str) -> Union[Awaitable[None], None]:
            module, _, function = target.partition(":")
            handler: Handler = getattr(importlib.import_module(module), function)
            self._commands[name] = Command(name, summary, usage, handler)
            return handler(session, arg)

        self._commands[name] = Command(name, summary, usage, load_and_call)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._commands.values(), key=lambda command: command.name))

    def get(self, name: str) -> Command:
        try:
            return self._commands[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._commands), n=1)
            hint = f" Did you mean %{close[0]}?" if close else " Type %help for the list."
            raise UsageError(f"Unknown command %{name}.{hint}") from None

    async def dispatch(self, session: "Session", line: str) -> None:
        """Run ``%name args``; a UsageError is shown as one line, never a traceback."""
        name, _, rest = line.strip()[1:].partition(" ")
        result = self.get(name.strip()).handler(session, rest.strip())
        if inspect.isawaitable(result):
            await result


registry = CommandRegistry()


@registry.command("help", "list the shell commands, or explain one", "%help [COMMAND]")
def _help(session: "Session", arg: str) -> None:
    if arg:
        command = session.commands.get(arg.lstrip("%"))
        session.console.write(f"{command.usage}\n    {command.summary}\n")
        return
    lines = ["Shell commands (Python runs as usual; top-level await works):"]
    for command in session.commands:
        if len(command.usage) <= 22:
            lines.append(f"  {command.usage:<22} {command.summary}")
        else:  # a long usage gets its own line, so the summaries stay in one column
            lines += [f"  {command.usage}", f"  {'':<22} {command.summary}"]
    lines.append("Keys: Enter runs a complete input, Alt-Enter always runs, Ctrl-C stops what runs, Ctrl-D leaves.")
    session.console.write("\n".join(lines) + "\n")


@registry.command("quit", "leave asyncshell (cancels the tasks still running)")
def _quit(session: "Session", arg: str) -> None:
    session.request_exit(0)
