"""Which courses are in use: asyncshell's own lessons, the folders named or remembered, and installed packs.

A course is a folder of lesson files, with a ``course.yaml`` if its teacher
wrote one (``loader.read_course``).  Three ways reach one:

- named for one run: ``--lessons-dir DIR`` or ``--course DIR`` (the same),
  or the folders in ``ASYNCSHELL_LESSONS``;
- remembered: ``asyncshell course add DIR`` writes the folder into the data
  home's ``courses`` file, so later runs find it without flags;
- installed: a Python package that ships a ``lessons/`` folder and names its
  package under the ``asyncshell.courses`` entry point group.  It is found
  the way pytest finds plugins, from the installed metadata, and its code is
  never imported.  Its lessons are trusted code all the same: their setup,
  solution and check run as Python, like any lesson's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from asyncshell.course.loader import read_course
from asyncshell.course.model import Course
from asyncshell.errors import LessonError, UsageError
from asyncshell.paths import LESSONS_ENV, builtin_lessons_dir, data_home, ensure_data_home, private_file

ENTRY_POINT_GROUP = "asyncshell.courses"
BUILTIN = "asyncshell"  # the built-in course's name
_REMEMBERED = "courses"  # in the data home: one folder per line


def courses_in_use(extra: Sequence[Path] = (), *, builtin: bool = True) -> tuple[list[Course], list[LessonError]]:
    """The courses to load, in the order their lesson ids win, and the course files that could not be read.

    The built-in course comes first, so a lesson of a teacher's can never take
    over a built-in id; it is left out when ``builtin`` is False or a course in
    use says ``builtin: false``.
    """
    folders = [Path(entry).expanduser() for entry in os.environ.get(LESSONS_ENV, "").split(os.pathsep) if entry.strip()]
    folders += [folder for folder in remembered() if folder.is_dir()]
    named = [(folder, "") for folder in folders] + installed_packs() + [(Path(folder).expanduser(), "") for folder in extra]
    courses, errors, seen = [], [], set()
    for folder, name in named:
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        try:
            courses.append(read_course(folder, name))
        except LessonError as error:
            errors.append(error)
            courses.append(Course(name=name or folder.name, folder=folder))  # its lessons still load
    if builtin and all(course.builtin for course in courses):
        courses.insert(0, Course(name=BUILTIN, folder=builtin_lessons_dir(), title="asyncshell's own lessons"))
    return courses, errors


def installed_packs() -> list[tuple[Path, str]]:
    """Every installed pack's ``lessons/`` folder and entry point name; one whose folder is missing is skipped."""
    import importlib.metadata  # 30 ms to import: only when the lessons load

    found = []
    for entry in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        folder = _package_lessons(entry.value.partition(":")[0].strip())
        if folder is not None:
            found.append((folder, entry.name))
    return found


def _package_lessons(package: str) -> Path | None:
    """The ``lessons/`` folder of an installed top-level package, found without importing it."""
    if not package or "." in package:
        return None  # finding a submodule would import its package
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location) / "lessons"
        if folder.is_dir():
            return folder
    return None


def remembered() -> list[Path]:
    """The folders ``asyncshell course add`` remembered, in the order they were added."""
    try:
        lines = (data_home() / _REMEMBERED).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [Path(line) for line in dict.fromkeys(line.strip() for line in lines) if line]


def remember(folder: Path) -> Path:
    """Remember ``folder`` (absolute) for later runs; one already remembered stays where it was."""
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise UsageError(f"no such folder: {folder}")
    if folder not in remembered():
        with open(private_file(ensure_data_home() / _REMEMBERED), "a", encoding="utf-8") as handle:
            handle.write(f"{folder}\n")
    return folder


def forget(folder: Path) -> bool:
    """Stop remembering ``folder``; False when it was not remembered."""
    folder = folder.expanduser().resolve()
    before = remembered()
    kept = [path for path in before if path != folder]
    if len(kept) == len(before):
        return False
    (data_home() / _REMEMBERED).write_text("".join(f"{path}\n" for path in kept), encoding="utf-8")
    return True
