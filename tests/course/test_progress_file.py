"""The progress file: where it lives, and that what the learner did survives whatever happens to it.

Damaged, foreign, newer or unwritable files, two processes at once, and a
writer killed at any moment.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from asyncshell.course import progress_file
from asyncshell.course.progress import ProgressStore, StepStatus
from course.stored import attempts

WRITER = Path(__file__).with_name("progress_writer.py")


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
    finally:
        db.close()


def test_the_default_store_lives_in_the_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ASYNCSHELL_HOME", str(tmp_path / "home"))
    with ProgressStore.open() as store:
        store.mark_done("a", "1")
        assert store.path == tmp_path / "home" / "progress.sqlite3"
    db = sqlite3.connect(tmp_path / "home" / "progress.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (progress_file.SCHEMA_VERSION,)
    finally:
        db.close()


# -- damaged, foreign and unwritable files


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(3).randbytes(8192))


def _truncated(path: Path) -> None:
    with ProgressStore.open(path) as store:
        for n in range(2000):
            store.record_attempt("a", str(n % 9), "fail", "x = 1\n" * 40, detail=str(n))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _text(path: Path) -> None:
    path.write_text("These are my notes on asyncio.\n" * 100)


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE bookmarks (url TEXT)")
    db.commit()
    db.close()


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "something").write_text("kept")


def _garbage_with_stale_wal(path: Path) -> None:
    _garbage(path)
    Path(f"{path}-wal").write_bytes(b"\0" * 4096)
    Path(f"{path}-shm").write_bytes(b"\0" * 4096)


def _folder_with_companions(path: Path) -> None:
    _folder(path)
    Path(f"{path}-wal").write_text("stale wal")
    Path(f"{path}-journal").write_text("stale journal")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_garbage, "is not a database"),
        (_truncated, "is damaged"),
        (_text, "is not a database"),
        (_foreign, "is not an asyncshell progress file"),
        (_folder, "is a folder"),
        (_garbage_with_stale_wal, "is not a database"),
        (_folder_with_companions, "is a folder"),
    ],
)
def test_an_unusable_file_is_moved_aside_and_a_fresh_store_started(path, open_store, damage, reason):
    damage(path)
    stale = {s for s in progress_file.COMPANIONS if Path(f"{path}{s}").exists()}
    original = path.read_bytes() if path.is_file() else None

    store = open_store()

    asides = sorted(path.parent.glob("progress.sqlite3.corrupt-*"))
    aside = asides[0]
    assert store.notice is not None and "\n" not in store.notice
    assert reason in store.notice and aside.name in store.notice and str(path) in store.notice
    if original is None:
        assert (aside / "something").read_text() == "kept"
    else:
        assert aside.read_bytes() == original
    # SQLite may tidy away companions it judged empty; whatever is left goes along, never stays.
    assert {p.name for p in asides} <= {aside.name} | {aside.name + s for s in stale}
    for suffix in stale - {"-wal", "-shm"}:
        assert Path(f"{aside}{suffix}").exists()
    if damage is _folder_with_companions:
        assert Path(f"{aside}-wal").read_text() == "stale wal"
    store.record_attempt("a", "1", "pass", "x")
    assert store.path == path and [a[4] for a in attempts(path, "a", "1")] == ["x"]
    store.close()
    assert integrity(path) == "ok"
    assert open_store().notice is None


def test_an_empty_file_is_simply_a_new_store(path, open_store):
    path.touch()
    store = open_store()
    assert store.notice is None
    store.mark_done("a", "1")
    assert not list(path.parent.glob("*.corrupt-*"))


def test_damage_found_twice_in_one_second_keeps_both_copies(path, open_store):
    _garbage(path)
    open_store().close()
    _text(path)
    open_store().close()
    assert len(list(path.parent.glob("progress.sqlite3.corrupt-*"))) == 2


def test_a_newer_store_is_left_alone_and_this_session_kept_in_memory(path, open_store):
    open_store().close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {progress_file.SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()

    store = open_store()

    assert store.path is None
    assert "newer asyncshell" in store.notice and "will not be saved" in store.notice
    store.record_attempt("a", "1", "pass", "x")
    assert store.step_status("a")["1"].attempts == 1
    store.close()
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.corrupt-*"))


def _schema_1_store(path: Path) -> None:
    """A store as asyncshell wrote it before hints and steps shown were kept: lesson a, step 1 done after two tries."""
    db = sqlite3.connect(path, isolation_level=None)
    for statement in progress_file._MIGRATIONS[1]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO lessons VALUES ('a', 1, 1700000000.0, 1)")
    db.execute("INSERT INTO attempts (lesson, step, at, result, code, detail) VALUES"
               " ('a', '1', 1700000000.0, 'fail', 'x', ''), ('a', '1', 1700000060.0, 'pass', 'y', '')")
    db.execute("INSERT INTO marks VALUES ('a', '1', 'done', 1700000060.0)")
    db.close()


def test_a_schema_1_store_is_brought_up_to_date_keeping_everything(path, open_store):
    _schema_1_store(path)

    store = open_store()

    assert store.notice is None and store.path == path
    assert store.position("a") == 1
    assert store.step_status("a") == {"1": StepStatus("1", done=True, revealed=False, skipped=False, attempts=2, passed=1)}
    store.record_hint("a", "2", 1)
    store.record_view("a", "2")
    store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone() == (progress_file.SCHEMA_VERSION,)
    finally:
        db.close()
    with ProgressStore.open(path) as again:
        assert again.notice is None
        assert (again.step_status("a")["2"].hints, again.step_status("a")["2"].seen) == (1, True)
        assert again.step_status("a")["1"].done


def test_a_schema_1_store_that_cannot_be_written_shows_its_progress_and_is_left_as_it_was(path, open_store, monkeypatch):
    _schema_1_store(path)
    before = path.read_bytes()
    _read_only_connections(monkeypatch)

    store = open_store()

    assert store.path is None and "your progress so far is here" in store.notice
    assert store.position("a") == 1 and store.step_status("a")["1"].done
    store.record_hint("a", "1", 1)  # this session's, in memory
    assert store.step_status("a")["1"].hints == 1
    store.close()
    assert path.read_bytes() == before


def test_when_no_store_can_be_written_progress_is_kept_in_memory(tmp_path, open_store):
    (tmp_path / "not-a-folder").write_text("")
    store = open_store(tmp_path / "not-a-folder" / "progress.sqlite3")

    assert store.path is None
    assert store.notice.startswith("Progress cannot be saved to") and "\n" not in store.notice
    store.mark_done("a", "1")
    assert store.step_status("a")["1"].done


def test_a_damaged_file_that_cannot_be_moved_is_left_and_the_session_kept_in_memory(path, open_store, monkeypatch):
    _garbage(path)
    before = path.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(progress_file.os, "replace", refuse)
    store = open_store()

    assert store.path is None
    assert "cannot be moved aside (Permission denied)" in store.notice
    assert path.read_bytes() == before


# -- more than one process


def test_two_processes_writing_at_once_both_finish(path):
    writers = [_start_writer(path, lesson, count=300) for lesson in ("left", "right")]
    outputs = [w.communicate(timeout=60) for w in writers]

    assert [w.returncode for w in writers] == [0, 0], outputs
    with ProgressStore.open(path) as store:
        assert store.notice is None
        for lesson in ("left", "right"):
            assert sum(len(attempts(path, lesson, f"step-{n}")) for n in range(5)) == 300


def _listened(open_store) -> tuple[ProgressStore, list[str]]:
    """A store on the test's file, and a list of what it tells the learner."""
    said: list[str] = []
    store = open_store()
    store.notify = said.append
    return store, said


