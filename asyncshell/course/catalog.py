"""Which lesson folders are in use: the built-in one, then ``ASYNCSHELL_LESSONS``, then ``--lessons-dir``.

The built-in folder comes first, so a lesson of the user's can never take over
a built-in lesson's id (the loader keeps the first file it finds with an id).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from asyncshell.course.loader import load_lessons
from asyncshell.course.model import LoadResult
from asyncshell.paths import LESSONS_ENV, builtin_lessons_dir

#: Extra lesson folders, separated like PATH (``os.pathsep``).


def lesson_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """The folders lessons are loaded from, in the order their ids win."""
    from_env = os.environ.get(LESSONS_ENV, "").split(os.pathsep)
    folders = [builtin_lessons_dir()]
    folders += [Path(entry).expanduser() for entry in from_env if entry.strip()]
    folders += [Path(folder).expanduser() for folder in extra]
    return folders


def load_catalog(extra: Sequence[Path] = ()) -> LoadResult:
    """Every lesson in ``lesson_dirs(extra)``; files that fail are in ``.errors``."""
    return load_lessons(lesson_dirs(extra))


def add_lessons_dir_option(parser: argparse.ArgumentParser) -> None:
    """``--lessons-dir DIR``, repeatable, as every command that reads the catalog spells it.

    Unlike a folder in ``ASYNCSHELL_LESSONS``, one named on the command line
    must exist: a typo there should not quietly load nothing.
    """
    parser.add_argument(
        "--lessons-dir", dest="lessons_dirs", metavar="DIR", type=_folder, action="append", default=[],
        help=f"also load the lessons in DIR (repeatable; {LESSONS_ENV} adds folders too, separated by {os.pathsep!r})",
    )


def _folder(text: str) -> Path:
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"no such folder: {text}")
    return folder
