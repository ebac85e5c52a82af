"""``asyncshell lessons``: every lesson in use, in course order, with its summary and how far the learner got."""

from __future__ import annotations

import dataclasses

import pytest

from asyncshell.cli import main
from asyncshell.course.catalog import load_catalog
from asyncshell.course.loader import load_lesson
from asyncshell.course.model import LoadResult
from asyncshell.course.progress import ProgressStore
from asyncshell.course.standing import lesson_table
from asyncshell.paths import LESSONS_ENV


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LESSONS_ENV, raising=False)


def listing(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["lessons", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def listed_ids(lines: list[str]) -> list[str]:
    # Under the header, each lesson is a numbered row and a summary line (a course's name may come
    # before its first row); load errors follow a blank line.
    rows = lines[1:lines.index("")] if "" in lines else lines[1:]
    return [line.split()[1] for line in rows if line.split()[0].isdigit()]


def row(lines: list[str], lesson_id: str) -> str:
    return next(line for line in lines[1:] if line.split()[1:2] == [lesson_id])


def test_lessons_lists_the_sample_lesson_in_order_with_its_summary(capsys):
    lines = listing(capsys)
    assert lines[0].split() == ["#", "lesson", "title", "steps", "progress"]
    sample = row(lines, "first-steps")
    assert sample.split() == ["2", "first-steps", "First", "steps", "with", "asyncio", "17", "not", "started"]
    summary = lines[lines.index(sample) + 1]
    assert summary.strip() == "Write coroutine functions, await them, and run several at once so waiting overlaps."


def test_lessons_shows_how_far_the_learner_got(capsys):
    lesson = load_catalog().get("first-steps")
    keys = [step.key for step in lesson.steps]
    with ProgressStore.open() as store:
        store.record_quiz("first-steps", "quiz-1", False, "1")
    assert row(listing(capsys), "first-steps").endswith(f"0 of {len(keys)}")
    with ProgressStore.open() as store:
        for key in keys[:3]:
            store.mark_done("first-steps", key)
    assert row(listing(capsys), "first-steps").endswith(f"3 of {len(keys)}")
    with ProgressStore.open() as store:
        for key in keys:
            store.mark_done("first-steps", key)
    assert row(listing(capsys), "first-steps").endswith("done")


def test_lessons_dir_and_the_environment_add_folders(capsys, monkeypatch, write_lesson, full_lesson):
    write_lesson(full_lesson(id="from-env", order=20), "env/e.yaml")
    write_lesson(full_lesson(id="from-arg", order=10), "arg/a.yaml")
    monkeypatch.setenv(LESSONS_ENV, "env")
    lines = listing(capsys, "--lessons-dir", "arg")
    ids = listed_ids(lines)
    assert ids[0] == "why-async"
    # Each folder is a course of its own, in the order folders come: the environment's, then the command line's.
    assert ids[-2:] == ["from-env", "from-arg"]
    assert [line for line in lines if line in ("asyncshell's own lessons (asyncshell)", "env", "arg")] == [
        "asyncshell's own lessons (asyncshell)", "env", "arg"]
    assert [row(lines, i).split()[0] for i in ids] == [str(n) for n in range(1, len(ids) + 1)]  # for %learn N, not by order


def test_lessons_still_lists_when_files_are_broken_and_says_which(capsys, write_lesson, full_lesson):
    write_lesson(full_lesson(id="fine", order=2), "extra/fine.yaml")
    write_lesson("format: 2\n", "extra/newer.yaml")
    write_lesson("- a list\n", "extra/list.yaml")
    lines = listing(capsys, "--lessons-dir", "extra")
    assert {"first-steps", "fine"} <= set(listed_ids(lines))
    assert lines[-3:] == [
        "2 lesson files failed to load:",
        "extra/list.yaml:1: a lesson must be a mapping of fields, got a list",
        "extra/newer.yaml:1: format: this asyncshell reads lesson format 1, not 2; a newer asyncshell may read it",
    ]


def test_a_missing_lessons_dir_is_a_usage_error(capsys, lesson_dir):
    with pytest.raises(SystemExit) as stop:
        main(["lessons", "--lessons-dir", "nowhere"])
    assert stop.value.code == 2
    assert "argument --lessons-dir: no such folder: nowhere" in capsys.readouterr().err


# -- many files make one course -------------------------------------------------------------------------------


# -- what comes from files is shown, never obeyed


def test_a_file_name_with_terminal_escapes_is_shown_escaped(capsys, write_lesson, full_lesson):
    write_lesson("format: 2\n", "extra/\x1b[31mred\x1b[0m.yaml")
    out = "\n".join(listing(capsys, "--lessons-dir", "extra"))
    assert "\x1b" not in out
    assert "extra/\\x1b[31mred\\x1b[0m.yaml:1: format:" in out


def test_text_that_cannot_be_printed_is_escaped_not_a_crash(write_lesson, full_lesson):
    lesson = load_lesson(write_lesson(full_lesson()))
    odd = dataclasses.replace(lesson, title="half \ud800 a pair", summary="bell \x07")
    with ProgressStore.open() as store:
        table = lesson_table(LoadResult(lessons=(odd,), errors=()), store)
    table.encode("utf-8")
    assert "half \\ud800 a pair" in table and "bell \\x07" in table
