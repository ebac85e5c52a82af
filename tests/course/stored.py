"""What the progress file keeps that no screen shows (each attempt's code, each quiz reply), read straight from SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def _rows(path: Path | None, sql: str, *params: str) -> list[tuple[Any, ...]]:
    assert path is not None, "an in-memory store has no file to read"
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def attempts(path: Path | None, lesson: str, step: str) -> list[tuple[Any, ...]]:
    """``(lesson, step, at, result, code, detail)`` for each run of one step, oldest first."""
    return _rows(path, "SELECT lesson, step, at, result, code, detail FROM attempts"
                       " WHERE lesson = ? AND step = ? ORDER BY id", lesson, step)


def quiz_answers(path: Path | None, lesson: str, step: str) -> list[tuple[Any, ...]]:
    """``(lesson, step, at, correct, answer)`` for each answer to one quiz, oldest first."""
    return _rows(path, "SELECT lesson, step, at, correct, answer FROM quiz_answers"
                       " WHERE lesson = ? AND step = ? ORDER BY id", lesson, step)


def count(path: Path | None, table: str) -> int:
    """How many rows a table of the store holds."""
    return int(_rows(path, f"SELECT COUNT(*) FROM {table}")[0][0])
