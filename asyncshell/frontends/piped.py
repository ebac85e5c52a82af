"""Reading inputs from a pipe or a file: no UI, lines grouped into inputs as a paste would be.

Lines are read one at a time on a daemon thread, only when the shell wants the
next input, so user code that calls ``input()`` still gets its own line and an
exit never waits on a blocked read.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Callable, TextIO

from asyncshell.repl.statements import StatementSplitter


class PipedReader:
    """A session ``Reader`` over a text stream; returns None at end of input."""

    def __init__(self, stream: Callable[[], TextIO]) -> None:
        self._stream = stream  # looked up for every line: the shell may have put back a stdin code closed
        self._splitter = StatementSplitter()
        self._ready: list[str] = []
        self._requests: queue.SimpleQueue[asyncio.Future[str]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._eof = False

    async def __call__(self) -> str | None:
        while not self._ready and not self._eof:
            line = await self._read_line()
            if line:
                self._ready += self._splitter.feed(line)
            else:
                self._eof = True
                self._ready += self._splitter.flush()
        return self._ready.pop(0) if self._ready else None

    async def _read_line(self) -> str:
        loop = asyncio.get_running_loop()
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, args=(loop,), name="asyncshell-stdin", daemon=True)
            self._thread.start()
        waiter: asyncio.Future[str] = loop.create_future()
        self._requests.put(waiter)
        return await waiter

    def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            waiter = self._requests.get()
            try:
                line = self._stream().readline()
            except (OSError, ValueError):  # closed, or bytes that are not text: end of input
                line = ""
            loop.call_soon_threadsafe(_settle, waiter, line)
            if not line:
                return


def _settle(waiter: "asyncio.Future[str]", line: str) -> None:
    if not waiter.done():
        waiter.set_result(line)
