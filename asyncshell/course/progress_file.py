"""The progress file: where it lives, what it holds (the schema), and opening it whatever state it is in.

Opening never fails because of the file.  A file that is not a usable progress
store is renamed to ``progress.sqlite3.corrupt-YYYYmmdd-HHMMSS`` (with its
``-wal``/``-shm``/``-journal``) and a fresh store is started.  If no store can
be written at all, or the file belongs to a newer asyncshell, the session keeps
its progress in memory, starting from what a readable file holds.  Either way
``Opened.notice`` holds one line for the user; printing it is the caller's job.
A store already current is opened without taking the write lock, so another
program holding it costs nothing until the first write.

The file holds the code of every attempt: it and SQLite's companions are 0600.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from asyncshell.text import printable
from asyncshell.paths import data_home, ensure_data_home, private_file

FILENAME = "progress.sqlite3"


def has_progress() -> bool:
    """Whether any progress was ever saved: without it there is nothing to resume, and no lesson need load."""
    return (data_home() / FILENAME).exists()
SCHEMA_VERSION = 2
#: How long a write waits for another shell's: theirs take milliseconds, and a write that still
#: cannot go ahead is kept in memory (``ProgressStore``), so the loop is never held for long.
BUSY_TIMEOUT_S = 1.0
# Files SQLite keeps beside the database; they belong to it and move with it.
COMPANIONS = ("-wal", "-shm", "-journal")

#: How a check of the learner's code ended (``checks.CheckResult.status``), as the file keeps it.
Result = Literal["pass", "fail", "error", "timeout", "interrupted"]
RESULTS: tuple[str, ...] = get_args(Result)
#: What can happen to a step besides attempts: solved, its solution seen, moved past.
MARKS = ("done", "revealed", "skipped")

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
            kind TEXT NOT NULL CHECK (kind IN {MARKS!r}),
            at REAL NOT NULL,
            PRIMARY KEY (lesson, step, kind)
        )""",
    ),
    # 2: what a teacher collects besides attempts: each hint shown, and each time a step was shown
    # (the times between a learner's actions are what ``time_spent`` adds up).
    2: (
        """CREATE TABLE hints (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            at REAL NOT NULL,
            number INTEGER NOT NULL CHECK (number >= 1)  -- which of the step's hints: 1 is the first
        )""",
        "CREATE INDEX hints_by_step ON hints (lesson, step)",
        """CREATE TABLE views (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            at REAL NOT NULL
        )""",
        "CREATE INDEX views_by_step ON views (lesson, step)",
    ),
}
TABLES = frozenset({"lessons", "attempts", "quiz_answers", "marks", "hints", "views"})


@dataclass(frozen=True)
class Opened:
    """An open, current store: the connection, its file (None: in memory), and a line for the user or None."""

    db: sqlite3.Connection
    path: Path | None
    notice: str | None


def open_store(path: str | os.PathLike[str] | None = None) -> Opened:
    """Open (creating, migrating or replacing as needed) the store at ``path`` or in the data home."""
    try:
        target = Path(path) if path is not None else ensure_data_home() / FILENAME
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        where = Path(path) if path is not None else data_home() / FILENAME
        return _in_memory(f"Progress cannot be saved to {printable(str(where))} ({_why(e)})", where)
    try:
        return Opened(_connect(target), target, None)
    except _Unusable as bad:
        problem = f"Progress file {printable(str(target))} {bad.reason}"
        if not bad.move:
            return _in_memory(problem)
        try:
            aside = _move_aside(target)
        except OSError as e:
            return _in_memory(f"{problem} and cannot be moved aside ({_why(e)})")
    except (sqlite3.Error, OSError) as e:
        return _in_memory(f"Progress cannot be saved to {printable(str(target))} ({_why(e)})", target)
    moved = f"{problem}; moved it to {printable(aside.name)}"
    try:
        return Opened(_connect(target), target, f"{moved} and started a fresh one.")
    except (_Unusable, sqlite3.Error, OSError) as e:
        return _in_memory(f"{moved}, but a fresh one cannot be created ({_why(e)})")


