"""Many lesson files make one course: the folders in use, in order; ids kept unique; ``requires`` linked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asyncshell.course.catalog import course_folders, load_catalog, load_lessons
from asyncshell.paths import LESSONS_ENV, builtin_lessons_dir


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LESSONS_ENV, raising=False)


def test_the_built_in_folder_comes_first_then_the_environment_then_arguments(monkeypatch, tmp_path):
    monkeypatch.setenv(LESSONS_ENV, os.pathsep.join([str(tmp_path / "a"), "", "~/b"]))
    assert course_folders([tmp_path / "c"]) == [builtin_lessons_dir(), tmp_path / "a", Path.home() / "b", tmp_path / "c"]


def test_without_extras_only_the_built_in_lessons_are_used():
    assert course_folders() == [builtin_lessons_dir()]
    assert "first-steps" in [lesson.id for lesson in load_catalog().lessons]


def test_a_users_folder_adds_lessons_but_cannot_replace_a_built_in_one(write_lesson, full_lesson):
    write_lesson(full_lesson(id="mine", order=5), "mine/mine.yaml")
    write_lesson(full_lesson(id="first-steps"), "mine/impostor.yaml")
    catalog = load_catalog([Path("mine")])
    assert {"first-steps", "mine"} <= {lesson.id for lesson in catalog.lessons}
    assert catalog.get("first-steps").path.parent == builtin_lessons_dir()
    assert [str(error) for error in catalog.errors] == [
        f"mine/impostor.yaml:2: id: lesson id 'first-steps' is already used by {builtin_lessons_dir() / '02-first-steps.yaml'}"]


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


def test_a_lesson_requiring_one_that_failed_points_at_it_after_the_root_cause(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="timeouts").replace("title:", "titel:", 1), "timeouts.yaml")  # a misspelt key
    write_lesson(full_lesson(id="polite", order=2, requires=("timeouts",)), "a-polite.yaml")  # sorts first by name
    result = load_lessons([lesson_dir])
    assert result.lessons == ()
    errors = [str(error) for error in result.errors]
    assert len(errors) == 2
    assert errors[0].startswith(f"{lesson_dir / 'timeouts.yaml'}:")
    assert "titel" in errors[0]
    assert errors[1] == f"{lesson_dir / 'a-polite.yaml'}:6: requires[0]: 'timeouts' (not loaded: see above)"


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
        f"{lesson_dir / 'c.yaml'}:6: requires[0]: 'b' (not loaded: see above)",
    ]


def test_lesson_requiring_a_broken_file_fails_too(write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="basics").replace("title: First steps", "title:"), "basics.yaml")
    write_lesson(full_lesson(id="tasks", requires=("basics",)), "tasks.yaml")
    result = load_lessons([lesson_dir])
    assert result.lessons == ()
    assert [str(error) for error in result.errors] == [
        f"{lesson_dir / 'basics.yaml'}:3: title: expected a string, got an empty value",
        f"{lesson_dir / 'tasks.yaml'}:6: requires[0]: 'basics' (not loaded: see above)",
    ]


def test_shipped_lessons_all_load():
    result = load_lessons([builtin_lessons_dir()])
    assert result.errors == ()
