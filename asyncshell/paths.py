"""Where asyncshell keeps its files and finds lessons: the data home, the built-in lessons, the lesson folders."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

HOME_ENV = "ASYNCSHELL_HOME"
LESSONS_ENV = "ASYNCSHELL_LESSONS"  # extra lesson folders, os.pathsep-separated


def data_home() -> Path:
    """The folder for history, progress and anything else we store.

    ``ASYNCSHELL_HOME`` wins so that tests and classrooms can point it anywhere.
    """
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "asyncshell"


def ensure_data_home() -> Path:
    """Create the data home on first use, not at import, so read-only runs write nothing."""
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def builtin_lessons_dir() -> Path:
    """The shipped lessons: package data when installed, the checkout's ``lessons/`` when editable."""
    here = Path(__file__).resolve().parent
    packaged = here / "lessons"
    if packaged.is_dir():
        return packaged
    return here.parent / "lessons"


class LessonFolders:
    """The folders named with ``--lessons-dir``, kept for the session's lessons (``session.features``)."""

    def __init__(self, extra: Sequence[Path] = ()) -> None:
        self.extra = tuple(extra)


def lesson_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """The folders lessons are loaded from, in the order their ids win.

    The built-in folder comes first, so a lesson of the user's can never take
    over a built-in lesson's id; then ``ASYNCSHELL_LESSONS``, then ``--lessons-dir``.
    A folder in the environment that does not exist is skipped by the loader; one
    named on the command line was checked by the CLI.
    """
    from_env = os.environ.get(LESSONS_ENV, "").split(os.pathsep)
    folders = [builtin_lessons_dir()]
    folders += [Path(entry).expanduser() for entry in from_env if entry.strip()]
    folders += [Path(folder).expanduser() for folder in extra]
    return folders