def _saved_before(path: Path, done: tuple[str, ...], position: int) -> None:
    with ProgressStore.open(path) as before:
        for step in done:
            before.mark_done("a", step)
        before.set_position("a", position)


def test_a_store_held_by_another_program_opens_and_loses_no_write(path, open_store, monkeypatch):
    monkeypatch.setattr(progress_file, "BUSY_TIMEOUT_S", 0.1)
    store, said = _listened(open_store)
    store.mark_done("a", "1")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        blocked = open_store()  # a current store opens without the write lock
        assert (blocked.path, blocked.notice) == (path, None)
        store.mark_done("a", "2")  # kept in memory: no error, and the lesson reads it back
        store.record_attempt("a", "3", "pass", "x = 3")
        assert {step for step, s in store.step_status("a").items() if s.done} == {"1", "2"}
        assert store.step_status("a")["3"].attempts == 1
        assert set(blocked.step_status("a")) == {"1"}, "the file has not taken them yet"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.mark_done("a", "4")  # the file takes everything it was offered before, in order
    assert {step for step, s in blocked.step_status("a").items() if s.done} == {"1", "2", "4"}
    assert [a[4] for a in attempts(path, "a", "3")] == ["x = 3"]
    assert said == [
        f"Progress could not be saved to {path} (database is locked). The lesson goes on: what you do is kept "
        "in memory, and saved as soon as the file can be written.",
        "Progress is saved again; nothing was lost.",
    ]
    assert not list(path.parent.glob("*.corrupt-*"))


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the store's file cannot grow by a page, as on a full disk."""
    connect = progress_file._connect

    def full(path: Path) -> sqlite3.Connection:
        db = connect(path)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        return db

    monkeypatch.setattr(progress_file, "_connect", full)


def test_on_a_full_disk_the_lesson_goes_on_from_what_the_file_holds(path, open_store, monkeypatch):
    _saved_before(path, ("1", "2"), 2)
    _full_disk(monkeypatch)
    store, said = _listened(open_store)

    store.record_attempt("a", "3", "pass", "x = 1\n" * 20_000)  # far more than a page
    store.mark_done("a", "3")
    store.set_position("a", 3)

    assert {step for step, s in store.step_status("a").items() if s.done} == {"1", "2", "3"}
    assert store.position("a") == 3 and store.saved_in is None
    assert len(said) == 1 and "(database or disk is full)" in said[0]
    store.close()
    assert said[1:] == [f"3 changes to your progress could not be saved to {path} and are lost."]
    with ProgressStore.open(path) as after:
        assert set(after.step_status("a")) == {"1", "2"} and after.position("a") == 2


