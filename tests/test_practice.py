"""The practice server as the shell offers it: %server, BASE_URL for the learner's aiohttp code, `asyncshell serve`."""

from __future__ import annotations

import io
import signal
import subprocess
import urllib.request
from pathlib import Path

from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.practice_server import PracticeServer
from asyncshell.repl.session import Session
from support import child_env, installed_asyncshell, run_inputs

FETCH_THREE = (
    "import aiohttp\n"
    "async def fetch_three():\n"
    "    async with aiohttp.ClientSession() as client:\n"
    "        async def one(i):\n"
    "            async with client.get(f'{BASE_URL}/json?n={i}') as response:\n"
    "                return len((await response.json())['items'])\n"
    "        return await asyncio.gather(*(one(i) for i in (1, 2, 3)))\n"
)


def server_session() -> tuple[Session, io.StringIO]:
    out = io.StringIO()
    console = Console(out)
    commands = CommandRegistry()
    commands.lazy("server", "practice server", "%server", "asyncshell.practice:server_command")
    return Session(Evaluator(write=console.write), console, commands=commands, interactive=False), out


async def test_server_start_gives_base_url_and_counts_what_the_learner_fetched() -> None:
    session, out = server_session()
    transcript = await run_inputs(
        ["%server", "%server start", FETCH_THREE, "await fetch_three()", "%server", "%server reset", "%server stop", "%server"],
        session=session,
    )
    text = out.getvalue()
    assert text.startswith("The practice server is not running; %server start starts it on 127.0.0.1.\n")
    assert "The practice server is running at http://127.0.0.1:" in text
    assert "[1, 2, 3]\n" in text
    assert "requests 3 · in flight 0 · peak in flight" in text
    assert "by path: /json 3" in text
    assert "Request stats zeroed.\nThe practice server stopped.\nThe practice server is not running" in text
    assert "BASE_URL" not in session.evaluator.namespace
    assert transcript.code == 0


async def test_the_server_stops_when_the_session_ends() -> None:
    session, out = server_session()
    await run_inputs(["%server start"], session=session)
    server = session.features.get(PracticeServer)
    assert server is not None
    assert not server.running


async def test_server_bad_arguments_are_one_line() -> None:
    session, out = server_session()
    await run_inputs(["%server start 99999", "%server start abc", "%server frob"], session=session)
    assert out.getvalue().splitlines() == [
        "PORT must be between 0 and 65535, got 99999",
        "PORT must be a whole number, got 'abc'",
        "Unknown %server action 'frob'; use %server, %server start [PORT], %server stop or %server reset.",
    ]


def test_asyncshell_serve_runs_alone_until_ctrl_c(asyncshell_home: Path) -> None:
    proc = subprocess.Popen(
        [installed_asyncshell(), "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env(asyncshell_home),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Practice server listening on http://127.0.0.1:")
        url = line.split()[4]
        with urllib.request.urlopen(f"{url}/status/204", timeout=10) as response:
            assert response.status == 204
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
    finally:
        proc.kill()


async def test_a_blocking_client_gets_its_answer_and_the_stall_is_reported() -> None:
    """The server runs on a loop of its own, as a remote one would: stopping the learner's loop cannot starve it."""
    from asyncshell.insight.watchdog import install_watchdog

    session, out = server_session()
    watchdog = install_watchdog(session, threshold=0.1)
    try:
        await run_inputs(
            [
                "%server start",
                "import urllib.request",
                "urllib.request.urlopen(BASE_URL + '/delay/0', timeout=5).read()[:1]",
                "async def get():\n    return urllib.request.urlopen(BASE_URL + '/delay/0.4', timeout=5).status",
                "await get()",
            ],
            session=session,
        )
    finally:
        watchdog.stop()
        server = session.features.get(PracticeServer)
        assert server is not None
        stats = server.stats()
        await server.stop()
    text = out.getvalue()
    assert "b'{'\n" in text and "200\n" in text
    assert "`return urllib.request.urlopen(BASE_URL + '/delay/0.4', timeout=5).status` in `get()`" in text
    assert "blocked the event loop for about" in text
    assert (stats.total_requests, stats.in_flight, dict(stats.statuses)) == (2, 0, {200: 2})


async def test_the_server_as_a_learner_sees_it_an_index_page_and_the_endpoints_in_server() -> None:
    session, out = server_session()
    await run_inputs(
        ["%server", "%server start", "import urllib.request", "page = urllib.request.urlopen(BASE_URL + '/').read().decode()",
         "page.splitlines()[0]", "'JSON {slept} after that many seconds (0-30)' in page", "page.splitlines()[-1]",
         "%server", "%server stop"],
        session=session,
    )
    text = out.getvalue()
    assert text.count("  GET /delay/{seconds}        JSON {slept} after that many seconds (0-30)\n") == 2
    assert "'The asyncshell practice server: endpoints for practising HTTP clients offline.'\nTrue\n" in text
    assert "'Every endpoint also takes ?delay=SECONDS (up to 30 s) before it answers.'" in text
    assert "requests 0 ·" in text  # the index page is not counted, like /stats
    assert "statuses:" not in text and "server.stats()" not in text
