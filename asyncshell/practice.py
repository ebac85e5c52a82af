"""The practice server in the shell: one per session, shared by %server and lessons; and `asyncshell serve`.

The server package itself knows nothing of the shell; this module gives it a
home in a session: ``BASE_URL`` in the namespace, ``server`` for checks, and a
clean stop when the session ends.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from asyncshell.errors import UsageError

if TYPE_CHECKING:
    from asyncshell.practice_server import PracticeServer
    from asyncshell.repl.session import Session


def running_server(session: "Session") -> "PracticeServer | None":
    """The session's practice server if it is running; never starts one (nor loads aiohttp)."""
    if "asyncshell.practice_server" not in sys.modules:
        return None
    from asyncshell.practice_server import PracticeServer

    server = session.features.get(PracticeServer)
    return server if server is not None and server.running else None


async def ensure_server(session: "Session", port: int = 0) -> "PracticeServer":
    """The session's practice server, started if need be, with ``BASE_URL`` set for the learner."""
    from asyncshell.practice_server import PracticeServer  # aiohttp loads on first use only

    server = session.features.get(PracticeServer)
    if server is None:
        server = session.features.get_or_make(PracticeServer, PracticeServer)
        session.hooks.cleanups.append(server.stop)
    url = await server.start(port)
    session.evaluator.namespace["BASE_URL"] = url
    return server


async def server_command(session: "Session", arg: str) -> None:
    """%server [start [PORT] | stop | reset]: the practice server's URL, state and request stats."""
    action, _, rest = arg.partition(" ")
    server = running_server(session)
    if action == "start":
        port = _port(rest.strip() or "0")
        was_running = server is not None
        server = await ensure_server(session, port)
        verb = "is already running" if was_running else "is running"
        session.console.write(f"The practice server {verb} at {server.url}; BASE_URL holds it.\n")
    elif action == "stop":
        if server is None:
            session.console.write("The practice server is not running.\n")
            return
        await server.stop()
        session.evaluator.namespace.pop("BASE_URL", None)
        session.console.write("The practice server stopped.\n")
    elif action == "reset":
        if server is None:
            raise UsageError("The practice server has not been started; %server start starts it.")
        server.reset()
        session.console.write("Request stats zeroed.\n")
    elif action == "":
        session.console.write(_status(server))
    else:
        raise UsageError(f"Unknown %server action {action!r}; use %server, %server start [PORT], %server stop or %server reset.")


def _status(server: "PracticeServer | None") -> str:
    from asyncshell.practice_server.handlers import endpoint_rows

    endpoints = ["", "Endpoints (each also takes ?delay=SECONDS):", *endpoint_rows()]
    if server is None:
        lines = ["The practice server is not running; %server start starts it on 127.0.0.1."]
        return "\n".join(lines + endpoints) + "\n"
    stats = server.stats()
    busiest = sorted(stats.requests.items(), key=lambda item: (-item[1], item[0]))[:5]
    lines = [
        f"Practice server at {server.url} (BASE_URL), running.",
        f"  requests {stats.total_requests} · in flight {stats.in_flight} · peak in flight {stats.peak_in_flight}"
        f" · bytes sent {stats.bytes_sent} · aborted {stats.aborted}",
    ]
    if busiest:
        lines.append("  by path: " + ", ".join(f"{path} {count}" for path, count in busiest))
    if stats.statuses:
        lines.append("  statuses: " + ", ".join(f"{code} ×{count}" for code, count in sorted(stats.statuses.items())))
    lines.append("  %server reset zeroes these counts.")
    return "\n".join(lines + endpoints) + "\n"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise UsageError(f"PORT must be a whole number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise UsageError(f"PORT must be between 0 and 65535, got {port}")
    return port


def serve_command(args: argparse.Namespace) -> int:
    """``asyncshell serve [--port N]``: the practice server alone, in the foreground."""
    from asyncshell.practice_server import serve_forever

    return serve_forever(args.port)
