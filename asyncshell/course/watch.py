"""``%watch``: solve an exercise in your own editor; every save runs the file and checks it.

rustlings' way of working.  The file lives under the data home (the one ``%edit``
uses), with the task on top as a comment.  The shell polls it with ``os.stat`` on
the live loop, so it works on network drives and in WSL, where file events often
never arrive; and since some filesystems keep modification times to the second or
coarser, the file's text is compared too, every few polls.  ``%watch`` typed again
runs the file now, whatever the clock says (rustlings' manual fallback).

Moving to another step moves the watch along: to the next exercise's file, or it
stops at a step that is not an exercise.  ``%watch off`` stops it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from asyncshell.course.model import ExerciseStep, Step
from asyncshell.course.tutor import Tutor, tutor_for
from asyncshell.errors import UsageError

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

#: Seconds between two looks at the file; every ``_READ_EVERY`` looks its text is compared as well.
POLL = 0.5
_READ_EVERY = 4
_TASK_MARK = "# %watch: "


class Watch:
    """The session's one watch: which file, and the task polling it."""

    def __init__(self, session: Session, tutor: Tutor) -> None:
        self.session = session
        self.tutor = tutor
        self.path: Path | None = None
        self._step: Step | None = None
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) last looked at
        self._ran: str | None = None  # the digest of the text last run
        self._polling: asyncio.Task[None] | None = None
        self._looks = 0

    @property
    def on(self) -> bool:
        return self._polling is not None and not self._polling.done()

    def start(self) -> None:
        """Watch the exercise on screen: write its file, say where it is, and look at it every ``POLL`` seconds."""
        step = self.tutor.step
        if not isinstance(step, ExerciseStep) or self.tutor.lesson is None:
            raise UsageError("%watch works at an exercise: it opens the exercise in a file your editor can change.")
        self._follow(step)
        if not self.on:
            self._polling = asyncio.get_running_loop().create_task(self._poll(), name="asyncshell-watch")

    def stop(self, why: str = "") -> None:
        if self._polling is not None:
            self._polling.cancel()
            self._polling = None
        if why:
            self.session.console.note(why)

    async def run_now(self) -> None:
        """Run and check the file whatever the polling saw: for filesystems whose changes it cannot see."""
        if self.path is not None:
            await self._run(self.path.read_text(encoding="utf-8", errors="replace"))

    def _follow(self, step: ExerciseStep) -> None:
        """Point the watch at ``step``'s file (made now if need be, the task on top) and say where it is."""
        lesson = self.tutor.lesson
        assert lesson is not None
        path = self.tutor.workspace.edit_file(lesson.id, step)
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.startswith(_TASK_MARK):
            task = [f"{_TASK_MARK}{lesson.title}, exercise '{step.id}'. Save this file to run and check it;",
                    f"{_TASK_MARK}%watch off stops. The task:", *(f"#   {line}".rstrip() for line in step.body.splitlines())]
            path.write_text("\n".join(task) + "\n\n" + text, encoding="utf-8")
        self.path, self._step = path, step
        self._seen = _stat(path)
        self._ran = _digest(path.read_text(encoding="utf-8", errors="replace"))
        self.session.console.note(f"Watching exercise '{step.id}': edit and save this file, and it runs and is checked:")
        self.session.console.write(f"{path}\n")

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL)
            step = self.tutor.step
            if step is not self._step:  # the learner moved on (a pass, %next, %skip, %back)
                if isinstance(step, ExerciseStep) and self.tutor.lesson is not None:
                    self._follow(step)
                else:
                    self._polling = None
                    self.session.console.note("The watch stopped: this step is not an exercise. %watch at the next one.")
                    return
                continue
            path = self.path
            if path is None:
                continue
            self._looks += 1
            seen = _stat(path)
            if seen == self._seen and self._looks % _READ_EVERY:
                continue
            self._seen = seen
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue  # an editor between deleting and writing the file: look again next time
            if _digest(text) != self._ran:
                await self._run(text)

    async def _run(self, text: str) -> None:
        self._ran = _digest(text)
        if not text.strip():
            return
        assert self.path is not None
        session = self.session
        session.console.note(f"{self.path.name} changed: running it, then %check.")
        # Bounded like the check: Ctrl-C reaches the prompt, not this run, and typed inputs wait for it.
        timeout = self._step.timeout if isinstance(self._step, ExerciseStep) else None
        outcome = await session.evaluator.run(text, str(self.path), timeout=timeout)
        session.show(outcome)
        if outcome.kind == "ok":
            await self.tutor.check()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


async def watch_command(session: Session, arg: str) -> None:
    """%watch [off]: watch the exercise's file; typed again while watching, run it now."""
    watch = session.features.get(Watch)
    if watch is None:
        watch = session.features.get_or_make(Watch, lambda: Watch(session, tutor_for(session)))
        session.hooks.cleanups.append(watch.stop)
    if arg == "off":
        if not watch.on:
            raise UsageError("Nothing is being watched; %watch at an exercise starts.")
        watch.stop("The watch stopped; your file stays where it is.")
        return
    if arg:
        raise UsageError("Usage: %watch [off]")
    if watch.on and watch.tutor.step is watch._step:
        await watch.run_now()
        return
    watch.start()
