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
import io
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

from asyncshell import __version__
from asyncshell.repl.console import Console, color_wanted
from asyncshell.errors import AsyncshellError, describe_bug
from asyncshell.features import SUBCOMMANDS, register
from asyncshell.paths import LESSONS_ENV, LessonFolders, data_home
from asyncshell.text import plural

PYTHON_VERSION = ".".join(map(str, sys.version_info[:3]))
DESCRIPTION = "A Python shell for learning asyncio: top-level await, and one event loop that keeps running between inputs."


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line that says what is wrong, then where to read more."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n(see {self.prog} --help)\n")


def _folder(text: str) -> Path:
    """A folder named on the command line must exist: a typo there should not quietly load nothing."""
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"no such folder: {text}")
    return folder


def _lesson_path(text: str) -> Path:
    """``validate PATH``: a lesson file, or a folder of them."""
    from asyncshell.course.loader import is_lesson_file

    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or folder: {text}")
    if path.is_file() and not is_lesson_file(path):
        raise argparse.ArgumentTypeError(f"not a lesson file (a name ending in .yaml or .yml, not starting with '.'): {text}")
    return path


def _common() -> _Parser:
    """The options every way of starting asyncshell shares, defined once."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--lessons-dir", dest="lessons_dirs", metavar="DIR", type=_folder, action="append", default=[],
        help=f"also load the lessons in DIR (repeatable; {LESSONS_ENV} adds folders too, separated by {os.pathsep!r})",
    )
    common.add_argument("--course", dest="lessons_dirs", metavar="DIR", type=_folder, action="append",
                        help="take the course in DIR: its lessons, in its course.yaml's order (same as --lessons-dir)")
    common.add_argument("--no-builtin", dest="builtin", action="store_false",
                        help="leave asyncshell's own lessons out: only the courses named or remembered")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The shell's own arguments: ``asyncshell [-c CODE | FILE] [-i]``."""
    epilog = "\n".join(f"  asyncshell {sub.name:<9} {sub.summary}" for sub in SUBCOMMANDS)
    parser = _Parser(
        prog="asyncshell", description=DESCRIPTION, parents=[_common()],
        epilog="subcommands (asyncshell NAME --help for each):\n" + epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"asyncshell {__version__} (Python {PYTHON_VERSION})")
    _no_color(parser)
    parser.add_argument("-c", dest="code", metavar="CODE", help="run CODE (top-level await allowed) and exit")
    parser.add_argument("-i", dest="stay", action="store_true", help="stay in the shell after -c CODE or FILE, with its names")
    parser.add_argument("file", nargs="?", metavar="FILE", help="run a Python file (top-level await allowed) and exit")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for CODE or FILE, in sys.argv")
    return parser


