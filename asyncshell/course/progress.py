"""The learner's progress (attempts, completions, where each lesson was left), kept in SQLite.

The store knows lesson ids and step keys only as opaque strings; what a lesson
contains, and how many steps it has, is the lesson engine's business.

Durability.  Every write is one short ``BEGIN IMMEDIATE … COMMIT``.  The
database runs in WAL mode with ``synchronous=NORMAL``: a commit is appended to
the ``-wal`` file before the call returns, so it lives in the OS page cache
and survives the process being killed at any moment (even SIGKILL); only a
power cut or OS crash can roll back the last few commits, and even that never
corrupts the file.  FULL would fsync on every attempt for a guarantee a
learning shell does not need.  A busy timeout lets two shells share the store.

Opening never fails because of the file.  A file that is not a usable progress
store is renamed to ``progress.sqlite3.corrupt-YYYYmmdd-HHMMSS`` (with its
``-wal``/``-shm``/``-journal``) and a fresh store is started.  If no store can
be written at all, or the file belongs to a newer asyncshell, the session keeps
its progress in memory.  Either way ``ProgressStore.notice`` holds one line for
the user; printing it is the caller's job.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, get_args

from asyncshell.errors import StoreError
from asyncshell.paths import data_home, ensure_data_home

FILENAME = "progress.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 5.0
# Files SQLite keeps beside the database; they belong to it and move with it.
COMPANIONS = ("-wal", "-shm", "-journal")

Result = Literal["pass", "fail", "error", "timeout", "interrupted"]
RESULTS: tuple[str, ...] = get_args(Result)
StepState = Literal["done", "revealed", "skipped", "attempted"]
_MARKS = ("done", "revealed", "skipped")

# _MIGRATIONS[n] takes a store from version n-1 to n.  Statements, not a
# script: executescript() would commit halfway through the migration.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE lessons (
            lesson TEXT PRIMARY KEY,
            position INTEGER CHECK (position >= 0),
            last_activity REAL NOT NULL,
            touched INTEGER NOT NULL  -- store-wide counter: orders activity when clocks tie or step back
        )""",
        f"""CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            at REAL NOT NULL,
            result TEXT NOT NULL CHECK (result IN {RESULTS!r}),
            code TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_by_step ON attempts (lesson, step)",
        """CREATE TABLE quiz_answers (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            at REAL NOT NULL,
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            answer TEXT NOT NULL
        )""",
        "CREATE INDEX quiz_answers_by_step ON quiz_answers (lesson, step)",
        f"""CREATE TABLE marks (
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN {_MARKS!r}),
            at REAL NOT NULL,
            PRIMARY KEY (lesson, step, kind)
        )""",
    ),
}
_TABLES = frozenset({"lessons", "attempts", "quiz_answers", "marks"})


@dataclass(frozen=True)
class Attempt:
    """One run of the learner's code against a step."""

    lesson: str
    step: str
    at: datetime
    result: Result
    code: str
    detail: str


@dataclass(frozen=True)
class QuizAnswer:
    """One answer to a quiz step."""

    lesson: str
    step: str
    at: datetime
    correct: bool
    answer: str


@dataclass(frozen=True)
class StepStatus:
    """What happened to one step; the flags are kept apart so "solved after revealing" stays visible."""

    step: str
    done: bool
    revealed: bool
    skipped: bool
    attempts: int  # code attempts and quiz answers together: how often the learner tried

    @property
    def state(self) -> StepState:
        """One word for the step: solving wins, then having seen the solution, then moving on."""
        if self.done:
            return "done"
        if self.revealed:
            return "revealed"
        if self.skipped:
            return "skipped"
        return "attempted"


@dataclass(frozen=True)
class LessonProgress:
    """A started lesson, as far as a resume prompt needs it."""

    lesson: str
    position: int | None
    last_activity: datetime
    done: int  # how many of the steps the engine named are done
    total: int


@dataclass(frozen=True)
class Summary:
    """Totals over the whole store, for ``asyncshell progress``."""

    lessons_started: int
    steps_done: int
    steps_revealed: int
    steps_skipped: int
    attempts: int
    attempts_passed: int
    quiz_answers: int
    quiz_correct: int


