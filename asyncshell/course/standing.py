"""How far a learner got, in one vocabulary: a lesson's tally, the lesson table and the progress report.

Every place that tells a learner where they stand (``asyncshell lessons``,
``%lessons``, ``%progress``, ``asyncshell progress``, the resume offer and
"Next:") asks ``tally`` and words it with ``Tally.state``:

    not started              nothing recorded for the lesson
    N of M                   opened, N of its M steps done (0 of M: opened, nothing done yet)
    finished, N of M done    gone through to the end with steps skipped or unsolved
    done                     every step done

Where a word is wanted without the counts (``asyncshell progress --json``),
``Tally.stage`` is the same state: "not started", "started" (N of M),
"finished" or "done".  A step's state, from ``step_state``, in the same words:

    not started              nothing recorded for the step
    started                  shown (or its hint or solution seen), not yet tried
    tried                    a check run or a quiz answered, not yet done
    skipped                  moved past without being done
    done                     solved, answered, or read and gone past
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from asyncshell.course.model import Lesson, LoadResult
from asyncshell.course.courses import BUILTIN
from asyncshell.course.progress import ProgressStore, StepStatus
from asyncshell.text import printable
from asyncshell.text import columns, plural


@dataclass(frozen=True)
class Tally:
    """How far a learner got in one lesson."""

    done: int
    total: int
    attempts: int
    revealed: int
    skipped: int
    started: bool
    finished: bool  # went through to the end, perhaps skipping steps
    steps: tuple[StepStatus, ...] = ()  # the lesson's steps the learner touched

    @property
    def complete(self) -> bool:
        """Every step done: nothing left to come back for."""
        return self.done == self.total

    @property
    def in_progress(self) -> bool:
        """Opened and neither gone through nor complete: the lesson to offer carrying on with."""
        return self.started and not self.finished and not self.complete

    @property
    def stage(self) -> str:
        """The state as one word for a program: "not started", "started", "finished" or "done"."""
        if self.complete:
            return "done"
        if not self.started:
            return "not started"
        return "finished" if self.finished else "started"

    @property
    def state(self) -> str:
        """The state as the learner reads it: the stage, with the counts where it has them."""
        if self.stage == "finished":
            return f"finished, {self.done} of {self.total} done"
        if self.stage == "started":
            return f"{self.done} of {self.total}"
        return self.stage


def step_state(status: StepStatus | None) -> str:
    """One step's state, in the words the module's docstring lists."""
    if status is None:
        return "not started"
    if status.done:
        return "done"
    if status.skipped:
        return "skipped"
    return "tried" if status.attempts else "started"


@dataclass(frozen=True)
class Totals:
    """What the lessons shown add up to: the last line of the report."""

    steps_done: int
    checks: int
    checks_passed: int
    quiz_answers: int
    quiz_right: int


def totals(tallies: Iterable[Tally]) -> Totals:
    """The sums over ``tallies``: only the lessons shown, and only the steps they still have."""
    steps = [status for t in tallies for status in t.steps]
    return Totals(
        steps_done=sum(s.done for s in steps),
        checks=sum(s.attempts - s.answers for s in steps),
        checks_passed=sum(s.passed for s in steps),
        quiz_answers=sum(s.answers for s in steps),
        quiz_right=sum(s.right for s in steps),
    )


def tally(store: ProgressStore, lesson: Lesson) -> Tally:
    """The lesson's tally; steps the store knows that the lesson no longer has do not count."""
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
        steps=tuple(status),
    )


def carry_on(store: ProgressStore, course: LoadResult) -> Lesson | None:
    """The lesson most recently worked on that is still in progress: what the resume offer and ``%learn`` pick."""
    for lesson_id in store.recent_lessons():
        lesson = course.get(lesson_id)
        if lesson is not None and tally(store, lesson).in_progress:
            return lesson
    return None


def next_lesson(store: ProgressStore, course: LoadResult, after: Lesson | None = None) -> Lesson | None:
    """What "Next:" suggests: in course order from ``after`` (wrapping round), the first lesson neither
    gone through nor complete whose requirements the learner has gone through (skipped steps and all);
    failing that, the first unfinished one."""
    lessons = list(course.lessons)
    if after is not None and after in lessons:
        start = lessons.index(after) + 1
        lessons = lessons[start:] + lessons[:start]
    tallies = {lesson.id: tally(store, lesson) for lesson in course.lessons}
    behind = {lesson_id for lesson_id, progress in tallies.items() if progress.finished or progress.complete}
    unfinished = [lesson for lesson in lessons if lesson.id not in behind]
    ready = (lesson for lesson in unfinished if set(lesson.requires) <= behind)
    return next(ready, unfinished[0] if unfinished else None)


def not_done(store: ProgressStore, course: LoadResult, lesson_ids: Sequence[str]) -> list[str]:
    """Those of ``lesson_ids`` not complete (or not in the course): the requirements to mention."""
    return [i for i in lesson_ids if (lesson := course.get(i)) is None or not tally(store, lesson).complete]


def lesson_table(catalog: LoadResult, store: ProgressStore) -> str:
    """A row per lesson (its number for ``%learn N``, id, title, steps, how far) with its summary below,
    under each course's name when more than one is in use, then the files that failed."""
    lessons = catalog.lessons
    rows = [["#", "lesson", "title", "steps", "progress"]] if lessons else []
    rows += [[str(number), lesson.id, printable(lesson.title), str(len(lesson.steps)),
              tally(store, lesson).state] for number, lesson in enumerate(lessons, 1)]
    lines = columns(rows, right={0, 3})
    indent = " " * (max((len(row[0]) for row in rows), default=0) + 2)
    headings = {}
    courses = [course for course in catalog.courses if course.lessons]
    if courses and (len(courses) > 1 or courses[0].name != BUILTIN):  # asyncshell's own lessons alone need no heading
        for course in courses:
            named = f"{course.title} ({course.name})" if course.title and course.title != course.name else course.name
            headings[course.lessons[0]] = printable(f"{named}: {course.description}" if course.description else named)
    out = lines[:1]
    for line, lesson in zip(lines[1:], lessons):
        if lesson.id in headings:
            out.append(headings[lesson.id])
        out += [line, indent + printable(lesson.summary)]
    if catalog.errors:
        out += ["", f"{plural(len(catalog.errors), 'lesson file')} failed to load:"]
        out += [str(error) for error in catalog.errors]
    return "".join(line + "\n" for line in out)


def report(store: ProgressStore, lessons: Sequence[Lesson]) -> str:
    """Each lesson's state, attempts, solutions seen and steps skipped, then the totals of those lessons."""
    rows = []
    tallies = [tally(store, lesson) for lesson in lessons]
    for lesson, t in zip(lessons, tallies):
        row = [lesson.id, printable(lesson.title), t.state]
        if t.started:
            row.append(f"{plural(t.attempts, 'attempt')}, {t.revealed} revealed, {t.skipped} skipped")
        rows.append(row)
    total = totals(tallies)
    lines = ["Progress:", *columns(rows, indent="  "),
             f"In all: {plural(total.steps_done, 'step')} done, "
             f"{plural(total.checks, 'check')} run ({total.checks_passed} passed), "
             f"{plural(total.quiz_answers, 'quiz answer')} ({total.quiz_right} right)."]
    if store.saved_in is not None:
        lines.append(printable(f"Saved in {store.saved_in}"))
    return "\n".join(lines) + "\n"
