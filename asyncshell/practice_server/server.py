"""Starting and stopping the practice server: on a thread of its own (PracticeServer), or alone (serve_forever)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import logging
import signal
import threading
import time
import weakref
from typing import Any, Callable, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from asyncshell.errors import UsageError
from asyncshell.practice_server import handlers
from asyncshell.practice_server.app import make_app
from asyncshell.practice_server.stats import ServerStats, StatsRecorder

HOST = "127.0.0.1"  # never 0.0.0.0: the practice server is for this machine only
# How long stop() lets in-flight requests finish before cancelling them; a
# learner typing "%server stop" should not wait out a /delay/30.
SHUTDOWN_GRACE = 0.25
# Our own logger rather than aiohttp.server, so that a learner's own aiohttp
# server logs are untouched and a real bug in ours is named as ours.
LOGGER = logging.getLogger("asyncshell.practice_server")
# The most the shell waits on the server's thread to start, stop, or read its stats.
THREAD_TIMEOUT = 5.0
# A connection must send a whole request within this, and may then sit idle this long between requests.
HEADER_TIMEOUT = 10.0
KEEPALIVE_TIMEOUT = 15.0

_T = TypeVar("_T")


class PracticeServer:
    """The practice server, on an event loop and a thread of its own, listening on 127.0.0.1 only.

    Like a remote server: a learner's blocking client (``urllib.request``,
    ``requests``) still gets its answer while it stops the learner's loop, and
    the server's work never shows in the learner's timeline or timings.  Stats
    live as long as this object: they survive stop() and start() and are
    zeroed only by reset().
    """

    def __init__(self) -> None:
        self._recorder = StatsRecorder()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listening: _Listening | None = None
        self._url: str | None = None
        self._lock: asyncio.Lock | None = None  # start and stop must not interleave; made on the caller's loop

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
        async with self._guard():
            if self._url is not None:
                return self._url
            loop = self._start_thread()
            try:
                opening = asyncio.run_coroutine_threadsafe(_Listening.open(self._recorder, port), loop)
                self._listening = await asyncio.wait_for(asyncio.wrap_future(opening), THREAD_TIMEOUT)
                self._url = self._listening.url
            except BaseException:
                self._end_thread()
                raise
            return self._url

    async def stop(self) -> None:
        """Stop listening, end open connections and the server's thread; does nothing when not running."""
        async with self._guard():
            listening, loop = self._listening, self._loop
            if listening is None or loop is None:
                return
            try:
                closing = asyncio.run_coroutine_threadsafe(listening.close(), loop)
                # Shielded so that a Ctrl-C during stop cannot leave the port bound.
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(closing)), THREAD_TIMEOUT)
            finally:
                self._listening, self._url = None, None
                self._end_thread()

    def stats(self) -> ServerStats:
        """A snapshot of what the server has seen: ``s.requests_for('/tiles/')``, ``s.peak_in_flight``.

        Taken on the server's thread, between requests, so every counter agrees with the others.
        """
        return self._on_server_thread(self._recorder.snapshot)

    def reset(self) -> None:
        """Zero the stats, e.g. before a lesson's exercise runs."""
        self._on_server_thread(self._recorder.reset)

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def _on_server_thread(self, read: Callable[[], _T]) -> _T:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive() or threading.current_thread() is thread:
            return read()
        answer: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            try:
                answer.set_result(read())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                answer.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return answer.result(THREAD_TIMEOUT)

    def _start_thread(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_serve_on, args=(loop,), name="asyncshell-practice-server", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        return loop

    def _end_thread(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(THREAD_TIMEOUT)


def _serve_on(loop: asyncio.AbstractEventLoop) -> None:
    """The server thread: its loop runs until ``stop``, then closes."""
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(_quiet_loop_errors)
    try:
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


class _Listening:
    """The app served on 127.0.0.1: aiohttp's runner, behind an asyncio server of our own.

    Our own server, rather than aiohttp's TCPSite, so that each connection gets a
    deadline: one that has not sent a whole request within ``HEADER_TIMEOUT`` is
    closed.  Half-sent requests held open for good used to lock real clients out
    once the process ran out of file descriptors.
    """

    def __init__(self, runner: web.AppRunner, server: asyncio.base_events.Server, url: str) -> None:
        self.runner, self.server, self.url = runner, server, url

    @classmethod
    async def open(cls, recorder: StatsRecorder, port: int) -> _Listening:
        app = make_app(recorder)
        runner = web.AppRunner(
            app,
            access_log=None,  # no line per request in the learner's shell
            handler_cancellation=True,  # a client that hangs up frees its handler
            shutdown_timeout=SHUTDOWN_GRACE,
            keepalive_timeout=KEEPALIVE_TIMEOUT,
            logger=LOGGER,
        )
        await runner.setup()
        loop = asyncio.get_running_loop()
        started = app[handlers.STARTED]
        factory = runner.server
        assert factory is not None  # set up above

        def connection() -> asyncio.Protocol:
            protocol = factory()
            loop.call_later(HEADER_TIMEOUT, _close_if_silent, protocol, started)
            return protocol

        try:
            server = await loop.create_server(connection, HOST, port, reuse_address=True)
        except OSError as exc:
            await runner.cleanup()
            raise UsageError(_bind_problem(port, exc)) from None
        except BaseException:
            await runner.cleanup()
            raise
        return cls(runner, server, f"http://{HOST}:{server.sockets[0].getsockname()[1]}")

    async def close(self) -> None:
        self.server.close()
        await self.runner.cleanup()  # ends open connections, after SHUTDOWN_GRACE for those mid-request


def _close_if_silent(protocol: asyncio.BaseProtocol, started: weakref.WeakSet[asyncio.BaseTransport]) -> None:
    transport = getattr(protocol, "transport", None)
    if transport is not None and transport not in started and not transport.is_closing():
        transport.close()


class _OneLine(logging.Filter):
    """What aiohttp logs about a connection becomes one line at most, and one a second at most.

    A malformed request is the client's problem and says nothing; a real bug in a
    handler is one line, without aiohttp's traceback, in the learner's terminal.
    """

    def __init__(self) -> None:
        super().__init__()
        self._last = -1.0

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if record.levelno < logging.WARNING or isinstance(exc, (HttpProcessingError, ConnectionError)):
            return False
        now = time.monotonic()
        if now - self._last < 1.0:
            return False
        self._last = now
        if exc is not None:
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


LOGGER.addFilter(_OneLine())


def _quiet_loop_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The server loop's own errors (e.g. accept() out of file descriptors), through the same one-line filter."""
    exc = context.get("exception")
    LOGGER.error(context.get("message", "error in the practice server"), exc_info=exc if isinstance(exc, BaseException) else None)


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
