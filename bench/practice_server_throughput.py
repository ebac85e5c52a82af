"""Benchmark: the practice server against a bare aiohttp "hello" app (the ceiling), side by side.

Method, chosen so that neither server is favoured:
  * each server runs alone in its own subprocess, pinned to one core; the
    client (this process) is pinned to the other, so client and server never
    share a core.  With a single core nothing is pinned and the output says so;
  * two workloads: the test suite's load test (/delay/0 and /tiles/4/x/y.png,
    half each) and /delay/0 alone.  The bare app answers "Hello" on every
    path, so both servers get the very same URLs;
  * two clients, each 100 tasks on 100 keep-alive connections, each task
    sending its share of --requests requests one after another:
      - aiohttp: the load test as written.  The aiohttp client costs more per
        request than either server, so it is the bottleneck and its req/s
        says little about the servers;
      - raw: a few lines of HTTP/1.1 over asyncio streams, sending 8
        requests at a time on each connection (pipelining, which aiohttp
        serves in order).  That makes the client cheap enough for the
        server's core to be the bottleneck, so req/s measures the server;
        the output shows how busy the server's core was, to prove it.  The
        20% goal is judged on this client;
  * the server's own CPU time per request is read from /proc (Linux) as a
    cross-check (it still depends a little on how requests arrive in batches);
  * rounds alternate which server goes first, and one warm-up round per
    server and client is discarded.  Each ratio is the median of per-round
    ratios (the two servers measured back to back), which holds up better
    than a ratio of medians when other work shares the machine; the range of
    the per-round ratios is printed too, as a measure of that noise.
Goal (issue 4): the practice server's bookkeeping costs under 20% against the bare app.

Run: python bench/practice_server_throughput.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Awaitable, Callable

import aiohttp
from aiohttp import web

CONCURRENCY = 100
PIPELINE = 8  # requests the raw client sends at once on a connection
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)")
CONTENT_LENGTH = re.compile(rb"content-length: *(\d+)", re.IGNORECASE)
SERVERS = {
    "practice": [
        sys.executable, "-c",
        "import sys; from asyncshell.practice_server import serve_forever; sys.exit(serve_forever())",
    ],
    "bare hello": [sys.executable, str(Path(__file__).resolve()), "--serve-bare"],
}
WORKLOADS: dict[str, Callable[[int], list[str]]] = {
    "load-test mix": lambda n: [
        "/delay/0" if i % 2 else f"/tiles/4/{i % 16}/{i // 16 % 16}.png" for i in range(n)
    ],
    "/delay/0 only": lambda n: ["/delay/0"] * n,
}
Fetcher = Callable[[int, list[str]], Awaitable[None]]


# --- the bare peer --------------------------------------------------------------------

async def serve_bare() -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="Hello")

    app = web.Application()
    app.router.add_get("/{tail:.*}", hello)
    # The runner settings the practice server uses, so that only the app differs.
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"bare app on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()  # until the benchmark terminates us


# --- the two clients --------------------------------------------------------------------

async def aiohttp_client(port: int, paths: list[str]) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:

        async def worker(mine: list[str]) -> None:
            for path in mine:
                async with session.get(f"http://127.0.0.1:{port}{path}") as resp:
                    await resp.read()
                    check(resp.status, path)

        await spread(worker, paths)


async def raw_client(port: int, paths: list[str]) -> None:
    async def worker(mine: list[str]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for start in range(0, len(mine), PIPELINE):
                batch = mine[start:start + PIPELINE]
                writer.write(b"".join(f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for p in batch))
                for path in batch:
                    head = await reader.readuntil(b"\r\n\r\n")
                    await reader.readexactly(int(CONTENT_LENGTH.search(head)[1]))
                    check(int(head[9:12]), path)
        finally:
            writer.close()
            await writer.wait_closed()

    await spread(worker, paths)


async def spread(worker: Callable[[list[str]], Awaitable[None]], paths: list[str]) -> None:
    async with asyncio.TaskGroup() as group:
        for w in range(CONCURRENCY):
            group.create_task(worker(paths[w::CONCURRENCY]))


def check(status: int, path: str) -> None:
    if status != 200:
        raise SystemExit(f"{path} answered {status}: the benchmark would measure errors")


CLIENTS: dict[str, Fetcher] = {"aiohttp": aiohttp_client, "raw": raw_client}


# --- measuring ------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used, all threads, in nanosecond resolution; None off Linux.

    /proc/PID/task/*/schedstat counts time actually on a CPU, so waiting for a
    core while other work runs does not count, and unlike /proc/PID/stat its
    resolution is not 10 ms.
    """
    try:
        return sum(
            int(stat.read_text().split()[0]) for stat in Path(f"/proc/{pid}/task").glob("*/schedstat")
        ) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def start_server(argv: list[str], core: int | None) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    if core is not None:
        os.sched_setaffinity(proc.pid, {core})
    match = URL_LINE.search(proc.stdout.readline())
    if not match:
        proc.kill()
        raise SystemExit(f"{argv} did not print its URL")
    return proc, int(match[1])


