"""The one live event loop: runs the shell on it, routes Ctrl-C, and closes it cleanly.

Like CPython's asyncio REPL, a KeyboardInterrupt or SystemExit that escapes the
loop (raised inside a user's background task) does not end the session: the loop
is simply run again, with every other task where it was.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any, Coroutine

from asyncshell.repl.session import Session


def run(loop: asyncio.AbstractEventLoop, session: Session, main: Coroutine[Any, Any, int]) -> int:
    """Run ``main`` on ``loop`` until it returns the exit status; always closes the loop."""
    asyncio.set_event_loop(loop)
    task = loop.create_task(main, name="asyncshell")
    previous = signal.signal(signal.SIGINT, lambda signum, frame: session.on_sigint())
    try:
        while True:
            try:
                return loop.run_until_complete(task)
            except KeyboardInterrupt:
                if task.done():
                    return 130
            except SystemExit as exc:  # sys.exit() in a background task
                session.show_exit(exc)
    finally:
        signal.signal(signal.SIGINT, previous)
        _close(loop)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    try:
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
