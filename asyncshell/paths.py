"""Where asyncshell keeps its files and finds lessons: the data home, the built-in lessons, the lesson folders."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

HOME_ENV = "ASYNCSHELL_HOME"
LESSONS_ENV = "ASYNCSHELL_LESSONS"  # extra lesson folders, os.pathsep-separated


_ABSOLUTE: dict[str, Path] = {}


def data_home() -> Path:
    """The folder for history, progress and anything else we store.

    ``ASYNCSHELL_HOME`` wins so that tests and classrooms can point it anywhere.  A
    relative one is taken from the folder the shell started in, for the whole
    session: a learner's ``os.chdir()`` must not move their history and progress.
    """
    override = os.environ.get(HOME_ENV)
    if override:
        if override not in _ABSOLUTE:
            _ABSOLUTE[override] = Path(override).expanduser().absolute()
        return _ABSOLUTE[override]
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "asyncshell"


def ensure_data_home() -> Path:
    """Create the data home on first use, not at import, so read-only runs write nothing.

    Only its owner may read it (0700): it holds the code of every attempt and the history.
    """
    return private_folder(data_home())


def private_folder(folder: Path) -> Path:
    """Make sure ``folder`` exists and only its owner may enter it (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    return folder


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists and only its owner may read it (0600); the data home's files are private."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return path


def builtin_lessons_dir() -> Path:
    """The shipped lessons: package data when installed, the checkout's ``lessons/`` when editable."""
    here = Path(__file__).resolve().parent
    packaged = here / "lessons"
    if packaged.is_dir():
        return packaged
    return here.parent / "lessons"


class LessonFolders:
    """The folders named with ``--lessons-dir``/``--course``, and ``--no-builtin``, kept for the session's lessons."""

    def __init__(self, extra: Sequence[Path] = (), builtin: bool = True) -> None:
        self.extra = tuple(extra)
        self.builtin = builtin
