"""``asyncshell progress [--json] [--reset [LESSON]]``: the report ``%progress`` shows, the same as JSON for a
teacher, or forgetting one lesson's progress or every lesson's."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TextIO

from asyncshell.course.catalog import load_catalog
from asyncshell.course.fields import did_you_mean
from asyncshell.course.model import LoadResult
from asyncshell.course.progress import ProgressStore
from asyncshell.course.progress_json import progress_document
from asyncshell.course.standing import report
from asyncshell.errors import UsageError


def progress_command(
    args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
) -> int:
    """``asyncshell progress``: print the report (``--json``: the document); ``--reset`` forgets after confirming.

    ``ask`` reads the confirmation (``input`` when stdin is a terminal); without
    one, ``--yes`` is needed, so a script never wipes progress by accident.
    The store's notices go to ``err``, so ``out`` holds the report alone.
    """
    out, err = out or sys.stdout, err or sys.stderr  # looked up now: a default would keep the stream of import time
    if ask is None and sys.stdin.isatty():
        ask = input
    catalog = load_catalog(args.lessons_dirs, builtin=args.builtin)
    with ProgressStore.open() as store:
        if store.notice:
            err.write(store.notice + "\n")
        if args.reset is None:
            if args.json:
                out.write(json.dumps(progress_document(store, catalog.lessons), indent=2, ensure_ascii=False) + "\n")
            else:
                out.write(report(store, catalog.lessons))
            return 0
        lesson = None if args.reset is True else _known_lesson(args.reset, store, catalog)
        if not args.yes:
            if ask is None:
                out.write("asyncshell progress --reset: add --yes to confirm when not at a terminal.\n")
                return 2
            what = "all lesson progress" if lesson is None else f"your progress in lesson '{lesson}'"
            if ask(f"Forget {what} in {store.path or 'this store'}? [y/N] ").strip().lower() not in ("y", "yes"):
                out.write("Nothing was changed.\n")
                return 1
        store.reset(lesson)
        out.write("All lesson progress is forgotten.\n" if lesson is None
                  else f"Your progress in lesson '{lesson}' is forgotten.\n")
        return 0


def _known_lesson(name: str, store: ProgressStore, catalog: LoadResult) -> str:
    """``name`` if it is a lesson loaded or one with progress kept (perhaps no longer loaded), else one line why not."""
    known = [lesson.id for lesson in catalog.lessons] + store.recent_lessons()
    if name not in known:
        raise UsageError(f"progress --reset: there is no lesson '{name}'{did_you_mean(name, known) or ' (asyncshell lessons lists them)'}")
    return name
