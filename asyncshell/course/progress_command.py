"""How far a learner got: the tally per lesson, the report ``%progress`` shows, and ``asyncshell progress [--reset]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from asyncshell.course.catalog import load_catalog
from asyncshell.course.model import Lesson
from asyncshell.course.progress import ProgressStore


@dataclass(frozen=True)
class Tally:
    """How far a learner got in one lesson, for lists and reports."""

    done: int
    total: int
    attempts: int
    revealed: int
    skipped: int
    started: bool
    finished: bool  # went through to the end, perhaps skipping steps

    @property
    def state(self) -> str:
        if self.total and self.done == self.total:
            return "done"
        if not self.started:
            return "not started"
        if self.finished:
            return f"finished, {self.done} of {self.total} done"
        return f"{self.done} of {self.total}"


def tally(store: ProgressStore, lesson: Lesson) -> Tally:
    keys = {step.key for step in lesson.steps}
    status = [s for key, s in store.step_status(lesson.id).items() if key in keys]
    position = store.position(lesson.id)
    return Tally(
        done=sum(s.done for s in status),
        total=len(keys),
        attempts=sum(s.attempts for s in status),
        revealed=sum(s.revealed for s in status),
        skipped=sum(s.skipped for s in status),
        started=bool(status) or position is not None,
        finished=position is not None and position >= len(lesson.steps),
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def report(store: ProgressStore, lessons: Sequence[Lesson]) -> str:
    """Each lesson's state, attempts, solutions seen and steps skipped, then the totals."""
    lines = ["Progress:"]
    width = max((len(lesson.id) for lesson in lessons), default=0)
    title_width = max((len(lesson.title) for lesson in lessons), default=0)
    for lesson in lessons:
        t = tally(store, lesson)
        line = f"  {lesson.id:<{width}}  {lesson.title:<{title_width}}  {t.state:<11}"
        if t.started:
            line += f"  {_plural(t.attempts, 'attempt')}, {t.revealed} revealed, {t.skipped} skipped"
        lines.append(line.rstrip())
    total = store.summary()
    lines.append(f"In all: {_plural(total.steps_done, 'step')} done, "
                 f"{_plural(total.attempts, 'check')} run ({total.attempts_passed} passed), "
                 f"{_plural(total.quiz_answers, 'quiz answer')} ({total.quiz_correct} right).")
    if store.path is not None:
        lines.append(f"Saved in {store.path}")
    return "\n".join(lines) + "\n"


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
