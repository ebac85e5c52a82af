"""The blocking detector as a learner meets it: which steps are reported, with what line and advice, and which are not.

Margins are wide on purpose (the machine running the tests may be busy): the
threshold is 0.1 s, a blocking step lasts 0.5 s, a healthy step at most a few ms.
"""

from __future__ import annotations

import asyncio
import http.server
import io
import re
import threading
import time
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest

from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.features import register
from asyncshell.insight.watchdog import Watchdog, install_watchdog
from asyncshell.repl.session import Session
from support import Transcript, run_inputs

FETCH = "import time\nasync def fetch():\n    x = 'before'\n    time.sleep(0.5)\n    return 'fetched'\n"
BUSY = "import time\nasync def crunch():\n    end = time.perf_counter() + 0.5\n    while time.perf_counter() < end:\n        pass\n"
REPORT = re.compile(r"blocked the event loop for about (\d+\.\d+) s")


@pytest.fixture
async def session() -> AsyncIterator[Session]:
    out = io.StringIO()
    console = Console(out, io.StringIO(), color=False)
    commands = CommandRegistry()
    register(commands, "insight")
    session = Session(Evaluator(write=console.write), console, commands=commands, interactive=False)
    watchdog = install_watchdog(session, threshold=0.1)
    yield session
    watchdog.stop()


async def run(session: Session, *inputs: str) -> Transcript:
    transcript = await run_inputs(inputs, session=session)
    transcript.out, transcript.err = session.console.out, session.console.err  # type: ignore[assignment]
    return transcript


def reports(text: str) -> list[str]:
    return [line for line in text.splitlines() if REPORT.search(line)]


async def test_time_sleep_in_a_coroutine_is_reported_after_the_step_with_its_line(session: Session) -> None:
    t = await run(session, FETCH, "await fetch()", "'next input'")
    [report] = reports(t.stdout)
    assert report.startswith("`time.sleep(0.5)` in `fetch()` (<input-1> line 4) blocked the event loop for ")
    assert 0.4 <= float(REPORT.search(report).group(1)) < 5  # type: ignore[union-attr]
    assert "In a coroutine, use `await asyncio.sleep(0.5)`." in report
    # Told once the loop turns again: after the step (its value is shown), before the next input.
    assert t.stdout.index("'fetched'") < t.stdout.index(report) < t.stdout.index("next input")


async def test_a_busy_loop_in_a_coroutine_gets_cpu_advice(session: Session) -> None:
    t = await run(session, BUSY, "await crunch()")
    [report] = reports(t.stdout)
    assert "in `crunch()` (<input-1> line " in report
    assert report.startswith(("`while time.perf_counter() < end:`", "`pass`"))
    assert "CPU work" in report and "asyncio.to_thread" in report and "process pool" in report


@pytest.fixture
def slow_server() -> Iterator[str]:
    """A local HTTP server that answers after 0.5 s, in a thread of its own."""

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(0.5)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_synchronous_http_call_in_a_coroutine_gets_http_advice(session: Session, slow_server: str) -> None:
    t = await run(session, "import urllib.request\nasync def get(url):\n    return urllib.request.urlopen(url).read()\n", f"await get({slow_server!r})")
    [report] = reports(t.stdout)
    assert report.startswith("`return urllib.request.urlopen(url).read()` in `get()` (<input-1> line 3) blocked the event loop for ")
    assert "aiohttp" in report and "`await asyncio.to_thread(urllib.request.urlopen, url)`" in report
    assert "b'ok'\n" in t.stdout


async def test_a_blocking_helper_names_the_coroutine_that_called_it(session: Session) -> None:
    t = await run(session, "import time\ndef work():\n    time.sleep(0.5)\n", "async def main():\n    work()\n", "await main()")
    [report] = reports(t.stdout)
    assert report.startswith("`time.sleep(0.5)` in `work()` (called from coroutine `main()`) (<input-1> line 3)")


