"""``asyncshell progress [--reset]``: the report ``%progress`` shows, or forgetting every lesson's progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from asyncshell.course.catalog import load_catalog
from asyncshell.course.progress import ProgressStore
from asyncshell.course.standing import report


def progress_command(args: argparse.Namespace, *, out: TextIO = sys.stdout, ask: Callable[[str], str] | None = None) -> int:
    """``asyncshell progress``: print the report; ``--reset`` forgets everything after confirming.

    ``ask`` reads the confirmation (``input`` when stdin is a terminal); without
    one, ``--yes`` is needed, so a script never wipes progress by accident.
    """
    if ask is None and sys.stdin.isatty():
        ask = input
    with ProgressStore.open() as store:
        if store.notice:
            out.write(store.notice + "\n")
        if not args.reset:
            out.write(report(store, load_catalog(args.lessons_dirs).lessons))
            return 0
        if not args.yes:
            if ask is None:
                out.write("asyncshell progress --reset: add --yes to confirm when not at a terminal.\n")
                return 2
            if ask(f"Forget all lesson progress in {store.path or 'this store'}? [y/N] ").strip().lower() not in ("y", "yes"):
                out.write("Nothing was changed.\n")
                return 1
        store.reset()
        out.write("All lesson progress is forgotten.\n")
        return 0
