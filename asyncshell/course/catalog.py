"""Many lesson files -> one course: the files in the folders, ids made unique, ``requires`` linked.

``load_catalog`` is the course the shell uses: every lesson in the folders of
``paths.lesson_dirs``.  The first file found with an id keeps it, so the
folders' order decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from asyncshell.course.fields import did_you_mean
from asyncshell.course.loader import is_lesson_file, read_lesson
from asyncshell.course.model import Lesson, LoadResult
from asyncshell.errors import LessonError
from asyncshell.paths import lesson_dirs


def load_catalog(extra: Sequence[Path] = ()) -> LoadResult:
    """Every lesson in ``lesson_dirs(extra)``; files that fail are in ``.errors``."""
    return load_lessons(lesson_dirs(extra))


def load_lessons(dirs: Iterable[Path | str]) -> LoadResult:
    """Load every ``*.yaml``/``*.yml`` directly in each folder; folders that do not exist are skipped.

    A file that fails becomes an error and the rest still load.  Across files,
    lesson ids must be unique (the first file in folder order keeps it), and
    every ``requires`` must name a lesson that loaded, without cycles; a lesson
    whose requirement failed fails too, so what loads is always complete.
    """
    read: list[tuple[Lesson, int, tuple[int, ...]]] = []
    errors: list[LessonError] = []
    for file in lesson_files(dirs):
        try:
            read.append(read_lesson(file))
        except LessonError as error:
            errors.append(error)
    lessons, link_errors = _link(read)
    errors.extend(link_errors)
    return LoadResult(
        lessons=tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))),
        errors=tuple(sorted(errors, key=str)),
    )


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


def _link(read: list[tuple[Lesson, int, tuple[int, ...]]]) -> tuple[list[Lesson], list[LessonError]]:
    """Drop duplicate ids, unknown requirements and cycles, then whatever requires a dropped lesson."""
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
                                        "lessons require each other in a cycle: " + " -> ".join(cycle))
    changed = True
    while changed:  # until no lesson is left requiring one that is missing or failed
        changed = False
        for lesson_id, (lesson, lines) in by_id.items():
            for i, required in enumerate(lesson.requires if lesson_id not in failed else ()):
                if required not in by_id:
                    why = f"no loaded lesson has id '{required}'" + did_you_mean(required, by_id)
                elif required in failed:
                    why = f"the lesson it requires, '{required}', did not load"
                else:
                    continue
                failed[lesson_id] = LessonError(lesson.path, lines[i], f"requires[{i}]", why)
                changed = True
                break
    errors.extend(failed.values())
    return [lesson for lesson_id, (lesson, _) in by_id.items() if lesson_id not in failed], errors


def _cycles(graph: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each lesson on a requires cycle, mapped to that cycle written from itself back to itself."""
    found: dict[str, tuple[str, ...]] = {}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            loop = path[path.index(node):]
            for i, member in enumerate(loop):
                found.setdefault(member, tuple(loop[i:] + loop[:i] + [member]))
            return
        if node in done or node not in graph:
            return
        path.append(node)
        for required in graph[node]:
            visit(required, path)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found
