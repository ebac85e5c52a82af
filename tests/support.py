"""Helpers the tests share: run inputs through a session, find the installed command."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path
from typing import Iterable

import pytest

from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.session import Session


class Transcript:
    """What a session wrote, and how it ended."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.code: int | None = None
        self.session: Session | None = None

    @property
    def stdout(self) -> str:
        return self.out.getvalue()

    @property
    def stderr(self) -> str:
        return self.err.getvalue()


async def run_inputs(inputs: Iterable[str], *, session: Session | None = None) -> Transcript:
    """Feed inputs to a Session as a reader would (no terminal), until they run out."""
    transcript = Transcript()
    if session is None:
        console = Console(transcript.out, transcript.err, color=False)
        session = Session(Evaluator(write=console.write), console, interactive=False)
    transcript.session = session
    pending = iter(list(inputs))

    async def reader() -> str | None:
        return next(pending, None)

    transcript.code = await session.run(reader)
    return transcript


def installed_asyncshell() -> str:
    """The console script of the environment running the tests: what a user would run."""
    script = Path(sys.executable).with_name("asyncshell")
    if script.exists():
        return str(script)
    found = shutil.which("asyncshell")
    if not found:
        pytest.fail("the asyncshell command is not installed in this environment")
    return found


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, ASYNCSHELL_HOME=str(home), PYTHONUNBUFFERED="1")
    env.pop("NO_COLOR", None)  # colour is on unless a test asks for NO_COLOR
    env.update(extra)
    return env
