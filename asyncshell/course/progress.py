"""The learner's progress (attempts, completions, where each lesson was left): the store's API, over SQLite.

The store knows lesson ids and step keys only as opaque strings; what a lesson
contains, and how far that makes the learner, is ``standing``'s business.
Where the file lives and how a damaged one is opened is ``progress_file``'s.

Durability.  Every write is one short ``BEGIN IMMEDIATE … COMMIT``.  The
database runs in WAL mode with ``synchronous=NORMAL``: a commit is appended to
the ``-wal`` file before the call returns, so it lives in the OS page cache
and survives the process being killed at any moment (even SIGKILL); only a
power cut or OS crash can roll back the last few commits, and even that never
corrupts the file.  FULL would fsync on every attempt for a guarantee a
learning shell does not need.  A busy timeout lets two shells share the store.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asyncshell.course.progress_file import RESULTS, TABLES, Result, open_store
from asyncshell.errors import StoreError


@dataclass(frozen=True)
class StepStatus:
    """What happened to one step; the flags are kept apart so "solved after revealing" stays visible."""

    step: str
    done: bool
    revealed: bool
    skipped: bool
    attempts: int  # code attempts and quiz answers together: how often the learner tried


@dataclass(frozen=True)
class Summary:
    """Totals over the whole store, for the progress report."""

    steps_done: int
    attempts: int
    attempts_passed: int
    quiz_answers: int
    quiz_correct: int


class ProgressStore:
    """The progress of one learner, in one SQLite file (or, as a fallback, in memory)."""

    def __init__(
        self, db: sqlite3.Connection, path: Path | None, notice: str | None, clock: Callable[[], float]
    ) -> None:
        self._db: sqlite3.Connection | None = db
        self.path = path  # None: nothing is saved beyond this session
        self.notice = notice  # one line for the user, or None when all is well
        self._clock = clock
        # One connection, many possible callers (the engine may write from a worker thread).
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, clock: Callable[[], float] = time.time
    ) -> ProgressStore:
        """Open (creating, migrating or replacing as needed) the store; never raises for a bad file."""
        opened = open_store(path)
        return cls(opened.db, opened.path, opened.notice, clock)

    # -- writing: each call is one transaction and also marks the lesson as active

    def record_attempt(self, lesson: str, step: str, result: Result, code: str, detail: str = "") -> None:
        """Keep one run of the learner's code, whatever its outcome."""
        if result not in RESULTS:
            raise ValueError(f"result must be one of {', '.join(RESULTS)}, not {result!r}")
        self._write(
            lesson,
            "INSERT INTO attempts (lesson, step, at, result, code, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (lesson, step, self._clock(), result, code, detail),
        )

    def record_quiz(self, lesson: str, step: str, correct: bool, answer: str) -> None:
        """Keep one quiz answer; marking the step done stays the engine's decision."""
        self._write(
            lesson,
            "INSERT INTO quiz_answers (lesson, step, at, correct, answer) VALUES (?, ?, ?, ?, ?)",
            (lesson, step, self._clock(), bool(correct), answer),
        )

    def mark_done(self, lesson: str, step: str) -> None:
        """The step is solved; the first time counts, repeats are harmless."""
        self._mark(lesson, step, "done")

    def mark_revealed(self, lesson: str, step: str) -> None:
        """The learner has seen the solution."""
        self._mark(lesson, step, "revealed")

    def mark_skipped(self, lesson: str, step: str) -> None:
        """The learner moved on without solving the step."""
        self._mark(lesson, step, "skipped")

    def set_position(self, lesson: str, index: int) -> None:
        """Remember the step index to resume the lesson at."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"position must be a step index (an int >= 0), not {index!r}")
        self._write(lesson, None, (), position=index)

    def reset(self) -> None:
        """Forget everything, in one transaction; the file stays so other open shells keep working."""
        with self._transaction() as db:
            for table in sorted(TABLES):
                db.execute(f"DELETE FROM {table}")

    # -- reading

    def position(self, lesson: str) -> int | None:
        """The step index to resume at, or None for a lesson never positioned."""
        rows = self._read("SELECT position FROM lessons WHERE lesson = ?", (lesson,))
        return rows[0][0] if rows else None

    def step_status(self, lesson: str) -> dict[str, StepStatus]:
        """Every step of the lesson the learner has touched, by step key."""
        # One statement, so the counts and the marks come from the same snapshot.
        rows = self._read(
            """SELECT step, MAX(kind = 'done'), MAX(kind = 'revealed'), MAX(kind = 'skipped'),
                      SUM(kind = 'try')
               FROM (SELECT step, kind FROM marks WHERE lesson = :l
                     UNION ALL SELECT step, 'try' FROM attempts WHERE lesson = :l
                     UNION ALL SELECT step, 'try' FROM quiz_answers WHERE lesson = :l)
               GROUP BY step""",
            {"l": lesson},
        )
        return {
            step: StepStatus(step, bool(done), bool(revealed), bool(skipped), tries)
            for step, done, revealed, skipped, tries in rows
        }

    def recent_lessons(self) -> list[str]:
        """The ids of every lesson with progress, most recently active first (even if the clock stepped back)."""
        return [lesson for (lesson,) in self._read("SELECT lesson FROM lessons ORDER BY touched DESC", ())]

    def summary(self) -> Summary:
        """Totals for a progress report."""
        counts = self._read(
            """SELECT (SELECT COUNT(*) FROM marks WHERE kind = 'done'),
                      (SELECT COUNT(*) FROM attempts),
                      (SELECT COUNT(*) FROM attempts WHERE result = 'pass'),
                      (SELECT COUNT(*) FROM quiz_answers),
                      (SELECT COUNT(*) FROM quiz_answers WHERE correct)""",
            (),
        )[0]
        return Summary(*counts)

    # -- lifetime

    def close(self) -> None:
        """Release the file; safe to call twice."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing

    def _mark(self, lesson: str, step: str, kind: str) -> None:
        self._write(
            lesson,
            "INSERT OR IGNORE INTO marks (lesson, step, kind, at) VALUES (?, ?, ?, ?)",
            (lesson, step, kind, self._clock()),
        )

    def _write(self, lesson: str, sql: str | None, params: tuple[Any, ...], position: int | None = None) -> None:
        with self._transaction() as db:
            if sql is not None:
                db.execute(sql, params)
            db.execute(
                """INSERT INTO lessons (lesson, position, last_activity, touched)
                   VALUES (?, ?, ?, (SELECT COALESCE(MAX(touched), 0) + 1 FROM lessons))
                   ON CONFLICT (lesson) DO UPDATE SET
                       position = COALESCE(excluded.position, position),
                       last_activity = excluded.last_activity,
                       touched = excluded.touched""",
                (lesson, position, self._clock()),
            )

    def _read(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        with self._transaction(write=False) as db:
            return db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction, with SQLite's errors turned into a one-line ``StoreError``."""
        with self._lock:
            if self._db is None:
                raise StoreError("the progress store is already closed")
            db = self._db
            try:
                # IMMEDIATE takes the write lock up front, so a second shell waits
                # in the busy handler instead of failing on a lock upgrade.
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield db
                    db.execute("COMMIT")
                finally:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
            except sqlite3.Error as e:
                raise StoreError(f"Progress could not be {'saved' if write else 'read'}: {e}") from e
