"""The one live event loop: runs the shell on it, routes Ctrl-C, and closes it cleanly.

Like CPython's asyncio REPL, a KeyboardInterrupt or SystemExit that escapes the
loop (raised inside a user's background task) does not end the session: the loop
is simply run again, with every other task where it was.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import Any, Coroutine

from asyncshell.repl.session import Session

#: How long each step of closing the loop may take before what is left is left behind.
CLOSE_GRACE = 1.0


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
                if task.done():
                    return 70  # the session itself ended this way: a bug of ours, never a loop forever
                session.show_exit(exc)
    finally:
        signal.signal(signal.SIGINT, previous)
        close_loop(loop)


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left, shut down async generators and the thread pool: each within a bound.

    A task that swallows its cancellation, or a thread stuck in ``time.sleep(100)``,
    must not keep the shell from leaving; what is still running then is left behind
    (``leave_now`` ends the process without waiting for such threads).
    """
    try:
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.wait(leftovers, timeout=CLOSE_GRACE))
        loop.run_until_complete(asyncio.wait([loop.create_task(loop.shutdown_asyncgens())], timeout=CLOSE_GRACE))
        loop.run_until_complete(asyncio.wait([loop.create_task(loop.shutdown_default_executor())], timeout=CLOSE_GRACE))
    finally:
        # Tasks left pending would each log "Task was destroyed but it is pending!" when collected.
        loop.set_exception_handler(lambda loop, context: None)
        asyncio.set_event_loop(None)
        loop.close()


def threads_left_behind() -> list[threading.Thread]:
    """Threads that would keep the process from ending (a learner's ``to_thread`` still sleeping)."""
    return [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
