"""The progress store's API: what the learner did comes back as they left it, for every open shell."""

from __future__ import annotations

import pytest

from asyncshell.course.progress import ProgressStore, StepStatus, Summary
from asyncshell.course.progress_file import RESULTS
from asyncshell.errors import StoreError
from course.stored import attempts, count, quiz_answers


# -- round trips


def test_attempts_are_kept_oldest_first_with_everything_recorded(store, clock, path):
    for result in RESULTS:
        store.record_attempt("intro", "ex-1", result, f"print({result!r})", detail=f"it was {result}")
        clock.now += 1
    store.record_attempt("intro", "ex-2", "pass", "x = 1")

    kept = attempts(path, "intro", "ex-1")

    assert [a[3] for a in kept] == list(RESULTS)
    first = kept[0]
    assert first == ("intro", "ex-1", 1_700_000_000.0, "pass", "print('pass')", "it was pass")
    assert kept[1][2] > first[2]
    assert attempts(path, "intro", "ex-2")[0][5] == ""
    assert attempts(path, "intro", "missing") == []
    assert store.step_status("intro")["ex-1"].attempts == len(RESULTS)


def test_an_unknown_result_is_refused_and_nothing_is_stored(store, path):
    with pytest.raises(ValueError, match="pass, fail"):
        store.record_attempt("intro", "ex-1", "passed", "x")  # type: ignore[arg-type]
    assert attempts(path, "intro", "ex-1") == []
    assert count(path, "lessons") == 0


def test_quiz_answers_are_kept(store, clock, path):
    store.record_quiz("intro", "quiz-3", False, "b")
    clock.now += 5
    store.record_quiz("intro", "quiz-3", True, "c")

    assert quiz_answers(path, "intro", "quiz-3") == [
        ("intro", "quiz-3", 1_700_000_000.0, 0, "b"),
        ("intro", "quiz-3", clock.now, 1, "c"),
    ]


@pytest.mark.parametrize(
    "marks",
    [(), ("skipped",), ("revealed",), ("skipped", "revealed"), ("revealed", "done"), ("skipped", "done"), ("done", "done")],
)
def test_step_status_keeps_every_mark(store, marks):
    store.record_attempt("intro", "ex-1", "fail", "x")
    for mark in marks:
        getattr(store, f"mark_{mark}")("intro", "ex-1")

    status = store.step_status("intro")["ex-1"]

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


def test_recent_lessons_most_recent_first_even_when_the_clock_steps_back(store, clock):
    store.set_position("a", 1)
    store.mark_done("a", "1")
    clock.now += 60
    store.record_attempt("b", "1", "fail", "x")
    store.mark_done("d", "1")
    store.mark_skipped("c", "1")
    clock.now -= 3600  # the system clock was corrected; "a" is still touched last
    store.record_quiz("a", "2", False, "no")

    assert store.recent_lessons() == ["a", "c", "d", "b"]
    assert store.position("a") == 1 and store.position("c") is None


def test_summary_totals_everything(store, path):
    store.record_attempt("a", "1", "fail", "x")
    store.record_attempt("a", "1", "pass", "y")
    store.mark_done("a", "1")
    store.mark_revealed("a", "1")
    store.mark_skipped("b", "2")
    store.record_quiz("b", "q", True, "a")
    store.record_quiz("b", "q", False, "b")

    assert store.summary() == Summary(steps_done=1, attempts=2, attempts_passed=1, quiz_answers=2, quiz_correct=1)
    assert count(path, "lessons") == 2
    assert (store.step_status("a")["1"].revealed, store.step_status("b")["2"].skipped) == (True, True)


def test_reopening_keeps_everything(store, open_store, path):
    store.record_attempt("a", "1", "pass", "code", detail="ok")
    store.record_quiz("a", "q", True, "yes")
    store.mark_done("a", "1")
    store.mark_revealed("a", "1")
    store.mark_skipped("a", "2")
    store.set_position("a", 2)
    before = (store.step_status("a"), store.summary())
    store.close()

    again = open_store()

    assert again.notice is None
    assert (again.step_status("a"), again.summary()) == before
    assert [a[4:] for a in attempts(path, "a", "1")] == [("code", "ok")]
    assert [q[3:] for q in quiz_answers(path, "a", "q")] == [(1, "yes")]
    assert again.position("a") == 2


def test_reset_wipes_everything_for_every_open_shell(store, open_store, path):
    other = open_store()
    store.record_attempt("a", "1", "pass", "secret code")
    store.mark_done("a", "1")
    store.set_position("a", 1)

    other.reset()

    assert store.summary() == Summary(0, 0, 0, 0, 0)
    assert attempts(path, "a", "1") == [] and store.position("a") is None and store.step_status("a") == {}
    store.record_attempt("a", "1", "fail", "again")  # still usable afterwards
    assert other.summary().attempts == 1


def test_a_closed_store_says_so_in_one_line(path):
    with ProgressStore.open(path) as store:
        pass
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.mark_done("a", "1")


# -- more than one shell


def test_two_shells_on_one_file_writing_in_turn_both_succeed(store, open_store, path):
    other = open_store()
    for n in range(50):
        (store if n % 2 else other).record_attempt("a", "1", "fail", str(n))
        (other if n % 2 else store).set_position("a", n)

    assert [a[4] for a in attempts(path, "a", "1")] == [str(n) for n in range(50)]
    assert other.position("a") == 49
