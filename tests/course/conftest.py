"""Lesson files for the course tests: a folder to write them in, a valid lesson to start from, and the demo lesson."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from asyncshell.course.progress import ProgressStore
from course.lesson_shell import DEMO, Shell

# Every step type once; line numbers matter to the tests, so edit with care.
FULL_LESSON = """\
format: 1
id: {id}
title: First steps
summary: Coroutines, awaiting, and your first exercise.
order: {order}
requires: {requires}
steps:
  - type: text
    body: |
      # Coroutines
      Calling an `async def` function gives you a *coroutine object*.
  - type: example
    body: Run this and look at what `main()` returns.
    code: |
      async def main():
          return 42
  - type: quiz
    question: What does `await` do?
    choices:
      - Blocks the thread
      - Suspends the coroutine until the result is ready
    answer: 2
    explanation: The loop runs other tasks meanwhile.
  - type: quiz
    id: sleep-name
    question: Which function pauses a coroutine without blocking the loop?
    answer: asyncio.sleep
    accept: [sleep]
    explanation: time.sleep would block every task.
  - type: exercise
    id: greet
    body: Write `async def greet(name)` that returns "hello, <name>".
    setup: |
      import asyncio
    starter: |
      async def greet(name):
          ...
    hints:
      - It is a coroutine function.
      - Use an f-string.
    check: |
      assert await greet("ada") == "hello, ada"
    solution: |
      async def greet(name):
          await asyncio.sleep(0)
          return f"hello, {{name}}"
    timeout: 5
"""


@pytest.fixture
def lesson_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that is also the working directory, so errors name files as ``lesson.yaml:3``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write_lesson(lesson_dir: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a lesson file and return its path relative to ``lesson_dir``."""

    def write(content: str | bytes, name: str = "lesson.yaml") -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def full_lesson() -> Callable[..., str]:
    """The text of a valid lesson using every step type, with the id, order and requires you ask for."""

    def make(id: str = "intro", order: int = 1, requires: tuple[str, ...] = ()) -> str:
        return FULL_LESSON.format(id=id, order=order, requires="[" + ", ".join(requires) + "]")

    return make


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO, encoding="utf-8")
    return folder


@pytest.fixture
def add_lesson(lessons: Path) -> Callable[[str, str], Path]:
    """Put another lesson file beside the demo one; the folder, for ``Shell``."""

    def add(text: str, name: str) -> Path:
        (lessons / name).write_text(text, encoding="utf-8")
        return lessons

    return add


@pytest.fixture
def shell(lessons: Path) -> Shell:
    return Shell(lessons)


# -- progress stores on a file of the test's own, with a clock the test moves


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
