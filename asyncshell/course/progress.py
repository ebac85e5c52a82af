"""The learner's progress (attempts, hints, steps shown and done, where each lesson was left): the store's API, over SQLite.

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

A write that fails (a full disk, a read-only one, another program holding the
lock) never stops the lesson.  The store then works on a copy in memory of
what the file holds, keeps the writes the file has not taken, and offers them
to the file again with each later write and when it closes; ``notify`` is told
once that progress is not being saved, and once when it is saved again.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asyncshell.course import progress_file
from asyncshell.course.progress_file import RESULTS, TABLES, Result, memory_copy, open_store
from asyncshell.text import printable
from asyncshell.errors import StoreError
from asyncshell.text import plural

#: One write: statements run in one transaction, their values (times too) fixed when it was made.
_Write = tuple[tuple[str, tuple[Any, ...]], ...]
#: How long a write kept in memory waits for the file when offered again: a lock still held is no news.
RETRY_TIMEOUT_S = 0.05
_TOUCH = """INSERT INTO lessons (lesson, position, last_activity, touched)
            VALUES (?, ?, ?, (SELECT COALESCE(MAX(touched), 0) + 1 FROM lessons))
            ON CONFLICT (lesson) DO UPDATE SET
                position = COALESCE(excluded.position, position),
                last_activity = excluded.last_activity,
                touched = excluded.touched"""


@dataclass(frozen=True)
class StepStatus:
    """What happened to one step; the flags are kept apart so "solved after revealing" stays visible."""

    step: str
    done: bool
    revealed: bool
    skipped: bool
    attempts: int  # code attempts and quiz answers together: how often the learner tried
    passed: int = 0  # code attempts whose check passed
    answers: int = 0  # quiz answers (the rest of ``attempts`` are code attempts)
    right: int = 0  # quiz answers marked right
    hints: int = 0  # different hints shown (a hint shown again in a later session counts once)
    seen: bool = False  # shown to the learner at least once (stores older than schema 2 did not keep this)


class ProgressStore:
    """The progress of one learner, in one SQLite file (or, as a fallback, in memory)."""

    def __init__(
        self, db: sqlite3.Connection, path: Path | None, notice: str | None, clock: Callable[[], float],
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self._db: sqlite3.Connection | None = db
        self.path = path  # None: nothing is saved beyond this session
        self.notice = notice  # one line for the user, or None when all is well
        #: Told, in one line, when progress stops being saved and when it is saved again.
        self.notify: Callable[[str], None] = notify or _to_stderr
        self._clock = clock
        # One connection, many possible callers (the engine may write from a worker thread).
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None  # while the file refuses writes: it, and what it refused
        self._unsaved: list[_Write] = []
        self._said: set[str] = set()

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, clock: Callable[[], float] = time.time,
        notify: Callable[[str], None] | None = None,
    ) -> ProgressStore:
        """Open (creating, migrating or replacing as needed) the store; never raises for a bad file."""
        opened = open_store(path)
        return cls(opened.db, opened.path, opened.notice, clock, notify)

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

    def record_hint(self, lesson: str, step: str, number: int) -> None:
        """The learner was shown the step's hint ``number`` (1 is the first)."""
        self._write(lesson, "INSERT INTO hints (lesson, step, at, number) VALUES (?, ?, ?, ?)",
                    (lesson, step, self._clock(), number))

    def record_view(self, lesson: str, step: str) -> None:
        """The step is on the learner's screen now: where the time until their next action goes."""
        self._write(lesson, "INSERT INTO views (lesson, step, at) VALUES (?, ?, ?)", (lesson, step, self._clock()))

    def set_position(self, lesson: str, index: int) -> None:
        """Remember the step index to resume the lesson at."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"position must be a step index (an int >= 0), not {index!r}")
        self._write(lesson, None, (), position=index)

    def reset(self, lesson: str | None = None) -> None:
        """Forget ``lesson`` (or everything), in one transaction; the file stays so other open shells keep working."""
        where, params = ("", ()) if lesson is None else (" WHERE lesson = ?", (lesson,))
        self._save(tuple((f"DELETE FROM {table}{where}", params) for table in sorted(TABLES)))

    # -- reading

    @property
    def saved_in(self) -> Path | None:
        """The file progress is being saved to now: None in memory, and while the file refuses writes."""
        return self.path if self._memory is None else None

    def position(self, lesson: str) -> int | None:
        """The step index to resume at, or None for a lesson never positioned."""
        rows = self._read("SELECT position FROM lessons WHERE lesson = ?", (lesson,))
        return rows[0][0] if rows else None

    def step_status(self, lesson: str) -> dict[str, StepStatus]:
        """Every step of the lesson the learner has touched, by step key."""
        # One statement, so the counts and the marks come from the same snapshot.
        rows = self._read(
            """SELECT step, MAX(kind = 'done'), MAX(kind = 'revealed'), MAX(kind = 'skipped'),
                      SUM(kind IN ('pass', 'fail', 'answer')), SUM(kind = 'pass'), SUM(kind = 'answer'),
                      SUM(kind = 'answer' AND n), COUNT(DISTINCT CASE kind WHEN 'hint' THEN n END),
                      MAX(kind = 'view')
               FROM (SELECT step, kind, NULL AS n FROM marks WHERE lesson = :l
                     UNION ALL SELECT step, CASE result WHEN 'pass' THEN 'pass' ELSE 'fail' END, NULL FROM attempts WHERE lesson = :l
                     UNION ALL SELECT step, 'answer', correct FROM quiz_answers WHERE lesson = :l
                     UNION ALL SELECT step, 'hint', number FROM hints WHERE lesson = :l
                     UNION ALL SELECT step, 'view', NULL FROM views WHERE lesson = :l)
               GROUP BY step""",
            {"l": lesson},
        )
        return {
            step: StepStatus(step, bool(done), bool(revealed), bool(skipped), tries, passed, answers, right, hints,
                             bool(seen))
            for step, done, revealed, skipped, tries, passed, answers, right, hints, seen in rows
        }

    def time_spent(self, idle_cap: float) -> dict[tuple[str, str], float]:
        """Seconds per ``(lesson, step)``: each gap from an action on the step to the learner's next action
        anywhere, counted up to ``idle_cap`` (a learner who walked away is not still working)."""
        rows = self._read(
            """SELECT lesson, step, SUM(MIN(next - at, :cap))
               FROM (SELECT lesson, step, at, LEAD(at) OVER (ORDER BY at, n) AS next
                     -- at one moment, a step shown comes after the marks and attempts that led to it
                     FROM (SELECT lesson, step, at, 0 AS n FROM marks
                           UNION ALL SELECT lesson, step, at, 1 FROM hints
                           UNION ALL SELECT lesson, step, at, 1 FROM attempts
                           UNION ALL SELECT lesson, step, at, 1 FROM quiz_answers
                           UNION ALL SELECT lesson, step, at, 2 FROM views))
               WHERE next IS NOT NULL
               GROUP BY lesson, step""",
            {"cap": idle_cap},
        )
        return {(lesson, step): seconds for lesson, step, seconds in rows}

    def recent_lessons(self) -> list[str]:
        """The ids of every lesson with progress, most recently active first (even if the clock stepped back)."""
        return [lesson for (lesson,) in self._read("SELECT lesson FROM lessons ORDER BY touched DESC", ())]

    # -- lifetime

    def close(self) -> None:
        """Offer the file what it has not taken one last time, then release it; safe to call twice."""
        with self._lock:
            if self._db is None:
                return
            if self._unsaved:
                self._retry(progress_file.BUSY_TIMEOUT_S * 5)
            if self._unsaved:
                self._say("lost", f"{plural(len(self._unsaved), 'change')} to your progress could not be saved "
                                  f"to {printable(str(self.path))} and are lost.")
            for db in (self._memory, self._db):
                if db is not None:
                    db.close()
            self._db = self._memory = None

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
        """``sql`` (if any) and the lesson marked active, as one write."""
        statements = ((sql, params),) if sql is not None else ()
        self._save(statements + ((_TOUCH, (lesson, position, self._clock())),))

    def _save(self, write: _Write) -> None:
        """Write to the file; if it refuses, keep the write in memory, to offer the file again later."""
        with self._lock:
            db = self._open_db()
            if self._memory is not None:
                _run(self._memory, [write])
                self._unsaved.append(write)
                self._retry(RETRY_TIMEOUT_S)
                return
            try:
                _run(db, [write])
            except sqlite3.Error as e:
                self._memory = memory_copy(db)  # what the file holds: the learner carries on from there
                _run(self._memory, [write])
                self._unsaved.append(write)
                what = f"Progress could not be saved to {printable(str(self.path))} ({e}). The lesson goes on"
                if (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_READONLY:
                    self._said.add("lost")  # said now: a read-only file will not take them later either
                    self._say("unsaved", f"{what}, kept in memory: what you do in this session will not be saved.")
                else:
                    self._say("unsaved", f"{what}: what you do is kept in memory, and saved as soon as the file "
                                         "can be written.")

    def _retry(self, wait: float) -> None:
        """Offer the file every write it has not taken, in one transaction, waiting at most ``wait`` for its lock."""
        db = self._open_db()
        try:
            db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            _run(db, self._unsaved)
        except sqlite3.Error:
            return
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(progress_file.BUSY_TIMEOUT_S * 1000)}")
        self._unsaved.clear()
        if self._memory is not None:
            self._memory.close()
            self._memory = None
        self._say("saved", "Progress is saved again; nothing was lost.")

    def _say(self, what: str, line: str) -> None:
        """Tell the learner ``line``, the first time only: each change in what is saved is said once."""
        if what not in self._said:
            self._said.add(what)
            self.notify(line)

    def _open_db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the progress store is already closed")
        return self._db

    def _read(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            db = self._memory or self._open_db()
            try:
                with _transaction(db, "BEGIN"):
                    return db.execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise StoreError(f"Progress could not be read: {e}") from e


def _run(db: sqlite3.Connection, writes: Sequence[_Write]) -> None:
    """``writes`` in one transaction, all or none."""
    # IMMEDIATE takes the write lock up front, so a second shell waits
    # in the busy handler instead of failing on a lock upgrade.
    with _transaction(db, "BEGIN IMMEDIATE"):
        for write in writes:
            for sql, params in write:
                db.execute(sql, params)


@contextmanager
def _transaction(db: sqlite3.Connection, begin: str) -> Iterator[None]:
    db.execute(begin)
    try:
        yield
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")


def _to_stderr(line: str) -> None:
    """Where a store's notices go when its owner names nowhere else."""
    print(line, file=sys.stderr)
