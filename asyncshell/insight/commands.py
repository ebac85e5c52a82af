"""The %tasks, %cancel, %timeline and %blocking commands: thin handlers over the insight features.

``asyncshell.features`` lists them for lazy registration, so nothing here loads,
and nothing is attached to the loop, until a learner first types one.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from asyncshell.errors import UsageError
from asyncshell.insight import tasktable, tasktree
from asyncshell.insight.timeline import Recording, spans_for, timeline_for
from asyncshell.insight.timeline_render import render_svg, render_text
from asyncshell.insight.watchdog import install_watchdog
from asyncshell.text import terminal_width

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

def tasks(session: Session, arg: str) -> None:
    if arg == "--tree":
        roots = tasktree.build(session.evaluator.tasks, session.evaluator.loop)
        session.console.write(tasktree.render(roots, width=terminal_width()))
        return
    if arg not in ("", "-v", "--verbose"):
        raise UsageError("Usage: %tasks [-v | --tree]  (-v adds where each task is, frame by frame; --tree shows who awaits whom)")
    snap = tasktable.snapshot(session.evaluator.tasks, session.evaluator.loop)
    session.console.write(tasktable.render(snap, width=terminal_width(), verbose=bool(arg)))


def cancel(session: Session, arg: str) -> None:
    watch = session.evaluator.tasks
    if not arg:
        raise UsageError("Usage: %cancel ID|NAME|all  (%tasks lists them)")
    chosen = tasktable.find(watch, arg)
    if not chosen:
        alive = watch.alive()
        if not alive:
            raise UsageError(f"No task {arg!r}: none of your tasks is running.")
        names = ", ".join(f"{task.serial} {task.get_name()}" for task in alive)
        raise UsageError(f"No task {arg!r}. Running: {names}, or all.")
    for task in chosen:
        task.cancel()
    names = ", ".join(task.get_name() for task in chosen)
    gets = "each gets" if len(chosen) > 1 else "it gets"
    session.console.note(f"Cancelling {names}: {gets} CancelledError where it waits.")


def task_names(session: Session, arg: str) -> list[str]:
    """Tab after %cancel: the names of the learner's running tasks."""
    return [task.get_name() for task in session.evaluator.tasks.alive()]


def timeline(session: Session, arg: str) -> None:
    recorder = timeline_for(session)
    word, _, rest = arg.partition(" ")
    if word == "on":
        recorder.show = lambda recording: _show_after_input(session, recording)
        recorder.attach()
        session.console.note("Timeline on: each input's chart follows it. %timeline off stops.")
    elif word == "off":
        recorder.detach()
        session.console.note("Timeline off: nothing is recorded.")
    elif word == "--svg":
        path = rest.strip()
        if not path:
            raise UsageError("Usage: %timeline --svg FILE")
        recording = _last(session)
        try:
            Path(path).expanduser().write_text(render_svg(recording), encoding="utf-8")
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            raise UsageError(f"Could not write {path!r}: {getattr(exc, 'strerror', None) or exc}") from None
        session.console.note(f"Wrote the timeline of {recording.label} to {path}.")
    elif word == "":
        session.console.write(render_text(_last(session), width=terminal_width(), style=session.console.style))
    else:
        raise UsageError("Usage: %timeline [on|off|--svg FILE]")


def _last(session: Session) -> Recording:
    """The full recording while %timeline is on; otherwise the coarse one of the input just run."""
    timeline = timeline_for(session)
    recording = timeline.last if timeline.on else spans_for(session).last
    if recording is None:
        if not timeline.on and spans_for(session).too_many:
            raise UsageError("That input made too many tasks for a quick chart; %timeline on records inputs in full.")
        raise UsageError("No timeline yet: run an input first (%timeline on records each one in full).")
    return recording


def _show_after_input(session: Session, recording: Recording) -> None:
    """Chart an input that waited or started tasks; a plain ``def`` or ``x = 1`` has nothing to show."""
    if len(recording.rows) == 1 and len(recording.rows[0].steps) <= 2:
        return
    # After the session has shown the input's outcome, so the chart comes last.
    session.evaluator.loop.call_soon(
        lambda: session.console.write(render_text(recording, width=terminal_width(), style=session.console.style))
    )


_USAGE = "Usage: %blocking [SECONDS|on|off], e.g. %blocking 0.5; SECONDS between 0.01 and 3600."


def blocking(session: Session, arg: str) -> None:
    watchdog = install_watchdog(session)
    word = arg.strip().lower().removesuffix("s").strip()
    if word == "off":
        watchdog.threshold = None
    elif word == "on":
        watchdog.threshold = watchdog.last_threshold
    elif word:
        try:
            seconds = float(word)
        except ValueError:
            raise UsageError(_USAGE) from None
        if not (math.isfinite(seconds) and 0.01 <= seconds <= 3600):
            raise UsageError(_USAGE)
        watchdog.threshold = seconds
    if watchdog.threshold is not None:
        session.console.note(f"Blocking detector: on; a step that holds the event loop for more than {watchdog.threshold:g} s is reported.")
    else:
        session.console.note("Blocking detector: off. Turn it back on with %blocking on or %blocking SECONDS.")
