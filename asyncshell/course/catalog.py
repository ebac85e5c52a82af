"""Many lesson files -> one course: the files in the folders, ids made unique, ``requires`` linked.

``load_catalog`` is what the shell uses: every lesson of the courses in use
(``courses.courses_in_use``), course after course, each in its own order.
The first file found with an id keeps it, so the courses' order decides.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from asyncshell.course.courses import courses_in_use
from asyncshell.course.fields import did_you_mean
from asyncshell.course.loader import COURSE_FILE, is_lesson_file, read_lesson
from asyncshell.course.model import ID_PATTERN, Course, Lesson, LoadResult
from asyncshell.errors import LessonError


def load_catalog(extra: Sequence[Path] = (), *, builtin: bool = True) -> LoadResult:
    """Every lesson of the courses in use, in course order; files that fail are in ``.errors``.

    ``extra`` are folders named for this run; ``builtin`` False leaves asyncshell's own lessons out.
    """
    courses, errors = courses_in_use(extra, builtin=builtin)
    loaded = load_lessons([course.folder for course in courses])
    by_folder: dict[Path, list[Lesson]] = {}
    for lesson in loaded.lessons:  # already in (order, id) order
        by_folder.setdefault(lesson.path.parent.resolve(), []).append(lesson)
    lessons: list[Lesson] = []
    shown: list[Course] = []
    for course in courses:
        mine = by_folder.pop(course.folder.resolve(), [])
        if course.lessons:
            ids = {lesson.id: lesson for lesson in mine}
            mine = [ids[lesson_id] for lesson_id in course.lessons if lesson_id in ids]
            errors += [LessonError(course.folder / COURSE_FILE, None, "lessons",
                                   f"'{lesson_id}' is not a lesson that loaded from {course.folder}"
                                   + did_you_mean(lesson_id, ids))
                       for lesson_id in course.lessons if lesson_id not in ids]
        lessons += mine
        shown.append(dataclasses.replace(course, lessons=tuple(lesson.id for lesson in mine)))
    return LoadResult(lessons=tuple(lessons), errors=loaded.errors + tuple(errors), courses=tuple(shown))


def course_folders(extra: Sequence[Path] = (), *, builtin: bool = True) -> list[Path]:
    """The folders of the courses in use, in the order their ids win."""
    return [course.folder for course in courses_in_use(extra, builtin=builtin)[0]]


def load_lessons(dirs: Iterable[Path | str]) -> LoadResult:
    """Load every ``*.yaml``/``*.yml`` directly in each folder; folders that do not exist are skipped.

    A file that fails becomes an error and the rest still load.  Across files,
    lesson ids must be unique (the first file in folder order keeps it), and
    every ``requires`` must name a lesson that loaded, without cycles; a lesson
    whose requirement failed fails too, so what loads is always complete.
    """
    read: list[tuple[Lesson, int, tuple[int, ...]]] = []
    errors: list[LessonError] = []
    broken: set[str] = set()  # the ids files that failed meant to have, as far as can be seen
    for file in lesson_files(dirs):
        try:
            read.append(read_lesson(file))
        except LessonError as error:
            errors.append(error)
            broken.update(_meant_id(file))
    lessons, link_errors = _link(read, broken)
    # Root causes first: a lesson that failed only because one it requires did, after that one.
    return LoadResult(
        lessons=tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))),
        errors=tuple(sorted(errors, key=str)) + tuple(sorted(link_errors, key=str)),
    )


_ID_LINE = re.compile(rf"^id:[ \t]*['\"]?({ID_PATTERN.pattern})['\"]?[ \t]*(#.*)?$", re.MULTILINE)


def _meant_id(file: Path) -> list[str]:
    """The id a file that did not load gives itself, read from its text, so its dependents can point at it."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    match = _ID_LINE.search(text)
    return [match.group(1)] if match else []


def lesson_files(dirs: Iterable[Path | str]) -> list[Path]:
    """The lesson files in ``dirs``, each folder's in name order; a folder named twice counts once."""
    files: list[Path] = []
    seen: set[Path] = set()
    for folder in map(Path, dirs):
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        # Dot-files are editor backups and lock files, not lessons.
        files.extend(sorted(
            p for p in folder.iterdir()
            if is_lesson_file(p) and p.is_file()
        ))
    return files


