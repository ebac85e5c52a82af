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
    #: What %help NAME adds to the summary: the arguments, and an example.
    details: str = ""


class Subcommand(NamedTuple):
    """``asyncshell NAME``: the handler takes the parsed arguments and returns the exit status."""

    name: str
    summary: str
    target: str


_COURSE = "asyncshell.course.commands"
_INSIGHT = "asyncshell.insight.commands"

#: In the order %help should make sense of them: lessons first, then the server, then insight.
COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("lessons", "list the lessons and how far you got", "%lessons", f"{_COURSE}:lessons", "course",
                details="Shows each lesson's number, id, title and how far you got. Start one with %learn and its id or number.\nExample: %lessons"),
    LazyCommand("learn", "start a lesson, or carry on where you left it", "%learn [ID]", f"{_COURSE}:learn", "course",
                complete=f"{_COURSE}:lesson_ids",
                details="ID is a lesson id or its number in %lessons. Without it, carries on with the lesson you were in, or lists them.\nExample: %learn first-steps"),
    LazyCommand("next", "go on to the next step (Enter on an empty line does too)", "%next", f"{_COURSE}:next_step", "course",
                details="Moves on once the step is done: a text or an example is done once read; a quiz or an exercise once answered, passed or skipped.\nExample: %next"),
    LazyCommand("back", "go back a step in the lesson", "%back", f"{_COURSE}:back", "course",
                details="Shows the step before this one; your progress stays as it is.\nExample: %back"),
    LazyCommand("run", "run the example on screen in your namespace", "%run", f"{_COURSE}:run_example", "course",
                details="Runs the example's code as if you had typed it, so its names are yours to use afterwards.\nExample: %run"),
    LazyCommand("answer", "answer the quiz or prediction on screen", "%answer N... | TEXT", f"{_COURSE}:answer", "course",
                details="N is the number of your choice (several numbers when more than one is right); a typed question takes your words, and a typed prediction the lines, separated by commas. Alone, in a terminal, it lets you pick with the arrow keys.\nExample: %answer 2"),
    LazyCommand("check", "check your code against the exercise", "%check [-v]", f"{_COURSE}:check", "course",
                words=("-v",),
                details="Runs the exercise's check against what you defined at the prompt, and says what was wrong if it fails. -v also shows where: the check's file, line and code.\nExample: %check -v"),
    LazyCommand("edit", "open the exercise in $EDITOR; saved code runs when it closes", "%edit", f"{_COURSE}:edit", "course",
                details="Opens the exercise in $VISUAL or $EDITOR; when you close the editor, the saved code runs into your namespace.\nExample: %edit"),
    LazyCommand("hint", "show the exercise's next hint", "%hint", f"{_COURSE}:hint", "course",
                details="Each %hint shows the next one, and says how many there are.\nExample: %hint"),
    LazyCommand("solution", "show a solution (counts as seen, not solved)", "%solution", f"{_COURSE}:solution", "course",
                details="Shows a solution. It counts as seen, not as solved: type it in and %check, or %skip.\nExample: %solution"),
    LazyCommand("skip", "skip the step (an exercise's solution runs for you)", "%skip", f"{_COURSE}:skip", "course",
                details="Moves on without doing the step. An exercise's solution runs for you, so what it defines is there for the next steps.\nExample: %skip"),
    LazyCommand("reset", "put your namespace back as the exercise began", "%reset [yes]", f"{_COURSE}:reset", "course",
                details="Forgets every name defined since the exercise began and runs its setup again; add yes to do it.\nExample: %reset yes"),
    LazyCommand("watch", "solve the exercise in your own editor: each save runs and checks it", "%watch [off]",
                "asyncshell.course.watch:watch_command", "course", words=("off",),
                details="Writes the exercise to a file and prints its path; open it in any editor. Every save runs "
                "the file into your namespace and checks it. %watch again runs it now (for drives whose changes "
                "are not seen); moving on moves the watch to the next exercise; off stops.\nExample: %watch"),
    LazyCommand("progress", "show your progress in every lesson", "%progress", f"{_COURSE}:progress", "course",
                details="Every lesson with the steps done, checks run, solutions seen and steps skipped.\nExample: %progress"),
    LazyCommand("server", "the practice web server: URL, state, request stats", "%server [start [PORT]|stop|reset]",
                "asyncshell.practice:server_command", "server", words=("start", "stop", "reset"),
                details="start [PORT] starts it on 127.0.0.1 (a free port if none is given) and puts its address in BASE_URL; stop stops it; reset zeroes its request counts. Alone, it shows the address, the endpoints and what the server has seen.\nExample: %server start"),
    LazyCommand("tasks", "list your tasks: state, where each waits, results of those just finished", "%tasks [-v | --tree]",
                f"{_INSIGHT}:tasks", "insight", words=("-v", "--tree"),
                details="-v adds, for each task, the whole chain of your code it waits in. --tree draws who awaits whom: "
                "a TaskGroup's tasks, and tasks a task awaits or gathers, under it.\nExample: %tasks --tree"),
    LazyCommand("cancel", "cancel one of your tasks, or all of them", "%cancel ID|NAME|all", f"{_INSIGHT}:cancel", "insight",
                words=("all",), complete=f"{_INSIGHT}:task_names",
                details="ID is the number %tasks shows, NAME a task's name, all cancels every one of your tasks. Each gets CancelledError where it waits.\nExample: %cancel all"),
    LazyCommand("timeline", "chart what ran when in an input; 'on' charts every input", "%timeline [on|off|--svg FILE]",
                f"{_INSIGHT}:timeline", "insight", words=("on", "off", "--svg"),
                details="Alone: a chart of the input just run. on: a chart after every input, with every step timed. off: stop. --svg FILE: write the last chart as an SVG picture.\nExample: %timeline on"),
    LazyCommand("blocking", "report code that blocks the event loop longer than SECONDS (default 0.2), or turn that off",
                "%blocking [SECONDS|on|off]", f"{_INSIGHT}:blocking", "insight", words=("on", "off"),
                details="SECONDS sets how long a step may hold the event loop before it is reported; off stops reporting, on starts again. Alone, it says how it is set.\nExample: %blocking 0.5"),
)

SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("learn", "start the shell in a lesson, or in the lesson list", "asyncshell.cli:learn_command"),
    Subcommand("lessons", "list the lessons and your progress", "asyncshell.course.listing:lessons_command"),
    Subcommand("course", "remember a course folder for later runs: add DIR, remove DIR, list",
               "asyncshell.course.course_command:course_command"),
    Subcommand("progress", "show your lesson progress (--json for a teacher), or --reset it", "asyncshell.course.progress_command:progress_command"),
    Subcommand("serve", "run the practice web server alone on 127.0.0.1 [--port N]", "asyncshell.practice:serve_command"),
    Subcommand("validate", "check lessons: each solution passes its check, each starter fails",
               "asyncshell.course.validate:validate_command"),
)


def register(registry: CommandRegistry, *groups: str) -> None:
    """Register the table's %commands, or only those of ``groups``, to be imported on first use."""
    for command in COMMANDS:
        if not groups or command.group in groups:
            registry.lazy(command.name, command.summary, command.usage, command.target,
                          words=command.words, complete=command.complete, details=command.details)
