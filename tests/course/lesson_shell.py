"""A learner at a real Session with the lesson %commands, over a small lesson of our own (``DEMO``)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from asyncshell.course.catalog import load_lessons
from asyncshell.course.progress import StepStatus
from asyncshell.course.tutor import Tutor, tutor_for
from asyncshell.features import register
from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.session import Session
from support import run_inputs

DEMO = """\
format: 1
id: demo
title: Demo lesson
summary: A bit of everything.
order: 1
steps:
  - type: text
    body: Coroutines are *lazy*.
  - type: example
    body: Run this one.
    code: |
      shown = "the example ran"
  - type: quiz
    question: What does calling an `async def` function give you?
    choices:
      - Its return value
      - A coroutine object
      - A task that is already running
    answer: 2
    explanation: Nothing runs until it is awaited.
  - type: exercise
    id: greet
    body: Write `async def greet(name)` returning "hello, <name>".
    setup: |
      greeting = "hello"
    starter: |
      async def greet(name):
          ...
    hints:
      - It is a coroutine function.
      - Use the name `greeting`.
    check: |
      assert await greet("ada") == "hello, ada"
    solution: |
      async def greet(name):
          return f"{greeting}, {name}"
    timeout: 5
  - type: exercise
    id: shout
    body: Write `async def shout(name)` that returns `greet(name)` in capitals.
    hints: [Await greet., Then call upper().]
    check: |
      assert await shout("ada") == "HELLO, ADA"
    solution: |
      async def shout(name):
          return (await greet(name)).upper()
  - type: text
    body: That is all.
"""

GREET = "async def greet(name):\n    return f'{greeting}, {name}'"
SHOUT = "async def shout(name):\n    return (await greet(name)).upper()"


def listed_state(listing: str, lesson_id: str) -> str | None:
    """The progress column of a lesson's row in the %lessons table."""
    for line in listing.splitlines():
        row = re.fullmatch(rf"\s*\d+\s+{lesson_id}\s+.*?\s+\d+\s+(.+)", line)
        if row:
            return row[1]
    return None


def lesson_registry() -> CommandRegistry:
    """The lesson commands registered as the shell registers them: lazily, by target."""
    commands = CommandRegistry()
    register(commands, "course")
    return commands


class Shell:
    """One learner's session over the lessons in ``folder``; ``type`` returns what the new inputs printed."""

    def __init__(self, folder: Path | None, *, color: bool = False) -> None:
        """``folder`` None: the lessons the shell finds by itself (the catalog)."""
        self.folder = folder
        self.color = color
        self.stream = io.StringIO()
        self.session: Session | None = None
        self._seen = 0

    async def type(self, *inputs: str) -> str:
        if self.session is None:
            console = Console(self.stream, self.stream, color=self.color)
            self.session = Session(Evaluator(write=console.write), console, commands=lesson_registry(),
                                   interactive=False)
            if self.folder is not None:
                folder = self.folder
                session = self.session
                tutor = session.features.get_or_make(Tutor, lambda: Tutor(session, load=lambda: load_lessons([folder])))
                session.hooks.cleanups.append(tutor.close)
        for text in inputs:  # one live session: inputs go in, nothing ends it between calls
            await self.session.handle(text)
        text = self.stream.getvalue()
        new, self._seen = text[self._seen:], len(text)
        return new

    async def end(self) -> None:
        """Leave the session as a learner would (Ctrl-D): leftover tasks cancelled, cleanups run."""
        assert self.session is not None
        await run_inputs([], session=self.session)

    @property
    def namespace(self) -> dict:
        assert self.session is not None
        return self.session.evaluator.namespace

    @property
    def tutor(self) -> Tutor:
        assert self.session is not None
        return tutor_for(self.session)

    def status(self, step: str, lesson: str = "demo") -> StepStatus:
        return self.tutor.store.step_status(lesson)[step]
