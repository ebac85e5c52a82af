"""``asyncshell progress --json``: one learner's progress as a document a teacher collects from each student.

The fields are documented in ``docs/progress.md``; a program reading them
relies on ``SCHEMA``.  It goes up when a field is removed or changes meaning;
a field added leaves it as it is.  The words for states are ``standing``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from asyncshell import __version__
from asyncshell.course.model import Lesson, Step
from asyncshell.course.progress import ProgressStore, StepStatus
from asyncshell.course.standing import step_state, tally, totals

SCHEMA = 1
#: The most one gap between two of the learner's actions adds to the time spent: longer, and they
#: had walked away (or were working at the prompt, which is not recorded) for the rest of it.
IDLE_CAP_S = 600


def progress_document(store: ProgressStore, lessons: Sequence[Lesson], now: datetime | None = None) -> dict[str, Any]:
    """The document for ``lessons`` (those shown: nothing about lessons not loaded), written at ``now``."""
    spent = store.time_spent(IDLE_CAP_S)
    documents: list[dict[str, Any]] = []
    tallies = []
    for lesson in lessons:
        t = tally(store, lesson)
        tallies.append(t)
        status = {s.step: s for s in t.steps}
        steps = [_step(step, status.get(step.key), spent.get((lesson.id, step.key), 0.0)) for step in lesson.steps]
        documents.append({
            "id": lesson.id,
            "title": lesson.title,
            "state": t.stage,
            "steps_done": t.done,
            "steps_total": t.total,
            **_sums(steps),
            "steps": steps,
        })
    total = totals(tallies)
    written = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "schema": SCHEMA,
        "asyncshell": __version__,
        "written": written.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "totals": {
            "lessons": len(documents),
            "lessons_done": sum(t.stage == "done" for t in tallies),
            "steps_done": total.steps_done,
            "steps_total": sum(t.total for t in tallies),
            "checks_run": total.checks,
            "checks_passed": total.checks_passed,
            "quiz_answers": total.quiz_answers,
            "quiz_right": total.quiz_right,
            **_sums([step for lesson in documents for step in lesson["steps"]]),
        },
        "lessons": documents,
    }


def _step(step: Step, status: StepStatus | None, seconds: float) -> dict[str, Any]:
    return {
        "id": step.key,
        "type": step.type,
        "state": step_state(status),
        "attempts": status.attempts if status else 0,
        "hints_used": status.hints if status else 0,
        "solution_revealed": bool(status and status.revealed),
        "seconds_spent": round(seconds),
    }


def _sums(steps: Sequence[dict[str, Any]]) -> dict[str, int]:
    """What a lesson, or all of them, adds up to from its steps' documents: the sums match what is listed."""
    return {
        "attempts": sum(step["attempts"] for step in steps),
        "hints_used": sum(step["hints_used"] for step in steps),
        "solutions_revealed": sum(step["solution_revealed"] for step in steps),
        "steps_skipped": sum(step["state"] == "skipped" for step in steps),
        "seconds_spent": sum(step["seconds_spent"] for step in steps),
    }
