"""The progress store: what the learner did is still there next time, whatever happened to the file."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from asyncshell.course import progress
from asyncshell.errors import StoreError
from asyncshell.course.progress import RESULTS, Attempt, LessonProgress, ProgressStore, QuizAnswer, StepStatus, Summary

WRITER = Path(__file__).with_name("progress_writer.py")


class FakeClock:
    """A clock the test moves by hand, so times and their order are known."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_store(path: Path, clock: FakeClock):
    """Open stores (on the test's file unless told otherwise) and close them all afterwards."""
    opened: list[ProgressStore] = []

    def _open(where: Path | None = None) -> ProgressStore:
        store = ProgressStore.open(where or path, clock=clock)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store) -> ProgressStore:
    store = open_store()
    assert store.notice is None
    return store


def at(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock.now, timezone.utc)


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
    finally:
        db.close()


# -- round trips


def test_attempts_come_back_oldest_first_with_everything_recorded(store, clock):
    for result in RESULTS:
        store.record_attempt("intro", "ex-1", result, f"print({result!r})", detail=f"it was {result}")
        clock.now += 1
    store.record_attempt("intro", "ex-2", "pass", "x = 1")

    attempts = store.attempts("intro", "ex-1")

    assert [a.result for a in attempts] == list(RESULTS)
    first = attempts[0]
    assert first == Attempt("intro", "ex-1", datetime.fromtimestamp(1_700_000_000, timezone.utc), "pass", "print('pass')", "it was pass")
    assert attempts[1].at > first.at
    assert store.attempts("intro", "ex-2")[0].detail == ""
    assert store.attempts("intro", "missing") == []


def test_an_unknown_result_is_refused_and_nothing_is_stored(store):
    with pytest.raises(ValueError, match="pass, fail"):
        store.record_attempt("intro", "ex-1", "passed", "x")  # type: ignore[arg-type]
    assert store.attempts("intro", "ex-1") == []
    assert store.summary().lessons_started == 0


def test_quiz_answers_round_trip(store, clock):
    store.record_quiz("intro", "quiz-3", False, "b")
    clock.now += 5
    store.record_quiz("intro", "quiz-3", True, "c")

    assert store.quiz_answers("intro", "quiz-3") == [
        QuizAnswer("intro", "quiz-3", datetime.fromtimestamp(1_700_000_000, timezone.utc), False, "b"),
        QuizAnswer("intro", "quiz-3", at(clock), True, "c"),
    ]


@pytest.mark.parametrize(
    ("marks", "state"),
    [
        ((), "attempted"),
        (("skipped",), "skipped"),
        (("revealed",), "revealed"),
        (("skipped", "revealed"), "revealed"),
        (("revealed", "done"), "done"),
        (("skipped", "done"), "done"),
        (("done", "done"), "done"),
    ],
)
def test_step_status_keeps_every_mark_and_solving_wins(store, marks, state):
    store.record_attempt("intro", "ex-1", "fail", "x")
    for mark in marks:
        getattr(store, f"mark_{mark}")("intro", "ex-1")

    status = store.step_status("intro")["ex-1"]

    assert status.state == state
    assert (status.done, status.revealed, status.skipped) == tuple(m in marks for m in ("done", "revealed", "skipped"))


def test_step_status_counts_code_attempts_and_quiz_answers_per_step(store):
    store.record_attempt("intro", "ex-1", "fail", "x")
    store.record_attempt("intro", "ex-1", "pass", "y")
    store.mark_done("intro", "ex-1")
    store.record_quiz("intro", "quiz-1", True, "a")
    store.mark_skipped("intro", "ex-2")
    store.record_attempt("other", "ex-1", "fail", "z")

    assert store.step_status("intro") == {
        "ex-1": StepStatus("ex-1", done=True, revealed=False, skipped=False, attempts=2),
        "quiz-1": StepStatus("quiz-1", done=False, revealed=False, skipped=False, attempts=1),
        "ex-2": StepStatus("ex-2", done=False, revealed=False, skipped=True, attempts=0),
    }
    assert store.step_status("never-started") == {}


def test_position_resumes_where_the_learner_left(store, open_store):
    assert store.position("intro") is None
    store.set_position("intro", 3)
    store.record_attempt("intro", "ex-4", "fail", "x")  # other writes leave the position alone
    store.mark_done("intro", "ex-4")
    assert store.position("intro") == 3
    store.set_position("intro", 0)
    store.close()

    assert open_store().position("intro") == 0


@pytest.mark.parametrize("index", [-1, 1.5, "2", True])
def test_a_position_must_be_a_step_index(store, index):
    with pytest.raises(ValueError):
        store.set_position("intro", index)
    assert store.position("intro") is None


def test_unfinished_lessons_most_recent_first_even_when_the_clock_steps_back(store, clock):
    steps = {"a": ["1", "2"], "b": ["1"], "c": ["1", "2", "3"], "d": ["1"]}
    store.set_position("a", 1)
    store.mark_done("a", "1")
    clock.now += 60
    store.record_attempt("b", "1", "fail", "x")
    store.mark_done("d", "1")  # finished: never offered for resuming
    store.mark_skipped("c", "1")  # skipped is not done
    clock.now -= 3600  # the system clock was corrected; "a" is still touched last
    store.record_quiz("a", "2", False, "no")
    store.record_attempt("removed", "1", "fail", "x")  # a lesson the course no longer has

    unfinished = store.unfinished_lessons(steps)

    assert [u.lesson for u in unfinished] == ["a", "c", "b"]
    assert unfinished[0] == LessonProgress("a", position=1, last_activity=at(clock), done=1, total=2)
    assert (unfinished[1].position, unfinished[1].done, unfinished[1].total) == (None, 0, 3)


