"""Many lesson files make one course: ids kept unique, ``requires`` linked, folders in order; and what ``asyncshell lessons`` lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asyncshell.course.catalog import load_catalog, load_lessons
from asyncshell.paths import LESSONS_ENV, lesson_dirs
from asyncshell.cli import main
from asyncshell.paths import builtin_lessons_dir
from asyncshell.course.progress import ProgressStore


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LESSONS_ENV, raising=False)


def listing(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["lessons", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def listed_ids(lines: list[str]) -> list[str]:
    # Under the header, each lesson is a row and a summary line; load errors follow a blank line.
    rows = lines[1:lines.index("")] if "" in lines else lines[1:]
    return [line.split()[1] for line in rows[::2]]


def row(lines: list[str], lesson_id: str) -> str:
    return next(line for line in lines[1:] if line.split()[1:2] == [lesson_id])


def test_the_built_in_folder_comes_first_then_the_environment_then_arguments(monkeypatch, tmp_path):
    monkeypatch.setenv(LESSONS_ENV, os.pathsep.join([str(tmp_path / "a"), "", "~/b"]))
    assert lesson_dirs([tmp_path / "c"]) == [builtin_lessons_dir(), tmp_path / "a", Path.home() / "b", tmp_path / "c"]


def test_without_extras_only_the_built_in_lessons_are_used():
    assert lesson_dirs() == [builtin_lessons_dir()]
    assert "first-steps" in [lesson.id for lesson in load_catalog().lessons]


def test_a_users_folder_adds_lessons_but_cannot_replace_a_built_in_one(write_lesson, full_lesson):
    write_lesson(full_lesson(id="mine", order=5), "mine/mine.yaml")
    write_lesson(full_lesson(id="first-steps"), "mine/impostor.yaml")
    catalog = load_catalog([Path("mine")])
    assert {"first-steps", "mine"} <= {lesson.id for lesson in catalog.lessons}
    assert catalog.get("first-steps").path.parent == builtin_lessons_dir()
    assert [str(error) for error in catalog.errors] == [
        f"mine/impostor.yaml:2: id: lesson id 'first-steps' is already used by {builtin_lessons_dir() / '01-first-steps.yaml'}"]


def test_lessons_lists_the_sample_lesson_in_order_with_its_summary(capsys):
    lines = listing(capsys)
    assert lines[0].split() == ["#", "lesson", "title", "steps", "progress"]
    sample = row(lines, "first-steps")
    assert sample.split() == ["1", "first-steps", "First", "steps", "with", "asyncio", "8", "not", "started"]
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
    ids = listed_ids(listing(capsys, "--lessons-dir", "arg"))
    assert "first-steps" in ids
    assert [i for i in ids if i.startswith("from-")] == ["from-arg", "from-env"]


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


def test_lessons_sorted_by_order_then_id(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="zeta", order=1), "a.yaml")
    write_lesson(full_lesson(id="alpha", order=2), "b.yml")
    write_lesson(full_lesson(id="beta", order=1), "c.yaml")
    result = load_lessons([lesson_dir])
    assert result.errors == ()
    assert [lesson.id for lesson in result.lessons] == ["beta", "zeta", "alpha"]
    assert result.get("alpha").path == lesson_dir / "b.yml"
    assert result.get("missing") is None


def test_one_bad_file_does_not_hide_the_good_ones(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="first"), "first.yaml")
    write_lesson("format: 1\nid: [broken\n", "broken.yaml")
    write_lesson(full_lesson(id="second", order=2), "second.yaml")
    result = load_lessons([lesson_dir])
    assert [lesson.id for lesson in result.lessons] == ["first", "second"]
    assert [str(error) for error in result.errors] == [
        f"{lesson_dir / 'broken.yaml'}:3: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_folders_skip_other_files_and_missing_folders(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="real"), "real.yaml")
    write_lesson("not a lesson", "notes.txt")
    write_lesson("format: 1\n", ".#real.yaml")  # an editor lock file
    write_lesson(full_lesson(id="nested"), "sub/nested.yaml")
    result = load_lessons([lesson_dir, lesson_dir / "nowhere", lesson_dir])
    assert [lesson.id for lesson in result.lessons] == ["real"]
    assert result.errors == ()


def test_requires_resolve_across_folders(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="basics"), "builtin/basics.yaml")
    write_lesson(full_lesson(id="tasks", order=2, requires=("basics",)), "mine/tasks.yaml")
    result = load_lessons([lesson_dir / "builtin", lesson_dir / "mine"])
    assert result.errors == ()
    assert result.get("tasks").requires == ("basics",)


def test_lesson_id_used_twice_keeps_the_first(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="intro"), "a.yaml")
    write_lesson(full_lesson(id="intro", order=5), "b.yaml")
    result = load_lessons([lesson_dir])
    assert [lesson.path.name for lesson in result.lessons] == ["a.yaml"]
    assert [str(error) for error in result.errors] == [
        f"{lesson_dir / 'b.yaml'}:2: id: lesson id 'intro' is already used by {lesson_dir / 'a.yaml'}"
    ]


def test_unknown_requirement_suggests_a_loaded_lesson(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="basics"), "basics.yaml")
    write_lesson(full_lesson(id="tasks", requires=("basic",)), "tasks.yaml")
    result = load_lessons([lesson_dir])
    assert [lesson.id for lesson in result.lessons] == ["basics"]
    assert [str(error) for error in result.errors] == [
        f"{lesson_dir / 'tasks.yaml'}:6: requires[0]: no loaded lesson has id 'basic'; did you mean 'basics'?"
    ]


def test_requires_cycle_and_what_depends_on_it_fail(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="a", requires=("b",)), "a.yaml")
    write_lesson(full_lesson(id="b", requires=("ok", "a")), "b.yaml")
    write_lesson(full_lesson(id="c", requires=("b",)), "c.yaml")
    write_lesson(full_lesson(id="ok"), "ok.yaml")
    result = load_lessons([lesson_dir])
    assert [lesson.id for lesson in result.lessons] == ["ok"]
    assert [str(error) for error in result.errors] == [
        f"{lesson_dir / 'a.yaml'}:6: requires[0]: lessons require each other in a cycle: a -> b -> a",
        f"{lesson_dir / 'b.yaml'}:6: requires[1]: lessons require each other in a cycle: b -> a -> b",
        f"{lesson_dir / 'c.yaml'}:6: requires[0]: the lesson it requires, 'b', did not load",
    ]


def test_lesson_requiring_a_broken_file_fails_too(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="basics").replace("title: First steps", "title:"), "basics.yaml")
    write_lesson(full_lesson(id="tasks", requires=("basics",)), "tasks.yaml")
    result = load_lessons([lesson_dir])
    assert result.lessons == ()
    assert [str(error) for error in result.errors] == [
        f"{lesson_dir / 'basics.yaml'}:3: title: expected a string, got an empty value",
        f"{lesson_dir / 'tasks.yaml'}:6: requires[0]: no loaded lesson has id 'basics'",
    ]


def test_shipped_lessons_all_load():
    result = load_lessons([builtin_lessons_dir()])
    assert result.errors == ()
