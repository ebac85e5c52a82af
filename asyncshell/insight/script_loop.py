"""``asyncio.run(main())`` inside a plain function: run as a script would, on a fresh loop in a helper thread.

A tutorial's ``def download(): asyncio.run(main())`` fails in any running loop
("cannot be called from a running event loop"), and ``await`` is not allowed in a
plain ``def``.  A script runs it fine, so the shell does what the script does: a
new event loop, on a thread of its own, while the shell's loop waits for it.
Ctrl-C still stops it: the shell's KeyboardInterrupt cancels what runs there.

The rewrite in ``rewrite.py`` routes such calls, made inside a plain function
typed at the prompt, through ``Shim.in_function``, which calls ``run_elsewhere``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine

#: How long a cancelled helper loop may take to wind down after Ctrl-C.
CANCEL_GRACE = 1.5


def run_elsewhere(main: Coroutine[Any, Any, Any], *, debug: bool | None = None) -> Any:
    """``asyncio.run(main)`` on a fresh loop in a helper thread; this thread waits, and Ctrl-C here stops it."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            with asyncio.Runner(debug=debug) as runner:
                box["loop"] = runner.get_loop()
                box["value"] = runner.run(main)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, in its thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="asyncshell-script-loop", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.05)  # short waits, so a KeyboardInterrupt from the shell arrives here
    except BaseException:
        loop = box.get("loop")
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(_cancel_everything, loop)
            except RuntimeError:  # closed meanwhile
                pass
        thread.join(CANCEL_GRACE)
        raise
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _cancel_everything(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()
