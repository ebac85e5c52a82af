"""The catalog: every lesson in the folders in use (``paths.lesson_dirs``), loaded as one course.

The loader keeps the first file it finds with an id, so the folders' order decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from asyncshell.course.loader import load_lessons
from asyncshell.course.model import LoadResult
from asyncshell.paths import lesson_dirs


def load_catalog(extra: Sequence[Path] = ()) -> LoadResult:
    """Every lesson in ``lesson_dirs(extra)``; files that fail are in ``.errors``."""
    return load_lessons(lesson_dirs(extra))