class _Unusable(Exception):
    """The file itself cannot serve as our store; ``move`` says whether to rename it aside."""

    def __init__(self, reason: str, *, move: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.move = move


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
        try:
            target = Path(path) if path is not None else ensure_data_home() / FILENAME
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            where = Path(path) if path is not None else data_home() / FILENAME
            return cls._in_memory(f"Progress cannot be saved to {where} ({_why(e)})", clock)
        try:
            return cls(_connect(target), target, None, clock)
        except _Unusable as bad:
            problem = f"Progress file {target} {bad.reason}"
            if not bad.move:
                return cls._in_memory(problem, clock)
            try:
                aside = _move_aside(target)
            except OSError as e:
                return cls._in_memory(f"{problem} and cannot be moved aside ({_why(e)})", clock)
        except (sqlite3.Error, OSError) as e:
            return cls._in_memory(f"Progress cannot be saved to {target} ({_why(e)})", clock)
        moved = f"{problem}; moved it to {aside.name}"
        try:
            return cls(_connect(target), target, f"{moved} and started a fresh one.", clock)
        except (_Unusable, sqlite3.Error, OSError) as e:
            return cls._in_memory(f"{moved}, but a fresh one cannot be created ({_why(e)})", clock)

    @classmethod
    def _in_memory(cls, problem: str, clock: Callable[[], float]) -> ProgressStore:
        """A learner can keep practising when the disk refuses; they are told it will not last."""
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _migrate(db)
        return cls(db, None, f"{problem}; this session's progress will not be saved.", clock)

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
        with self._transaction():
            for table in sorted(_TABLES):
                self._db.execute(f"DELETE FROM {table}")

    # -- reading

    def position(self, lesson: str) -> int | None:
        """The step index to resume at, or None for a lesson never positioned."""
        rows = self._read("SELECT position FROM lessons WHERE lesson = ?", (lesson,))
        return rows[0][0] if rows else None

    def attempts(self, lesson: str, step: str) -> list[Attempt]:
        """The runs of one step, oldest first."""
        rows = self._read(
            "SELECT lesson, step, at, result, code, detail FROM attempts"
            " WHERE lesson = ? AND step = ? ORDER BY id",
            (lesson, step),
        )
        return [Attempt(le, st, _utc(at), result, code, detail) for le, st, at, result, code, detail in rows]

    def quiz_answers(self, lesson: str, step: str) -> list[QuizAnswer]:
        """The answers given to one quiz step, oldest first."""
        rows = self._read(
            "SELECT lesson, step, at, correct, answer FROM quiz_answers"
            " WHERE lesson = ? AND step = ? ORDER BY id",
            (lesson, step),
        )
        return [QuizAnswer(le, st, _utc(at), bool(ok), answer) for le, st, at, ok, answer in rows]

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

    def unfinished_lessons(self, steps: Mapping[str, Collection[str]]) -> list[LessonProgress]:
        """Started lessons with a step not yet done, most recently active first.

        ``steps`` maps each lesson id the engine knows to its step keys, so the
        store need not know lessons' contents.  Lessons missing from it (say, a
        lesson since removed) are left out; a skipped step is not a done one.
        """
        with self._transaction(write=False):
            lessons = self._db.execute(
                "SELECT lesson, position, last_activity FROM lessons ORDER BY touched DESC"
            ).fetchall()
            done: dict[str, set[str]] = {}
            for lesson, step in self._db.execute("SELECT lesson, step FROM marks WHERE kind = 'done'"):
                done.setdefault(lesson, set()).add(step)
        unfinished = []
        for lesson, position, last_activity in lessons:
            if lesson not in steps:
                continue
            keys = set(steps[lesson])
            solved = len(keys & done.get(lesson, set()))
            if solved < len(keys):
                unfinished.append(LessonProgress(lesson, position, _utc(last_activity), solved, len(keys)))
        return unfinished

    def summary(self) -> Summary:
        """Totals for a progress report."""
        counts = self._read(
            """SELECT (SELECT COUNT(*) FROM lessons),
                      (SELECT COUNT(*) FROM marks WHERE kind = 'done'),
                      (SELECT COUNT(*) FROM marks WHERE kind = 'revealed'),
                      (SELECT COUNT(*) FROM marks WHERE kind = 'skipped'),
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
        with self._transaction():
            if sql is not None:
                self._db.execute(sql, params)
            self._db.execute(
                """INSERT INTO lessons (lesson, position, last_activity, touched)
                   VALUES (?, ?, ?, (SELECT COALESCE(MAX(touched), 0) + 1 FROM lessons))
                   ON CONFLICT (lesson) DO UPDATE SET
                       position = COALESCE(excluded.position, position),
                       last_activity = excluded.last_activity,
                       touched = excluded.touched""",
                (lesson, position, self._clock()),
            )

    def _read(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        with self._transaction(write=False):
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[None]:
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
                    yield
                    db.execute("COMMIT")
                finally:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
            except sqlite3.Error as e:
                raise StoreError(f"Progress could not be {'saved' if write else 'read'}: {e}") from e


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to a checked, current store at ``path``, or ``_Unusable`` saying why not."""
    if path.is_dir():
        raise _Unusable("is a folder, not a progress file")
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise _classify(e, path) from e
    try:
        # Check before changing anything: a file that is not ours is left as it was.
        if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise _Unusable("is damaged")
        _migrate(db)
        db.execute("PRAGMA journal_mode = WAL")  # stored in the file; a no-op once set
        db.execute("PRAGMA synchronous = NORMAL")  # per connection, so set on every open
    except sqlite3.Error as e:
        db.close()
        raise _classify(e, path) from e
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the schema to ``SCHEMA_VERSION`` in one transaction, or say why the file is not ours."""
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read inside the write lock: another shell may have just created or migrated it.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            # Nothing is wrong with it: leave it for the newer asyncshell that wrote it.
            raise _Unusable(f"was written by a newer asyncshell (schema {version})", move=False)
        if version == 0 and tables:
            raise _Unusable("is not an asyncshell progress file")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[step]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step}")
            tables = _TABLES
        if not _TABLES <= tables:
            raise _Unusable("is missing parts of the progress schema")
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")


def _classify(error: sqlite3.Error, path: Path) -> Exception:
    """Blame the file (so it is moved aside) only when the file is the problem.

    A locked, full or failing disk is not the file's fault: moving it aside
    would hide good progress, so those errors stay as they are.
    """
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code == sqlite3.SQLITE_NOTADB:
        return _Unusable("is not a database")
    if code == sqlite3.SQLITE_CORRUPT:
        return _Unusable("is damaged")
    if code == sqlite3.SQLITE_READONLY or (code == sqlite3.SQLITE_CANTOPEN and path.exists()):
        return _Unusable("cannot be opened for writing")
    return error


def _move_aside(path: Path) -> Path:
    """Rename the file and its companions to a dated name SQLite can still open, and return it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while any(os.path.lexists(f"{aside}{s}") for s in ("", *COMPANIONS)):
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    # Companions first: a stale -wal or -journal left beside a fresh database
    # would be replayed into it and damage it.
    for suffix in COMPANIONS:
        if os.path.lexists(f"{path}{suffix}"):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    os.replace(path, aside)
    return aside


def _why(error: BaseException) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error) or type(error).__name__


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)
