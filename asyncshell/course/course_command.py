"""``asyncshell course add DIR | remove DIR | list``: the course folders later runs find without flags."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from asyncshell.course.catalog import load_catalog
from asyncshell.course.courses import forget, installed_packs, remember, remembered
from asyncshell.errors import LessonError
from asyncshell.paths import builtin_lessons_dir
from asyncshell.text import plural, printable


def course_command(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Remember or forget a course folder, or list the courses in use with where each comes from."""
    out = out or sys.stdout  # looked up now: a default would keep the stream of import time
    if args.action == "list":
        return _list(args, out)
    if args.folder is None:
        out.write(f"asyncshell course {args.action}: name the course's folder, e.g. asyncshell course {args.action} ~/week3\n")
        return 2
    if args.action == "remove":
        if forget(args.folder):
            out.write(printable(f"Forgot the course in {args.folder.expanduser().resolve()}.") + "\n")
            return 0
        out.write(printable(f"{args.folder} was not a remembered course; asyncshell course list shows them.") + "\n")
        return 1
    folder = remember(args.folder)
    catalog = load_catalog([folder])
    course = next(course for course in catalog.courses if course.folder.resolve() == folder)
    problems = [error for error in catalog.errors if _under(error, folder)]
    named = f"'{course.title}'" if course.title else f"'{course.name}'"
    out.write(printable(f"Remembered the course {named} in {folder}: {plural(len(course.lessons), 'lesson')}. "
                        "asyncshell lessons lists it; asyncshell course remove DIR forgets it.") + "\n")
    for error in problems:
        out.write(str(error) + "\n")
    return 1 if problems else 0


def _list(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.lessons_dirs, builtin=args.builtin)
    kept = set(remembered())
    packs = {folder.resolve(): name for folder, name in installed_packs()}
    for course in catalog.courses:
        folder = course.folder.resolve()
        source = ("remembered" if folder in kept else f"installed pack '{packs[folder]}'" if folder in packs
                  else "built in" if folder == builtin_lessons_dir().resolve() else "named for this run")
        title = f" {course.title}" if course.title else ""
        out.write(printable(f"{course.name}:{title} ({plural(len(course.lessons), 'lesson')}, {source}) {course.folder}") + "\n")
    return 0


def _under(error: LessonError, folder: Path) -> bool:
    return error.path.resolve().is_relative_to(folder)
