"""The ``asyncshell`` command: parses arguments, wires the pieces, and turns errors into exit codes.

This is the only place that knows whether we talk to a terminal or a pipe, and
the only place that catches everything: an error of ours reaches the user as one
line, never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import sys
from typing import Any, Callable, Sequence

from asyncshell import __version__
from asyncshell.repl.console import Console, color_wanted
from asyncshell.errors import AsyncshellError, describe_bug
from asyncshell.paths import LESSONS_ENV, data_home

PYTHON_VERSION = ".".join(map(str, sys.version_info[:3]))

# Subcommands load their module only when used: name -> ("module:function", summary).
# Each function takes the remaining arguments and returns an exit status.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "learn": ("asyncshell.cli:learn_command", "start the shell in a lesson, or in the lesson list"),
    "lessons": ("asyncshell.course.listing:lessons_command", "list the lessons and your progress"),
    "progress": ("asyncshell.course.progress_command:progress_command", "show your lesson progress, or --reset it"),
    "serve": ("asyncshell.practice:serve_command", "run the practice web server alone on 127.0.0.1 [--port N]"),
    "validate": ("asyncshell.course.validate:validate_command", "check lessons: each solution passes its check, each starter fails"),
}


def build_parser() -> argparse.ArgumentParser:
    epilog = "\n".join(f"  asyncshell {name:<9} {summary}" for name, (_, summary) in SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="asyncshell",
        description="A Python shell for learning asyncio: top-level await, and one event loop that keeps running between inputs.",
        epilog=("subcommands:\n" + epilog) if epilog else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"asyncshell {__version__} (Python {PYTHON_VERSION})")
    parser.add_argument("--no-color", action="store_true", help="plain output, no colours (also: NO_COLOR=1)")
    parser.add_argument("-c", dest="code", metavar="CODE", help="run CODE (top-level await allowed) and exit")
    parser.add_argument("-i", dest="stay", action="store_true", help="stay in the shell after -c CODE or FILE, with its names")
    parser.add_argument("--lessons-dir", action="append", default=[], metavar="DIR", help="add a folder of your own lessons (also: ASYNCSHELL_LESSONS)")
    parser.add_argument("file", nargs="?", metavar="FILE", help="run a Python file (top-level await allowed) and exit")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for CODE or FILE, in sys.argv")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            target, _ = SUBCOMMANDS[argv[0]]
            module, _, function = target.partition(":")
            command: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
            return command(argv[1:])
        return run_shell(build_parser().parse_args(argv))
    except AsyncshellError as exc:
        print(f"asyncshell: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug of ours
        return _report_bug(exc)
    finally:
        _quiet_broken_pipe()


def banner() -> str:
    return (
        f"asyncshell {__version__} on Python {PYTHON_VERSION}: top-level await is on, "
        "and the event loop keeps running between inputs.\n"
        "Type %help for shell commands; exit() or Ctrl-D leaves.\n"
    )


def learn_command(argv: list[str]) -> int:
    """``asyncshell learn [ID]``: the shell, opened straight into a lesson or the lesson list."""
    parser = argparse.ArgumentParser(prog="asyncshell learn", description="Start the shell in a lesson (or list them).")
    parser.add_argument("lesson", nargs="?", help="lesson id, e.g. first-steps")
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("--lessons-dir", action="append", default=[], metavar="DIR")
    args = parser.parse_args(argv)
    shell_args = build_parser().parse_args((["--no-color"] if args.no_color else []) + [f"--lessons-dir={d}" for d in args.lessons_dir])
    return run_shell(shell_args, start=f"%learn {args.lesson}" if args.lesson else "%lessons")


def run_shell(args: argparse.Namespace, start: str | None = None) -> int:
    """The shell itself; ``start`` is a %command to run first (``asyncshell learn``)."""
    from asyncshell.repl.evaluator import Evaluator
    from asyncshell.repl.loop import run
    from asyncshell.repl.session import Session

    if args.lessons_dir:
        extra = os.pathsep.join(os.path.abspath(d) for d in args.lessons_dir)
        os.environ[LESSONS_ENV] = os.pathsep.join(filter(None, [extra, os.environ.get(LESSONS_ENV, "")]))
    first = _first_input(args)
    stay = args.stay or first is None
    terminal = stay and sys.stdin.isatty() and sys.stdout.isatty()
    color = color_wanted(args.no_color, sys.stdout)
    if not terminal:
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    if first is None or first[1] != "<string>":
        sys.path.insert(0, os.path.dirname(os.path.abspath(first[1])) if first else "")
    console = Console(sys.stdout, sys.stderr, color=color, notes_to_err=not stay)
    if terminal and first is None:
        console.write(banner())
    loop = asyncio.new_event_loop()
    evaluator = Evaluator(write=console.write, loop=loop)
    session = Session(evaluator, console, interactive=terminal)
    register_feature_commands(session)
    session.defer(lambda: install_teaching(session))
    reader = _make_reader(terminal, stay, session)
    try:
        return run(loop, session, _main(session, reader, first, stay, start))
    finally:
        getattr(reader, "close", lambda: None)()


def register_feature_commands(session: Any) -> None:
    """Lesson and other feature commands: registered by name, imported on first use."""
    from asyncshell.course.command_list import COMMANDS

    for name, summary, usage, target in COMMANDS:
        session.commands.lazy(name, summary, usage, target)
    session.commands.lazy(
        "server", "the practice web server: URL, state, request stats", "%server [start [PORT]|stop|reset]",
        "asyncshell.practice:server_command",
    )
    session.commands.lazy(
        "tasks", "list your tasks: state, where each waits, results of those just finished", "%tasks [-v]",
        "asyncshell.insight.commands:tasks",
    )
    session.commands.lazy("cancel", "cancel one of your tasks, or all of them", "%cancel ID|NAME|all", "asyncshell.insight.commands:cancel")
    session.commands.lazy(
        "timeline", "chart what ran when in an input; 'on' charts every input", "%timeline [on|off|--svg FILE]",
        "asyncshell.insight.commands:timeline",
    )
    session.commands.lazy(
        "blocking", "report code that blocks the event loop longer than SECONDS (default 0.2), or not",
        "%blocking [SECONDS|on|off]", "asyncshell.insight.blocking_command:blocking",
    )


def install_teaching(session: Any) -> None:
    """Tutorial code that just works, friendly explanations of classic mistakes, the blocking detector."""
    from asyncshell.insight import explain, rewrite, timeline, watchdog

    rewrite.install_rewrites(session)
    explain.install_explanations(session)
    watchdog.install_watchdog(session)
    timeline.spans_for(session)  # so a plain %timeline can chart the input just run


def _offer_resume(session: Any) -> None:
    """After the prompt is up (loading lessons must not delay it): offer the unfinished lesson."""
    from asyncshell.course.tutor import resume_hint

    try:
        hint = resume_hint(session)
    except AsyncshellError as exc:
        hint = str(exc)
    if hint:
        session.console.note(hint)


async def _main(session: Any, reader: Any, first: tuple[str, str] | None, stay: bool, start: str | None = None) -> int:
    if start is not None:
        await session.handle(start)
    elif session.interactive and first is None:
        asyncio.get_running_loop().call_later(0.2, _offer_resume, session)
    if first is not None:
        source, filename = first
        if filename != "<string>":
            session.evaluator.namespace["__file__"] = filename
        await session.run_source(source, filename)
        if not stay and session.exit_code is None:
            session.exit_code = 1 if session.failed else 0
    return await session.run(reader)


def _first_input(args: argparse.Namespace) -> tuple[str, str] | None:
    """(source, filename) for -c or FILE, with sys.argv set as Python would set it."""
    if args.code is not None:
        sys.argv = ["-c"] + ([args.file] if args.file else []) + args.args
        return args.code, "<string>"
    if args.file is None:
        sys.argv = [""]
        return None
    try:
        with open(args.file, encoding="utf-8") as handle:
            source = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise AsyncshellError(f"can't run {args.file!r}: {getattr(exc, 'strerror', None) or exc}") from None
    sys.argv = [args.file] + args.args
    return source, args.file


def _make_reader(terminal: bool, stay: bool, session: Any) -> Any:
    if not stay:
        async def at_end() -> None:
            return None

        return at_end
    if terminal:
        from asyncshell.frontends.terminal import PROMPT, PromptReader, choose, edit
        from asyncshell.repl.hooks import Terminal

        session.terminal = Terminal(choose=choose, edit=edit)
        return PromptReader(
            session.evaluator.namespace,
            console=session.console,
            color=session.console.color,
            history_path=data_home() / "history",
            message=lambda: session.hooks.prompt_prefix + PROMPT,
            prefill=session.take_prefill,
        )
    from asyncshell.frontends.piped import PipedReader

    return PipedReader(sys.stdin)


def _report_bug(exc: BaseException) -> int:
    print(f"asyncshell: {describe_bug(exc)}", file=sys.stderr)
    return 70


def _quiet_broken_pipe() -> None:
    """Output piped into `head` is fine: no 'Exception ignored ... BrokenPipeError' at exit.

    User code may have replaced or closed sys.stdout, so the real stream is the one flushed.
    """
    sys.stdout = sys.__stdout__
    try:
        sys.__stdout__.flush()
    except (BrokenPipeError, ValueError, OSError, AttributeError):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.__stdout__.fileno())
