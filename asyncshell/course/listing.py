"""``asyncshell lessons``: the lessons in use, in course order, with how far the learner got in each."""

from __future__ import annotations

import argparse
import sys

from asyncshell.course.catalog import load_catalog
from asyncshell.course.progress import ProgressStore
from asyncshell.text import printable
from asyncshell.course.standing import lesson_table


#: When no course is in use at all: asyncshell's own lessons were left out, and nothing else was named.
NO_COURSE = ("No lessons: asyncshell's own are left out (--no-builtin, or a course's 'builtin: false') and no "
             "other course is in use. Name one with --course DIR, or remember it with asyncshell course add DIR.")


def lessons_command(args: argparse.Namespace) -> int:
    """``asyncshell lessons [--course DIR ...] [--no-builtin]``; files that fail to load are listed, not fatal."""
    catalog = load_catalog(args.lessons_dirs, builtin=args.builtin)
    if not catalog.lessons and not catalog.errors:
        print(printable("No lessons found in " + ", ".join(str(course.folder) for course in catalog.courses) + "."
                        if catalog.courses else NO_COURSE))
        return 0
    with ProgressStore.open() as store:
        if store.notice:
            print(store.notice, file=sys.stderr)
        sys.stdout.write(lesson_table(catalog, store))
    return 0