def _read_only_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite opens the file read-only, as it does on a read-only disk."""
    connect = sqlite3.connect

    def read_only(database, *args, **kwargs):
        if isinstance(database, Path):
            return connect(f"{database.as_uri()}?mode=ro", *args, uri=True, **kwargs)
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(progress_file.sqlite3, "connect", read_only)


def test_a_read_only_store_shows_the_progress_it_holds_and_writes_nothing(path, open_store, monkeypatch):
    _saved_before(path, ("1",), 1)
    _read_only_connections(monkeypatch)
    store, said = _listened(open_store)
    assert store.notice is None and store.position("a") == 1

    store.set_position("a", 2)
    store.mark_done("a", "2")

    assert store.position("a") == 2 and set(store.step_status("a")) == {"1", "2"}
    assert store.saved_in is None
    assert said == [f"Progress could not be saved to {path} (attempt to write a readonly database). The lesson "
                    "goes on, kept in memory: what you do in this session will not be saved."]
    store.close()
    assert len(said) == 1, "closing has nothing new to say"
    monkeypatch.undo()
    with ProgressStore.open(path) as after:
        assert after.position("a") == 1 and set(after.step_status("a")) == {"1"}


def test_a_store_that_cannot_be_opened_for_writing_starts_from_what_it_holds(path, open_store, monkeypatch):
    with ProgressStore.open(path) as before:
        before.mark_done("a", "1")
    monkeypatch.setattr(progress_file, "_connect", lambda path: (_ for _ in ()).throw(
        sqlite3.OperationalError("unable to open database file")))

    store = open_store()

    assert store.path is None
    assert store.notice == (f"Progress cannot be saved to {path} (unable to open database file); your progress "
                            "so far is here, but this session's will not be saved.")
    assert store.step_status("a")["1"].done


# -- privacy


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_store_and_its_companions_are_private(path, open_umask):
    with ProgressStore.open(path) as store:
        store.record_attempt("a", "1", "pass", "secret = 1")
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert [_mode(file) for file in files] == [0o600] * 3


def test_a_store_left_readable_by_others_is_made_private(path, open_umask):
    with ProgressStore.open(path) as store:
        store.mark_done("a", "1")
        wal = Path(f"{path}-wal")
        path.chmod(0o644)
        wal.chmod(0o644)
        with ProgressStore.open(path) as again:
            assert (_mode(path), _mode(wal)) == (0o600, 0o600)
            assert again.step_status("a")["1"].done


# -- kill -9


def _start_writer(path: Path, lesson: str, count: int | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), str(path), lesson] + ([str(count)] if count else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_writer(path: Path, lesson: str, delay: float, *, after_first_commit: bool) -> int:
    """Run a writer, SIGKILL it after ``delay``, and return the last attempt it reported committed (-1: none)."""
    writer = _start_writer(path, lesson)
    reported: list[str] = []
    first_commit = threading.Event()

    def drain() -> None:  # keep the pipe empty, so the writer never waits on it
        for line in writer.stdout:
            reported.append(line)
            first_commit.set()

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        if after_first_commit:  # timed from the first commit, so a slow start-up cannot eat the delay
            first_commit.wait(timeout=30)
        time.sleep(delay)
    finally:
        writer.send_signal(signal.SIGKILL)  # on a failure too: never leave a writer running
        writer.wait()
        reader.join()
        stderr = writer.stderr.read()
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL, f"the writer stopped by itself: {stderr}"
    return int(reported[-1]) if reported else -1


def test_sigkill_at_random_moments_loses_at_most_the_attempt_in_flight(tmp_path):
    rng = random.Random()
    path = tmp_path / "progress.sqlite3"
    for k in range(40):
        # Now and then a new file, killed from its very start: in the imports, while the store is created, or writing.
        fresh = k % 8 == 0
        if fresh:
            path = tmp_path / f"store-{k}" / "progress.sqlite3"
        lesson = f"run-{k}"
        delay = rng.uniform(0.0, 0.15)

        last = _kill_writer(path, lesson, delay, after_first_commit=not fresh)

        if path.exists():  # a kill before the writer got that far leaves nothing to check
            assert integrity(path) == "ok", f"kill {k}"
        with ProgressStore.open(path) as store:
            assert store.notice is None, f"kill {k}"
            kept = sorted(int(a[5]) for n in range(5) for a in attempts(path, lesson, f"step-{n}"))
            position = store.position(lesson)
        assert kept in (list(range(last + 1)), list(range(last + 2))), f"kill {k}: reported up to {last}"
        assert position in ({last, last + 1} if last >= 0 else {None, 0}), f"kill {k}"
        assert fresh or last >= 0