def _link(read: list[tuple[Lesson, int, tuple[int, ...]]], broken: set[str]) -> tuple[list[Lesson], list[LessonError]]:
    """Drop duplicate ids, unknown requirements and cycles, then whatever requires a dropped lesson.

    ``broken`` holds the ids of files that did not load: a lesson requiring one says so, not "no such lesson".
    """
    errors: list[LessonError] = []
    by_id: dict[str, tuple[Lesson, tuple[int, ...]]] = {}
    for lesson, id_line, requires_lines in read:
        if lesson.id in by_id:
            first = by_id[lesson.id][0].path
            errors.append(LessonError(lesson.path, id_line, "id",
                                      f"lesson id '{lesson.id}' is already used by {first}"))
        else:
            by_id[lesson.id] = (lesson, requires_lines)

    failed: dict[str, LessonError] = {}
    for lesson_id, cycle in _cycles({i: lesson.requires for i, (lesson, _) in by_id.items()}).items():
        lesson, lines = by_id[lesson_id]
        i = lesson.requires.index(cycle[1])
        failed[lesson_id] = LessonError(lesson.path, lines[i], f"requires[{i}]",
                                        "lessons require each other in a cycle: " + _written(cycle))
    unloadable = _unloadable(by_id, set(failed))
    for lesson_id in unloadable - set(failed):
        lesson, lines = by_id[lesson_id]
        i, required = next((i, r) for i, r in enumerate(lesson.requires) if r not in by_id or r in unloadable)
        if required in by_id or required in broken:
            why = f"'{required}' (not loaded: see above)"
        else:
            why = f"no loaded lesson has id '{required}'" + did_you_mean(required, by_id)
        failed[lesson_id] = LessonError(lesson.path, lines[i], f"requires[{i}]", why)
    errors.extend(failed.values())
    return [lesson for lesson_id, (lesson, _) in by_id.items() if lesson_id not in failed], errors


def _unloadable(by_id: dict[str, tuple[Lesson, tuple[int, ...]]], on_cycles: set[str]) -> set[str]:
    """The lessons on a cycle, those requiring a missing lesson, and everything that requires one of them."""
    required_by: dict[str, list[str]] = {}
    for lesson_id, (lesson, _) in by_id.items():
        for required in lesson.requires:
            required_by.setdefault(required, []).append(lesson_id)
    missing = {lesson_id for lesson_id, (lesson, _) in by_id.items() if any(r not in by_id for r in lesson.requires)}
    found = on_cycles | missing
    todo = list(found)
    while todo:  # a worklist, not recursion: a requires chain may be longer than Python's stack
        for dependent in required_by.get(todo.pop(), ()):
            if dependent not in found:
                found.add(dependent)
                todo.append(dependent)
    return found


def _cycles(graph: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each lesson on a requires cycle, mapped to that cycle written from itself back to itself.

    A depth-first walk with a stack of its own, so a chain of any length fits.
    """
    found: dict[str, tuple[str, ...]] = {}
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path, on_path = [start], {start: 0}
        unvisited = [iter(graph[start])]  # for each lesson on the path, the requirements left to follow
        while unvisited:
            required = next(unvisited[-1], None)
            if required is None:
                finished = path.pop()
                del on_path[finished]
                unvisited.pop()
                done.add(finished)
                continue
            if required in on_path:
                loop = path[on_path[required]:]
                for i, member in enumerate(loop):
                    found.setdefault(member, tuple(loop[i:] + loop[:i] + [member]))
            elif required not in done and required in graph:
                on_path[required] = len(path)
                path.append(required)
                unvisited.append(iter(graph[required]))
    return found


def _written(cycle: tuple[str, ...]) -> str:
    """``a -> b -> a``; a long cycle is shortened, so that each line stays readable."""
    if len(cycle) <= 8:
        return " -> ".join(cycle)
    return " -> ".join([*cycle[:3], "…", *cycle[-2:]]) + f" ({len(cycle) - 1:,} lessons)"