async def test_a_blocking_coroutine_in_a_file_of_the_learners_is_reported_with_the_file(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "slowfetch.py").write_text("import time\n\n\nasync def fetch(url):\n    time.sleep(0.5)\n    return url\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    t = await run(session, "import slowfetch", "await slowfetch.fetch('x')")
    [report] = reports(t.stdout)
    assert report.startswith("`time.sleep(0.5)` in `fetch()` (slowfetch.py line 5) blocked the event loop for ")


async def test_a_background_task_that_blocks_is_reported_too(session: Session) -> None:
    t = await run(session, FETCH, "task = asyncio.create_task(fetch())", "await asyncio.sleep(1)")
    [report] = reports(t.stdout)
    assert "in `fetch()` (<input-1> line 4)" in report


async def test_two_blocking_coroutines_gathered_in_one_turn_of_the_loop_are_reported(session: Session) -> None:
    t = await run(session, "import time\nasync def nap():\n    time.sleep(0.3)\n", "await asyncio.gather(nap(), nap())")
    [report] = reports(t.stdout)
    assert report.startswith("`time.sleep(0.3)` in `nap()` (<input-1> line 3) blocked the event loop for ")


QUIET = {
    # Plain code at the prompt, no task of the learner's waiting: a script line, not a bug.
    "sleep at the prompt": ["import time", "time.sleep(0.5)"],
    "busy loop at the prompt": ["import time", "end = time.perf_counter() + 0.5\nwhile time.perf_counter() < end:\n    pass\n"],
    "top-level await does not make the prompt a coroutine": ["import time", "await asyncio.sleep(0); time.sleep(0.5)"],
    # Many steps of a few ms each: the loop keeps turning.
    "many tasks, one short step each, in one turn of the loop": [
        "import time\nasync def tiny():\n    time.sleep(0.003)\n",
        "await asyncio.gather(*(tiny() for _ in range(100)))",
    ],
    "healthy loop": [
        "import time\nasync def step(n):\n    for _ in range(n):\n        time.sleep(0.002)\n        await asyncio.sleep(0)\n",
        "await asyncio.gather(*(step(150) for _ in range(4)))",
    ],
}


@pytest.mark.parametrize("inputs", QUIET.values(), ids=QUIET.keys())
async def test_not_reported(session: Session, inputs: list[str]) -> None:
    t = await run(session, *inputs, "'done'")
    assert reports(t.stdout) == []
    assert t.stdout.endswith("'done'\n")  # every input ran


async def test_plain_code_at_the_prompt_is_reported_while_a_task_of_the_learners_waits(session: Session) -> None:
    t = await run(session, "import time", "async def worker():\n    await asyncio.sleep(5)\n", "w = asyncio.create_task(worker())", "time.sleep(0.5)")
    [report] = reports(t.stdout)
    assert report.startswith("`time.sleep(0.5)` (<input-4> line 1) blocked the event loop for ")
    assert "task `worker-1` could not run" in report
    assert "Use `await asyncio.sleep(0.5)` instead" in report


async def test_the_same_line_is_reported_once_per_input(session: Session) -> None:
    t = await run(session, FETCH, "for _ in range(3):\n    await fetch()\n", "await fetch()")
    assert len(reports(t.stdout)) == 2


async def test_blocking_off_reports_nothing_and_on_brings_it_back(session: Session) -> None:
    t = await run(session, FETCH, "%blocking off", "await fetch()", "%blocking", "%blocking on", "await fetch()")
    assert "Blocking detector: off." in t.stdout
    assert t.stdout.count("Blocking detector: on; a step that holds the event loop for more than 0.1 s is reported.") == 1
    assert len(reports(t.stdout)) == 1  # the second fetch only
    assert t.stdout.index("Blocking detector: on") < t.stdout.index(reports(t.stdout)[0])


async def test_blocking_seconds_sets_the_threshold(session: Session) -> None:
    t = await run(session, FETCH, "%blocking 2", "await fetch()", "%blocking", "%blocking 0.1", "await fetch()")
    assert "more than 2 s is reported" in t.stdout
    assert len(reports(t.stdout)) == 1
    assert t.stdout.index("more than 0.1 s") < t.stdout.index(reports(t.stdout)[0])
    watchdog = session.features.get(Watchdog)  # type: ignore[assignment]
    assert watchdog.threshold == 0.1


@pytest.mark.parametrize("arg", ["soon", "0", "-1", "nan", "1e9"])
async def test_blocking_with_a_bad_argument_is_a_one_line_usage_error(session: Session, arg: str) -> None:
    t = await run(session, f"%blocking {arg}")
    assert t.stderr.startswith("Usage: %blocking [SECONDS|on|off]") and t.stderr.count("\n") == 1


async def test_the_thread_starts_with_the_first_input_and_stops(session: Session) -> None:
    watchdog: Watchdog = session.features.get(Watchdog)  # type: ignore[assignment]
    before = _watchdog_threads()  # other sessions' threads, if any, end within a second of their loop
    await asyncio.sleep(0.1)
    assert _watchdog_threads() <= before
    await run(session, "1 + 1")
    [thread] = _watchdog_threads() - before
    assert thread.daemon
    watchdog.stop()
    assert not thread.is_alive()
    assert install_watchdog(session) is watchdog


async def test_no_beat_while_nothing_of_the_learners_can_run(session: Session) -> None:
    watchdog: Watchdog = session.features.get(Watchdog)  # type: ignore[assignment]
    assert not watchdog.beating
    await session.handle("task = asyncio.create_task(asyncio.sleep(1))")
    await asyncio.sleep(0.7)
    assert watchdog.beating  # the input has ended, but a task of theirs is alive
    await asyncio.sleep(1.8)  # it ends at 1 s; the beat looks for live tasks every 0.3 s
    assert not watchdog.beating


def _watchdog_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == "asyncshell-watchdog" and thread.is_alive()}