def _in_memory(problem: str, readable: Path | None = None) -> Opened:
    """A learner can keep practising when the disk refuses; they are told it will not last.

    Progress already in ``readable`` (a file that can be read but not written) is
    copied in, so the learner carries on where they were.
    """
    db = memory_copy(readable)
    if db.execute("SELECT EXISTS (SELECT 1 FROM lessons)").fetchone()[0]:
        return Opened(db, None, f"{problem}; your progress so far is here, but this session's will not be saved.")
    return Opened(db, None, f"{problem}; this session's progress will not be saved.")


def memory_copy(source: Path | sqlite3.Connection | None = None) -> sqlite3.Connection:
    """An in-memory store holding what ``source`` (a file, read only, or a connection) holds, or else empty."""
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    with contextlib.suppress(sqlite3.Error, OSError):
        if isinstance(source, Path):
            _copy_file(source, db)
        elif source is not None:
            source.backup(db)
    try:
        _migrate(db)  # a copy of an older store is brought up to date, as the file would be
    except (_Unusable, sqlite3.Error):
        db.close()
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _migrate(db)
    return db


def _copy_file(path: Path, into: sqlite3.Connection) -> None:
    """Read ``path`` without writing anything, not even SQLite's own files (a read-only disk allows none)."""
    for mode in ("mode=ro", "immutable=1"):
        try:
            source = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        except sqlite3.Error:
            continue
        try:
            source.backup(into)
            return
        except sqlite3.Error:
            continue
        finally:
            source.close()


class _Unusable(Exception):
    """The file itself cannot serve as our store; ``move`` says whether to rename it aside."""

    def __init__(self, reason: str, *, move: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.move = move



def _connect(path: Path) -> sqlite3.Connection:
    """A connection to a checked, current store at ``path``, or ``_Unusable`` saying why not."""
    if path.is_dir():
        raise _Unusable("is a folder, not a progress file")
    _make_private(path)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise _classify(e) from e
    try:
        # Check before changing anything: a file that is not ours is left as it was.
        if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise _Unusable("is damaged")
        _migrate(db)
        db.execute("PRAGMA journal_mode = WAL")  # stored in the file; a no-op once set
        db.execute("PRAGMA synchronous = NORMAL")  # per connection, so set on every open
    except sqlite3.Error as e:
        db.close()
        raise _classify(e) from e
    except BaseException:
        db.close()
        raise
    return db


def _make_private(path: Path) -> None:
    """Only the learner may read their attempts: the file is created 0600 (and SQLite gives its
    ``-wal`` and ``-shm`` the file's mode); files an older asyncshell left readable are tightened."""
    for file in (path, *(Path(f"{path}{suffix}") for suffix in COMPANIONS)):
        if file is path or os.path.lexists(file):
            with contextlib.suppress(OSError):  # a read-only disk: nothing can be created, nor read by others
                private_file(file)


def _tables(db: sqlite3.Connection) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the schema to ``SCHEMA_VERSION`` in one transaction, or say why the file is not ours.

    A current store is only read, so a lock another program holds, or a disk
    that refuses writes, does not stop it from opening.
    """
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION and TABLES <= _tables(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read inside the write lock: another shell may have just created or migrated it.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            # Nothing is wrong with it: leave it for the newer asyncshell that wrote it.
            raise _Unusable(f"was written by a newer asyncshell (schema {version})", move=False)
        if version == 0 and _tables(db):
            raise _Unusable("is not an asyncshell progress file")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[step]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step}")
        if not TABLES <= _tables(db):
            raise _Unusable("is missing parts of the progress schema")
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")


def _classify(error: sqlite3.Error) -> Exception:
    """Blame the file (so it is moved aside) only when the file is the problem.

    A locked, full, read-only or failing disk is not the file's fault: moving it
    aside would hide good progress, so those errors stay as they are.
    """
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code == sqlite3.SQLITE_NOTADB:
        return _Unusable("is not a database")
    if code == sqlite3.SQLITE_CORRUPT:
        return _Unusable("is damaged")
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