def test_done_steps_the_lesson_no_longer_has_do_not_count(store):
    store.mark_done("a", "old-step")
    assert [(u.done, u.total) for u in store.unfinished_lessons({"a": ["new-step"]})] == [(0, 1)]
    assert store.unfinished_lessons({"a": []}) == []


def test_summary_totals_everything(store):
    store.record_attempt("a", "1", "fail", "x")
    store.record_attempt("a", "1", "pass", "y")
    store.mark_done("a", "1")
    store.mark_revealed("a", "1")
    store.mark_skipped("b", "2")
    store.record_quiz("b", "q", True, "a")
    store.record_quiz("b", "q", False, "b")

    assert store.summary() == Summary(
        lessons_started=2, steps_done=1, steps_revealed=1, steps_skipped=1,
        attempts=2, attempts_passed=1, quiz_answers=2, quiz_correct=1,
    )


def test_reopening_keeps_everything(store, open_store):
    store.record_attempt("a", "1", "pass", "code", detail="ok")
    store.record_quiz("a", "q", True, "yes")
    store.mark_done("a", "1")
    store.mark_revealed("a", "1")
    store.mark_skipped("a", "2")
    store.set_position("a", 2)
    before = (store.attempts("a", "1"), store.quiz_answers("a", "q"), store.step_status("a"), store.summary())
    store.close()

    again = open_store()

    assert again.notice is None
    assert (again.attempts("a", "1"), again.quiz_answers("a", "q"), again.step_status("a"), again.summary()) == before
    assert again.position("a") == 2


def test_reset_wipes_everything_for_every_open_shell(store, open_store):
    other = open_store()
    store.record_attempt("a", "1", "pass", "secret code")
    store.mark_done("a", "1")
    store.set_position("a", 1)

    other.reset()

    assert store.summary() == Summary(0, 0, 0, 0, 0, 0, 0, 0)
    assert store.attempts("a", "1") == [] and store.position("a") is None and store.step_status("a") == {}
    store.record_attempt("a", "1", "fail", "again")  # still usable afterwards
    assert other.summary().attempts == 1


def test_the_default_store_lives_in_the_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ASYNCSHELL_HOME", str(tmp_path / "home"))
    with ProgressStore.open() as store:
        store.mark_done("a", "1")
        assert store.path == tmp_path / "home" / "progress.sqlite3"
    db = sqlite3.connect(tmp_path / "home" / "progress.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (progress.SCHEMA_VERSION,)
    finally:
        db.close()


def test_a_closed_store_says_so_in_one_line(path):
    with ProgressStore.open(path) as store:
        pass
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.mark_done("a", "1")


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
    stale = {s for s in progress.COMPANIONS if Path(f"{path}{s}").exists()}
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
    assert store.path == path and [a.code for a in store.attempts("a", "1")] == ["x"]
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
    db.execute(f"PRAGMA user_version = {progress.SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()

    store = open_store()

    assert store.path is None
    assert "newer asyncshell" in store.notice and "will not be saved" in store.notice
    store.record_attempt("a", "1", "pass", "x")
    assert len(store.attempts("a", "1")) == 1
    store.close()
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.corrupt-*"))


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

    monkeypatch.setattr(progress.os, "replace", refuse)
    store = open_store()

    assert store.path is None
    assert "cannot be moved aside (Permission denied)" in store.notice
    assert path.read_bytes() == before


# -- more than one shell


def test_two_shells_on_one_file_writing_in_turn_both_succeed(store, open_store):
    other = open_store()
    for n in range(50):
        (store if n % 2 else other).record_attempt("a", "1", "fail", str(n))
        (other if n % 2 else store).set_position("a", n)

    assert [a.code for a in store.attempts("a", "1")] == [str(n) for n in range(50)]
    assert other.position("a") == 49


def test_two_processes_writing_at_once_both_finish(path):
    writers = [_start_writer(path, lesson, count=300) for lesson in ("left", "right")]
    outputs = [w.communicate(timeout=60) for w in writers]

    assert [w.returncode for w in writers] == [0, 0], outputs
    with ProgressStore.open(path) as store:
        for lesson in ("left", "right"):
            assert sum(len(store.attempts(lesson, f"step-{n}")) for n in range(5)) == 300


def test_a_store_held_too_long_by_another_program_is_not_moved_aside(path, open_store, monkeypatch):
    monkeypatch.setattr(progress, "BUSY_TIMEOUT_S", 0.1)
    store = open_store()
    store.mark_done("a", "1")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="could not be saved"):
            store.mark_done("a", "2")
        blocked = open_store()
        assert blocked.path is None and "will not be saved" in blocked.notice
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(path.parent.glob("*.corrupt-*"))
    assert store.step_status("a")["1"].done


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
            kept = sorted(int(a.detail) for n in range(5) for a in store.attempts(lesson, f"step-{n}"))
            position = store.position(lesson)
        assert kept in (list(range(last + 1)), list(range(last + 2))), f"kill {k}: reported up to {last}"
        assert position in ({last, last + 1} if last >= 0 else {None, 0}), f"kill {k}"
        assert fresh or last >= 0