class Results:
    """Per server: req/s for each client, and server CPU µs per request (raw client)."""

    def __init__(self) -> None:
        self.rates: dict[tuple[str, str], list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.busy: dict[str, list[float]] = {}

    def add(self, server: str, client: str, seconds: float, cpu: float | None, n: int) -> None:
        self.rates.setdefault((server, client), []).append(n / seconds)
        if client == "raw" and cpu is not None:
            self.cpu.setdefault(server, []).append(cpu / n * 1e6)
            self.busy.setdefault(server, []).append(cpu / seconds)

    def report(self, workload: str) -> None:
        practice, bare = SERVERS
        print(f"\n{workload}")
        for client in CLIENTS:
            ours, theirs = self.rates[practice, client], self.rates[bare, client]
            low, mid, high = paired_ratios(ours, theirs)
            print(
                f"  {client + ' client':<15} req/s: practice {statistics.median(ours):>6.0f}, "
                f"bare {statistics.median(theirs):>6.0f}; practice/bare {mid:.2f} (rounds {low:.2f}-{high:.2f})"
            )
        if practice in self.cpu and bare in self.cpu:
            low, mid, high = paired_ratios(self.cpu[practice], self.cpu[bare])
            print(
                f"  server CPU µs/request: practice {statistics.median(self.cpu[practice]):.0f}, "
                f"bare {statistics.median(self.cpu[bare]):.0f}; practice costs {mid - 1:+.0%} "
                f"(rounds {low - 1:+.0%} to {high - 1:+.0%}); server core busy under the raw client: "
                f"practice {statistics.median(self.busy[practice]):.0%}, bare {statistics.median(self.busy[bare]):.0%}"
            )
        low, mid, high = paired_ratios(self.rates[practice, "raw"], self.rates[bare, "raw"])
        verdict = "within" if 1 / mid - 1 < 0.20 else "OVER"
        print(f"  server-bound cost of the practice server: {1 / mid - 1:+.0%} ({verdict} the 20% goal)")


def paired_ratios(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    """Lowest, median and highest of the per-round ratios."""
    ratios = [a / b for a, b in zip(ours, theirs)]
    return min(ratios), statistics.median(ratios), max(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=4000, help="requests per round")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        asyncio.run(serve_bare())
        return

    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pinned = len(cores) >= 2
    if pinned:
        os.sched_setaffinity(0, {cores[1]})
    servers = {name: start_server(argv, cores[0] if pinned else None) for name, argv in SERVERS.items()}
    print(
        f"{args.requests} requests a round from {CONCURRENCY} client tasks, {args.rounds} rounds "
        f"after a warm-up; " + ("client and servers on separate cores" if pinned else "NOT pinned (one core)")
    )
    print(load_average("before"))
    try:
        for workload, make_paths in WORKLOADS.items():
            paths, results = make_paths(args.requests), Results()
            for round_no in range(args.rounds + 1):
                order = list(servers) if round_no % 2 else list(reversed(servers))
                for client_name, client in CLIENTS.items():
                    for name in order:
                        proc, port = servers[name]
                        before, started = cpu_seconds(proc.pid), time.perf_counter()
                        asyncio.run(client(port, paths))
                        seconds, after = time.perf_counter() - started, cpu_seconds(proc.pid)
                        if round_no:  # round 0 warms up connections, caches and first calls
                            cpu = after - before if before is not None and after is not None else None
                            results.add(name, client_name, seconds, cpu, len(paths))
            results.report(workload)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=10)
    print("\n" + load_average("after"))


def load_average(when: str) -> str:
    """Other work on the machine skews every figure here; say how much there was."""
    try:
        return f"load average {when}: {os.getloadavg()[0]:.2f} (this benchmark alone adds about 1.5)"
    except OSError:
        return f"load average {when}: unknown"


if __name__ == "__main__":
    main()