def _no_color(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-color", action="store_true", help="plain output, no colours (also: NO_COLOR=1)")


def build_subcommand_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """``asyncshell NAME ...``: one subparser per entry of ``features.SUBCOMMANDS``, all sharing ``--lessons-dir``."""
    parser = _Parser(prog="asyncshell", description=DESCRIPTION)
    subparsers = parser.add_subparsers(dest="subcommand", required=True)
    common = _common()
    sub: dict[str, argparse.ArgumentParser] = {entry.name: subparsers.add_parser(entry.name, help=entry.summary, description=entry.summary.capitalize() + ".",
                                             parents=[common] if entry.name != "serve" else [])
           for entry in SUBCOMMANDS}
    for entry in SUBCOMMANDS:
        sub[entry.name].set_defaults(target=entry.target)
    sub["learn"].add_argument("lesson", nargs="?", help="lesson id, e.g. first-steps; without it, carry on or list them")
    _no_color(sub["learn"])
    sub["learn"].set_defaults(code=None, file=None, stay=False, args=[])
    progress = sub["progress"].add_mutually_exclusive_group()
    progress.add_argument("--json", action="store_true", help="print it as JSON, for a teacher to collect (docs/progress.md)")
    progress.add_argument("--reset", nargs="?", const=True, metavar="LESSON",
                          help="forget LESSON's progress, or without it all progress (asks first)")
    sub["progress"].add_argument("--yes", action="store_true", help="with --reset: do not ask")
    sub["course"].add_argument("action", choices=("add", "remove", "list"), help="add DIR, remove DIR, or list the courses in use")
    sub["course"].add_argument("folder", nargs="?", type=Path, metavar="DIR", help="the course's folder (its lesson files, and a course.yaml)")
    sub["serve"].add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    sub["validate"].add_argument("-v", "--verbose", action="store_true",
                                 help="also say how each exercise went: the check line its starter fails on")
    sub["validate"].add_argument("paths", nargs="*", type=_lesson_path, metavar="PATH",
                                 help="a lesson file, or a folder of them, to check instead of the lessons asyncshell would use")
    return parser, sub


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The shell's arguments, or a subcommand's (with ``target``) when ``argv`` starts with one."""
    if argv and argv[0] in {sub.name for sub in SUBCOMMANDS}:
        parser, sub = build_subcommand_parser()
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # said by the subcommand, whose --help is the one to read
            sub[argv[0]].error(f"unrecognized arguments: {' '.join(unknown)}")
        return args
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parse(argv)
        target = getattr(args, "target", None)
        if target is not None:
            module, _, function = target.partition(":")
            command: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
            return command(args)
        return run_shell(args)
    except AsyncshellError as exc:
        print(f"asyncshell: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug of ours
        return _report_bug(exc)


def entry() -> int:
    """The installed command and ``python -m asyncshell``: ``main``, then a quiet exit into a closed pipe."""
    try:
        return main()
    finally:
        _quiet_broken_pipe()


def banner() -> str:
    return (
        f"asyncshell {__version__} on Python {PYTHON_VERSION}: top-level await is on, "
        "and the event loop keeps running between inputs.\n"
        "Type %help for shell commands; exit() or Ctrl-D leaves.\n"
    )


def learn_command(args: argparse.Namespace) -> int:
    """``asyncshell learn [ID]``: the shell, opened straight into a lesson, or carrying on with the last one."""
    return run_shell(args, start=f"%learn {args.lesson or ''}".strip())


def run_shell(args: argparse.Namespace, start: str | None = None) -> int:
    """The shell itself; ``start`` is a %command to run first (``asyncshell learn``)."""
    from asyncshell.repl.evaluator import Evaluator
    from asyncshell.repl.commands import registry
    from asyncshell.repl.loop import run, threads_left_behind
    from asyncshell.repl.session import Session
    from asyncshell.repl.streams import StandardStreams

    first = _first_input(args)
    stay = args.stay or first is None
    terminal = stay and sys.stdin.isatty() and sys.stdout.isatty()
    color = color_wanted(args.no_color, sys.stdout)
    if not terminal:
        with contextlib.suppress(AttributeError, ValueError):
            if isinstance(sys.stdin, io.TextIOWrapper):
                sys.stdin.reconfigure(errors="replace")
    if first is None or first[1] != "<string>":
        sys.path.insert(0, os.path.dirname(os.path.abspath(first[1])) if first else "")
    console = Console(sys.stdout, sys.stderr, color=color, notes_to_err=not stay)
    if terminal and first is None:
        console.write(console.wrap(banner()) + "\n")
    loop = asyncio.new_event_loop()
    evaluator = Evaluator(write=console.write, loop=loop)
    commands = registry.copy()
    register(commands)
    streams = StandardStreams()
    session = Session(evaluator, console, commands=commands, interactive=terminal, streams=streams)
    session.hooks.cleanups.append(streams.close)
    if args.lessons_dirs or not args.builtin:
        # Absolute: the learner may os.chdir() before the lessons first load.
        session.features.get_or_make(LessonFolders, lambda: LessonFolders([d.resolve() for d in args.lessons_dirs],
                                                                          args.builtin))
    session.defer(lambda: install_teaching(session))
    if terminal:
        _own_terminal()
    reader = _make_reader(terminal, stay, session)
    try:
        status = run(loop, session, _main(session, reader, first, stay, start))
    finally:
        getattr(reader, "close", lambda: None)()
    stuck = threads_left_behind()
    if stuck:  # a learner's thread still in time.sleep(100): Python would wait for it at exit
        console.note(f"{plural(len(stuck), 'thread')} of yours still running (e.g. in asyncio.to_thread); "
                     "leaving without waiting for them.")
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        os._exit(status)
    return status


def _own_terminal() -> None:
    """prompt_toolkit reads and draws through copies of the terminal's descriptors.

    A learner's ``sys.stdout.close()`` or ``sys.stdin.close()`` closes descriptor 1
    or 0, and with it the prompt, unless the prompt has files of its own.  The
    default app session (which every thread sees, the stdout proxy's too) makes its
    input and output from sys.stdin and sys.stdout on first use: here, from copies.
    """
    from prompt_toolkit.application.current import get_app_session

    saved = sys.stdin, sys.stdout
    try:
        sys.stdin = open(os.dup(saved[0].fileno()), encoding=saved[0].encoding, errors="replace")  # noqa: SIM115
        sys.stdout = open(os.dup(saved[1].fileno()), "w", encoding=saved[1].encoding, errors="replace")  # noqa: SIM115
        app_session = get_app_session()
        app_session.input, app_session.output  # made now, from the copies  # noqa: B018
    finally:
        sys.stdin, sys.stdout = saved


def install_teaching(session: Any) -> None:
    """Tutorial code that just works, friendly explanations of classic mistakes, the blocking detector."""
    from asyncshell.course.teaching import LessonLinks
    from asyncshell.insight import explain, rewrite, timeline, watchdog

    rewrite.install_rewrites(session)
    explain.install_explanations(session, lesson_link=LessonLinks(session))
    watchdog.install_watchdog(session)
    timeline.spans_for(session)  # so a plain %timeline can chart the input just run


_offering: set[asyncio.Task[None]] = set()  # the resume offer while it runs


def _offer_resume(session: Any) -> None:
    """After the prompt is up, offer the unfinished lesson.

    The lessons load in a thread, so a big lesson folder never holds the prompt;
    the hint comes once they have.  The task is kept until it ends (the loop keeps
    only a weak reference).
    """
    from asyncshell.course.progress_file import has_progress

    if not has_progress():
        return  # a first run: importing and loading every lesson would only compete with the prompt
    from asyncshell.course.tutor import resume_hint, tutor_for

    async def offer() -> None:
        try:
            tutor = tutor_for(session)
            await asyncio.to_thread(lambda: tutor.course)
            hint = resume_hint(session)
        except AsyncshellError as exc:
            hint = str(exc)
        if hint:
            session.console.note(hint)

    task = asyncio.get_running_loop().create_task(offer(), name="asyncshell-resume-offer")
    _offering.add(task)
    task.add_done_callback(_offering.discard)


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
            complete_command=lambda line: session.commands.complete(session, line),
        )
    from asyncshell.frontends.piped import PipedReader

    return PipedReader(lambda: sys.stdin)


def _report_bug(exc: BaseException) -> int:
    print(f"asyncshell: {describe_bug(exc)}", file=sys.stderr)
    return 70


def _quiet_broken_pipe() -> None:
    """Output piped into `head` is fine: no 'Exception ignored ... BrokenPipeError' at exit.

    User code may have replaced or closed sys.stdout, so the real stream is the one flushed.
    """
    real = sys.__stdout__
    if real is None:  # started without a stdout at all
        return
    sys.stdout = real
    try:
        real.flush()
    except (BrokenPipeError, ValueError, OSError):
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, real.fileno())
