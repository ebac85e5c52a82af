"""Starting and stopping the practice server: on the caller's loop (PracticeServer), or alone (serve_forever)."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from typing import Callable

from aiohttp import web

from asyncshell.errors import UsageError
from asyncshell.practice_server.app import make_app
from asyncshell.practice_server.stats import ServerStats, StatsRecorder

HOST = "127.0.0.1"  # never 0.0.0.0: the practice server is for this machine only
# How long stop() lets in-flight requests finish before cancelling them; a
# learner typing "%server stop" should not wait out a /delay/30.
SHUTDOWN_GRACE = 0.25
# Our own logger rather than aiohttp.server, so that a learner's own aiohttp
# server logs are untouched and a real bug in ours is named as ours.
LOGGER = logging.getLogger("asyncshell.practice_server")


class PracticeServer:
    """The practice server on the running event loop, listening on 127.0.0.1 only.

    Stats live as long as this object: they survive stop() and start() and are
    zeroed only by reset().
    """

    def __init__(self) -> None:
        self._recorder = StatsRecorder()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._lock = asyncio.Lock()  # start and stop must not interleave

    @property
    def url(self) -> str | None:
        """``http://127.0.0.1:PORT`` while running, else None."""
        return self._url

    @property
    def running(self) -> bool:
        return self._url is not None

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1:``port`` (0 picks a free one) and return the base URL.

        Already running: returns the current URL and ignores ``port``.
        A port that cannot be used raises ``UsageError`` with a one-line reason.
        """
        if not 0 <= port <= 65535:
            raise UsageError(f"port must be between 0 and 65535, got {port}")
        async with self._lock:
            if self._url is not None:
                return self._url
            runner = web.AppRunner(
                make_app(self._recorder),
                access_log=None,  # no line per request in the learner's shell
                handler_cancellation=True,  # a client that hangs up frees its handler
                shutdown_timeout=SHUTDOWN_GRACE,
                logger=LOGGER,
            )
            await runner.setup()
            url = None
            try:
                try:
                    await web.TCPSite(runner, HOST, port).start()
                except OSError as exc:
                    raise UsageError(_bind_problem(port, exc)) from None
                url = f"http://{HOST}:{runner.addresses[0][1]}"
            finally:
                if url is None:
                    await runner.cleanup()
            self._runner, self._url = runner, url
            return url

    async def stop(self) -> None:
        """Stop listening and end open connections; does nothing when not running."""
        async with self._lock:
            runner = self._runner
            if runner is None:
                return
            try:
                # Shielded so that a Ctrl-C during stop cannot leave the port bound.
                await asyncio.shield(runner.cleanup())
            finally:
                self._runner, self._url = None, None

    def stats(self) -> ServerStats:
        """A snapshot of what the server has seen: ``s.requests_for('/tiles/')``, ``s.peak_in_flight``."""
        return self._recorder.snapshot()

    def reset(self) -> None:
        """Zero the stats, e.g. before a lesson's exercise runs."""
        self._recorder.reset()


def _say(line: str) -> None:
    # Flushed, so that a script reading our piped stdout gets the URL at once.
    print(line, flush=True)


def serve_forever(port: int = 0, write: Callable[[str], object] = _say) -> int:
    """Run the practice server alone until Ctrl-C or SIGTERM; returns the exit code.

    This backs ``asyncshell serve``: 0 after a clean stop, 1 (after writing a
    one-line reason) when the port cannot be used.
    """
    try:
        return asyncio.run(_serve(port, write))
    except KeyboardInterrupt:
        # Only where signal handlers cannot be installed (Windows); stopping
        # on purpose is still a success.
        return 0


async def _serve(port: int, write: Callable[[str], object]) -> int:
    server = PracticeServer()
    try:
        url = await server.start(port)
    except UsageError as exc:
        write(f"asyncshell serve: {exc}")
        return 1
    try:
        write(f"Practice server listening on {url} (Ctrl-C to stop)")
        await _until_stop_signal()
    finally:
        await server.stop()
    return 0


async def _until_stop_signal() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # Windows, or not the main thread
        installed.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _bind_problem(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {HOST} is already in use; choose another port, or 0 for any free one"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port} (ports below 1024 need privileges); choose another port"
    return f"cannot listen on {HOST}:{port}: {exc.strerror or exc}"
