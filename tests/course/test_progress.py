"""The progress store's API: what the learner did comes back as they left it, for every open shell."""

from __future__ import annotations

import pytest

from asyncshell.course.progress import ProgressStore, StepStatus
from asyncshell.course.progress_file import RESULTS, TABLES
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
        "ex-1": StepStatus("ex-1", done=True, revealed=False, skipped=False, attempts=2, passed=1),
        "quiz-1": StepStatus("quiz-1", done=False, revealed=False, skipped=False, attempts=1, answers=1, right=1),
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


def test_step_status_counts_passes_right_answers_different_hints_and_whether_it_was_shown(store):
    store.record_attempt("a", "1", "fail", "x")
    store.record_attempt("a", "1", "timeout", "y")
    store.record_attempt("a", "1", "pass", "z")
    store.record_quiz("a", "q", True, "a")
    store.record_quiz("a", "q", False, "b")
    store.record_quiz("a", "q", True, "c")
    for number in (1, 2, 1):  # hint 1 again, in a later session: still two hints used
        store.record_hint("a", "1", number)
    store.record_view("a", "1")
    store.record_view("a", "t")

    status = store.step_status("a")

    assert (status["1"].attempts, status["1"].passed, status["1"].hints, status["1"].seen) == (3, 1, 2, True)
    assert (status["q"].attempts, status["q"].answers, status["q"].right, status["q"].seen) == (3, 3, 2, False)
    assert status["t"] == StepStatus("t", done=False, revealed=False, skipped=False, attempts=0, seen=True)


def test_reopening_keeps_everything(store, open_store, path):
    store.record_attempt("a", "1", "pass", "code", detail="ok")
    store.record_quiz("a", "q", True, "yes")
    store.mark_done("a", "1")
    store.mark_revealed("a", "1")
    store.mark_skipped("a", "2")
    store.set_position("a", 2)
    store.record_hint("a", "1", 1)
    store.record_view("a", "2")
    before = store.step_status("a")
    store.close()

    again = open_store()

    assert again.notice is None
    assert again.step_status("a") == before
    assert [a[4:] for a in attempts(path, "a", "1")] == [("code", "ok")]
    assert [q[3:] for q in quiz_answers(path, "a", "q")] == [(1, "yes")]
    assert again.position("a") == 2


def test_reset_wipes_everything_for_every_open_shell(store, open_store, path):
    other = open_store()
    store.record_attempt("a", "1", "pass", "secret code")
    store.record_quiz("b", "q", True, "yes")
    store.record_hint("a", "1", 1)
    store.record_view("a", "1")
    store.mark_done("a", "1")
    store.set_position("a", 1)

    other.reset()

    assert {table: count(path, table) for table in TABLES} == dict.fromkeys(TABLES, 0)
    assert attempts(path, "a", "1") == [] and store.position("a") is None and store.step_status("a") == {}
    store.record_attempt("a", "1", "fail", "again")  # still usable afterwards
    assert other.step_status("a")["1"].attempts == 1


def test_reset_of_one_lesson_forgets_it_alone(store, open_store, path):
    for lesson in ("a", "b"):
        store.record_attempt(lesson, "1", "pass", f"{lesson} code")
        store.record_quiz(lesson, "q", True, "yes")
        store.record_hint(lesson, "1", 1)
        store.record_view(lesson, "1")
        store.mark_done(lesson, "1")
        store.set_position(lesson, 1)
    kept = store.step_status("b")

    open_store().reset("a")

    assert store.step_status("a") == {} and store.position("a") is None and attempts(path, "a", "1") == []
    assert store.recent_lessons() == ["b"]
    assert store.step_status("b") == kept and store.position("b") == 1
    assert [row[4] for row in attempts(path, "b", "1")] == ["b code"]


# -- time spent


def test_time_spent_is_each_gap_to_the_next_action_capped_and_given_to_the_step_it_follows(store, clock):
    store.record_view("a", "1")
    clock.now += 30
    store.record_hint("a", "1", 1)
    clock.now += 45
    store.record_attempt("a", "1", "pass", "x")
    store.mark_done("a", "1")  # the same moment: the step shown next comes after it
    store.record_view("a", "2")
    clock.now += 9 * 3600  # overnight: counts as the cap at most
    store.record_quiz("a", "2", True, "yes")
    clock.now += 20
    store.record_view("b", "1")  # another lesson: the 20 s were still lesson a's step 2
    clock.now += 5
    store.record_view("a", "2")  # back again: step b/1 had 5 s
    clock.now += 7
    store.mark_done("a", "2")

    assert store.time_spent(idle_cap=600) == {("a", "1"): 75, ("a", "2"): 627, ("b", "1"): 5}


def test_no_actions_no_time(store):
    store.record_view("a", "1")  # the last action: how long after it is not known
    assert store.time_spent(idle_cap=600) == {}


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
