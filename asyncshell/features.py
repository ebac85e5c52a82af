"""The one table of what loads on demand: the lazily imported %commands and CLI subcommands.

Data only, so start-up reads it for nothing.  The shell registers its %commands
from it, ``asyncshell --help`` lists the subcommands from it, and tests read it
too.  A target is ``"module:function"``, imported the first time it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from asyncshell.repl.commands import CommandRegistry


class LazyCommand(NamedTuple):
    """A %command: ``%name``, what it does, how to type it, and the handler ``(session, arg)``."""

    name: str
    summary: str
    usage: str
    target: str
    group: str
    #: Tab after ``%name ``: fixed words, and/or a ``"module:function"`` giving more ``(session, arg)``.
    words: tuple[str, ...] = ()
    complete: str = ""


class Subcommand(NamedTuple):
    """``asyncshell NAME``: the handler takes the parsed arguments and returns the exit status."""

    name: str
    summary: str
    target: str


_COURSE = "asyncshell.course.commands"
_INSIGHT = "asyncshell.insight.commands"

#: In the order %help should make sense of them: lessons first, then the server, then insight.
COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("lessons", "list the lessons and how far you got", "%lessons", f"{_COURSE}:lessons", "course"),
    LazyCommand("learn", "start a lesson, or carry on where you left it", "%learn [ID]", f"{_COURSE}:learn", "course",
                complete=f"{_COURSE}:lesson_ids"),
    LazyCommand("next", "go on to the next step (Enter on an empty line does too)", "%next", f"{_COURSE}:next_step", "course"),
    LazyCommand("back", "go back a step in the lesson", "%back", f"{_COURSE}:back", "course"),
    LazyCommand("run", "run the example on screen in your namespace", "%run", f"{_COURSE}:run_example", "course"),
    LazyCommand("answer", "answer the quiz on screen", "%answer N... | TEXT", f"{_COURSE}:answer", "course"),
    LazyCommand("check", "check your code against the exercise", "%check", f"{_COURSE}:check", "course"),
    LazyCommand("edit", "open the exercise in $EDITOR; saved code runs when it closes", "%edit", f"{_COURSE}:edit", "course"),
    LazyCommand("hint", "show the exercise's next hint", "%hint", f"{_COURSE}:hint", "course"),
    LazyCommand("solution", "show a solution (counts as seen, not solved)", "%solution", f"{_COURSE}:solution", "course"),
    LazyCommand("skip", "skip the step (an exercise's solution runs for you)", "%skip", f"{_COURSE}:skip", "course"),
    LazyCommand("reset", "put your namespace back as the exercise began", "%reset [yes]", f"{_COURSE}:reset", "course"),
    LazyCommand("progress", "show your progress in every lesson", "%progress", f"{_COURSE}:progress", "course"),
    LazyCommand("server", "the practice web server: URL, state, request stats", "%server [start [PORT]|stop|reset]",
                "asyncshell.practice:server_command", "server", words=("start", "stop", "reset")),
    LazyCommand("tasks", "list your tasks: state, where each waits, results of those just finished", "%tasks [-v]",
                f"{_INSIGHT}:tasks", "insight", words=("-v",)),
    LazyCommand("cancel", "cancel one of your tasks, or all of them", "%cancel ID|NAME|all", f"{_INSIGHT}:cancel", "insight",
                words=("all",), complete=f"{_INSIGHT}:task_names"),
    LazyCommand("timeline", "chart what ran when in an input; 'on' charts every input", "%timeline [on|off|--svg FILE]",
                f"{_INSIGHT}:timeline", "insight", words=("on", "off", "--svg")),
    LazyCommand("blocking", "report code that blocks the event loop longer than SECONDS (default 0.2), or turn that off",
                "%blocking [SECONDS|on|off]", f"{_INSIGHT}:blocking", "insight", words=("on", "off")),
)

SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("learn", "start the shell in a lesson, or in the lesson list", "asyncshell.cli:learn_command"),
    Subcommand("lessons", "list the lessons and your progress", "asyncshell.course.listing:lessons_command"),
    Subcommand("progress", "show your lesson progress, or --reset it", "asyncshell.course.progress_command:progress_command"),
    Subcommand("serve", "run the practice web server alone on 127.0.0.1 [--port N]", "asyncshell.practice:serve_command"),
    Subcommand("validate", "check lessons: each solution passes its check, each starter fails",
               "asyncshell.course.validate:validate_command"),
)


def register(registry: CommandRegistry, *groups: str) -> None:
    """Register the table's %commands, or only those of ``groups``, to be imported on first use."""
    for command in COMMANDS:
        if not groups or command.group in groups:
            registry.lazy(command.name, command.summary, command.usage, command.target,
                          words=command.words, complete=command.complete)
