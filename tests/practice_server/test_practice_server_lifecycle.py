"""The real PracticeServer on loopback: start/stop, loopback only, load, /limited, hung-up clients."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys

import aiohttp
import pytest
from aiohttp import web

from asyncshell.errors import UsageError
from asyncshell.practice_server import PracticeServer, make_app
from asyncshell.practice_server.handlers import RECORDER


async def test_start_stop_twice_on_a_free_port(session):
    practice = PracticeServer()
    for _ in range(2):
        url = await practice.start(0)
        assert url.startswith("http://127.0.0.1:")
        assert (practice.url, practice.running) == (url, True)
        assert await practice.start() == url, "a second start while running changes nothing"
        async with session.get(url + "/json") as resp:
            assert resp.status == 200
        await practice.stop()
        assert (practice.url, practice.running) == (None, False)
        await practice.stop()  # idempotent
        with pytest.raises(aiohttp.ClientConnectorError):
            async with session.get(url + "/json"):
                pass
    assert practice.stats().requests_for("/json") == 2, "stats outlive a restart"


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux routes all of 127.0.0.0/8 to lo")
async def test_listens_on_127_0_0_1_only(server):
    port = int(server.url.rsplit(":", 1)[1])
    # A server bound to 0.0.0.0 would answer on every local address; this one must not.
    with pytest.raises(ConnectionRefusedError):
        _, writer = await asyncio.open_connection("127.0.0.2", port)
        writer.close()


async def test_a_busy_port_is_a_one_line_usage_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        practice = PracticeServer()
        with pytest.raises(UsageError, match=f"^port {port} on 127.0.0.1 is already in use; "):
            await practice.start(port)
        assert not practice.running


async def test_load_is_served_without_errors_and_counted_exactly(server, session):
    paths = ["/delay/0" if i % 2 else f"/tiles/4/{i % 16}/{i // 16 % 16}.png" for i in range(1000)]
    statuses: list[int] = []

    async def worker(mine: list[str]) -> None:
        for path in mine:
            async with session.get(server.url + path) as resp:
                await resp.read()
                statuses.append(resp.status)

    async with asyncio.TaskGroup() as group:
        for w in range(100):
            group.create_task(worker(paths[w::100]))

    assert statuses == [200] * 1000
    async with session.get(server.url + "/stats") as resp:
        reported = await resp.json()
    assert reported["total_requests"] == 1000
    assert reported["statuses"] == {"200": 1000}
    assert reported["in_flight"] == 0
    stats = server.stats()
    assert stats.requests_for("/delay/") == 500
    assert stats.requests_for("/tiles/") == 500
    # /delay/0 and tiles never wait, so handling them need not overlap at all.
    assert 1 <= stats.peak_in_flight <= 100


async def test_limited_rejects_the_sixth_and_accepts_it_after_one_finishes(server, session, wait_until):
    async def hold(delay: float) -> int:
        async with session.get(f"{server.url}/limited/x?limit=5&delay={delay}") as resp:
            return resp.status

    # Four hold for a long time and one for 2 s; the checks below need the
    # short one to still be in flight only for the one request that follows.
    long_ones = [asyncio.create_task(hold(30)) for _ in range(4)]
    short_one = asyncio.create_task(hold(2))
    try:
        await wait_until(lambda: server.stats().in_flight == 5)
        async with session.get(f"{server.url}/limited/x?limit=5&delay=0") as resp:
            assert resp.status == 429
            assert resp.headers["Retry-After"] == "1"
            assert "limit=5" in (await resp.json())["error"]
        assert await short_one == 200
        async with session.get(f"{server.url}/limited/x?limit=5&delay=0") as resp:
            assert resp.status == 200
    finally:
        for task in long_ones:
            task.cancel()
        await asyncio.gather(*long_ones, return_exceptions=True)
    await wait_until(lambda: server.stats().in_flight == 0)
    assert server.stats().peak_in_flight == 6


async def abandon_download(session: aiohttp.ClientSession, url: str) -> None:
    """Start a 50 MB download, read a little of it, then cancel the task doing it."""
    first_bytes = asyncio.Event()

    async def download() -> None:
        async with session.get(url + "/files/big?size=50000000") as resp:
            await resp.content.readexactly(100_000)
            first_bytes.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(download())
    await first_bytes.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("handler_cancellation", [True, False])
async def test_an_abandoned_download_is_quiet_and_counted(
    handler_cancellation, session, wait_until, caplog, capsys
):
    # With cancellation the handler is cancelled mid-write; without it, its
    # next write fails.  Both must end quietly.
    caplog.set_level(logging.DEBUG, logger="asyncshell.practice_server")
    app = make_app()
    runner = web.AppRunner(app, access_log=None, handler_cancellation=handler_cancellation)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        await abandon_download(session, url)
        recorder = app[RECORDER]
        await wait_until(lambda: recorder.snapshot().in_flight == 0)
        async with session.get(url + "/json") as resp:
            assert resp.status == 200
    finally:
        await runner.cleanup()
    stats = recorder.snapshot()
    assert stats.aborted == 1
    assert stats.statuses == {200: 1}
    assert 100_000 < stats.bytes_sent < 50_000_000
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert capsys.readouterr() == ("", "")


async def test_an_abandoned_download_on_the_practice_server(server, session, wait_until, caplog, capsys):
    await abandon_download(session, server.url)
    await wait_until(lambda: server.stats().in_flight == 0)
    async with session.get(server.url + "/json") as resp:
        assert resp.status == 200
    assert server.stats().aborted == 1
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert capsys.readouterr() == ("", "")


async def test_stop_does_not_wait_out_long_requests(server, session):
    request = asyncio.create_task(session.get(server.url + "/delay/30"))
    await asyncio.sleep(0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await server.stop()
    assert loop.time() - started < 5
    with pytest.raises(aiohttp.ClientError):
        await request


async def test_a_client_that_gives_up_frees_its_handler(server, session, wait_until):
    # Without handler cancellation the server would go on sleeping for 30 s.
    request = asyncio.create_task(session.get(server.url + "/delay/30"))
    await wait_until(lambda: server.stats().in_flight == 1)
    request.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await request
    await wait_until(lambda: server.stats().in_flight == 0, timeout=5)
    assert server.stats().aborted == 1


async def test_a_connection_that_never_finishes_its_request_is_closed(monkeypatch) -> None:
    from asyncshell.practice_server import server as server_module

    monkeypatch.setattr(server_module, "HEADER_TIMEOUT", 0.3)
    practice = PracticeServer()
    url = await practice.start()
    try:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /json HTTP/1.1\r\nHost: x\r\n")  # headers never end
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
        writer.close()
        async with aiohttp.ClientSession() as client:  # a real client is still served
            async with client.get(f"{url}/limited/a/b/c") as resp:
                assert resp.status == 200
    finally:
        await practice.stop()


async def test_malformed_requests_print_nothing(capsys, caplog) -> None:
    practice = PracticeServer()
    url = await practice.start()
    try:
        port = int(url.rsplit(":", 1)[1])
        for payload in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", b"\x16\x03\x01\x00\xa5\x01"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(payload)
            await writer.drain()
            assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.")
            writer.close()
    finally:
        await practice.stop()
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert not [r for r in caplog.records if r.name == "asyncshell.practice_server" and r.levelno >= logging.WARNING
                and r.exc_info]
