"""Rendering the learner's objects for the shell's own messages, under a guard.

A ``__repr__`` or ``__str__`` is the learner's code: it may raise, call ``exit()``
or loop forever.  When the shell itself shows such an object (a task's result in
%tasks, an exception in a report), that must cost one odd-looking value, never
the shell.  The time bound works like Ctrl-C: a timer thread interrupts the main
thread, where the rendering runs.
"""

from __future__ import annotations

import signal
import threading
from typing import Any, Callable

#: How long the shell waits for one object's text before it gives up on it.
RENDER_LIMIT = 1.0


class _TooSlow(BaseException):
    """Raised in the main thread when a rendering runs past its time."""


def _repr_failed(why: str) -> str:
    return f"<repr failed: {why}>"


def rendered(render: Callable[[], str], *, limit: float = RENDER_LIMIT,
             failed: Callable[[str], str] = _repr_failed) -> str:
    """``render()``, or ``failed(why)`` when it raises anything or takes longer than ``limit`` seconds."""
    on_main = threading.current_thread() is threading.main_thread()
    if not on_main or not hasattr(signal, "pthread_kill"):
        return _caught(render, failed)
    timer = threading.Timer(limit, signal.pthread_kill, (threading.main_thread().ident or 0, signal.SIGINT))
    timer.daemon = True
    previous = signal.signal(signal.SIGINT, _too_slow)
    timer.start()
    try:
        return _caught(render, failed)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)


def _caught(render: Callable[[], str], failed: Callable[[str], str]) -> str:
    try:
        text = render()
        return text if isinstance(text, str) else failed(f"returned {type(text).__name__}")
    except _TooSlow:
        return failed("took too long")
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from a __repr__ too
        return failed(f"{type(exc).__name__}")


def _too_slow(signum: int, frame: Any) -> None:
    raise _TooSlow
