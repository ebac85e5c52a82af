"""``asyncshell lessons``: the lessons in use, in course order, with how far the learner got in each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TextIO

from asyncshell.course.catalog import load_catalog
from asyncshell.paths import lesson_dirs
from asyncshell.course.model import Lesson, LoadResult
from asyncshell.course.progress import ProgressStore, StepStatus


def lessons_command(args: argparse.Namespace) -> int:
    """``asyncshell lessons [--lessons-dir DIR ...]``; files that fail to load are listed, not fatal."""
    catalog = load_catalog(args.lessons_dirs)
    if not catalog.lessons and not catalog.errors:
        print("No lessons found in " + ", ".join(map(str, lesson_dirs(args.lessons_dirs))) + ".")
        return 0
    with ProgressStore.open() as store:
        if store.notice:
            print(store.notice, file=sys.stderr)
        states = {lesson.id: progress_state(lesson, store.step_status(lesson.id)) for lesson in catalog.lessons}
    print_lessons(catalog, states, sys.stdout)
    return 0


def progress_state(lesson: Lesson, status: Mapping[str, StepStatus]) -> str:
    """"not started", "n of m" steps done, or "done"."""
    total = len(lesson.steps)
    done = sum(1 for step in lesson.steps if step.key in status and status[step.key].done)
    if done == total:
        return "done"
    if not any(step.key in status for step in lesson.steps):
        return "not started"
    return f"{done} of {total}"


def print_lessons(catalog: LoadResult, states: Mapping[str, str], out: TextIO) -> None:
    """A row per lesson (order, id, title, steps, progress) with its summary below, then load errors."""
    lessons = catalog.lessons
    order_w = max([len("#")] + [len(str(lesson.order)) for lesson in lessons])
    id_w = max([len("lesson")] + [len(lesson.id) for lesson in lessons])
    title_w = max([len("title")] + [len(lesson.title) for lesson in lessons])
    if lessons:
        out.write(f"{'#':>{order_w}}  {'lesson':<{id_w}}  {'title':<{title_w}}  {'steps':>5}  progress\n")
    for lesson in lessons:
        out.write(f"{lesson.order:>{order_w}}  {lesson.id:<{id_w}}  {lesson.title:<{title_w}}  "
                  f"{len(lesson.steps):>5}  {states.get(lesson.id, 'not started')}\n")
        out.write(f"{'':>{order_w}}  {lesson.summary}\n")
    if catalog.errors:
        count = len(catalog.errors)
        out.write(f"\n{count} lesson file{'s' if count > 1 else ''} failed to load:\n")
        out.write("".join(f"{error}\n" for error in catalog.errors))
