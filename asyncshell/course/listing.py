"""``asyncshell lessons``: the lessons in use, in course order, with how far the learner got in each."""

from __future__ import annotations

import argparse
import sys

from asyncshell.course.catalog import load_catalog
from asyncshell.course.progress import ProgressStore
from asyncshell.text import printable
from asyncshell.course.standing import lesson_table
from asyncshell.paths import lesson_dirs


def lessons_command(args: argparse.Namespace) -> int:
    """``asyncshell lessons [--lessons-dir DIR ...]``; files that fail to load are listed, not fatal."""
    catalog = load_catalog(args.lessons_dirs)
    if not catalog.lessons and not catalog.errors:
        print(printable("No lessons found in " + ", ".join(map(str, lesson_dirs(args.lessons_dirs))) + "."))
        return 0
    with ProgressStore.open() as store:
        if store.notice:
            print(store.notice, file=sys.stderr)
        sys.stdout.write(lesson_table(catalog, store))
    return 0
