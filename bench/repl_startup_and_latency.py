"""Benchmark: asyncshell against `python -m asyncio` and a bare prompt_toolkit loop, side by side.

Each shell runs in a pseudo-terminal (pexpect), in alternating rounds so that all
three see the same machine state. It prints medians and ratios to the bare loop:
  (a) spawn to first prompt, (b) round trip per input over 200 trivial inputs,
  (c) lateness of a 10 ms background ticker while the prompt sits idle for 2 s (p99),
  (d) resident memory at the first prompt,
  (e) asyncshell alone: the largest gap of a 10 ms ticker over the first 3 s after the first prompt,
      the ticker started by a file run with -i (so no keystroke comes before it), then a line typed.
Goals (issue 2): (a) <= 1.15x bare, (b) <= 1.2x bare, (c) p99 < 5 ms, (d) <= 1.2x bare;
(issue 11): (e) <= 15 ms.

Run: python bench/repl_startup_and_latency.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

HERE = Path(__file__).resolve().parent
PROMPT = re.compile(r">>>")
TICKER = (
    "import asyncio as _a, time as _t\n"
    "_late = []\n"
    "async def _tick():\n"
    "    loop = _a.get_running_loop()\n"
    "    while True:\n"
    "        due = loop.time() + 0.01\n"
    "        await _a.sleep(0.01)\n"
    "        _late.append(loop.time() - due)\n"
)


FIRST_SECONDS_TICKER = (
    "import asyncio as _a\n"
    "_late = []\n"
    "async def _tick():\n"
    "    loop = _a.get_running_loop()\n"
    "    start = loop.time()\n"
    "    while True:\n"
    "        due = loop.time() + 0.01\n"
    "        await _a.sleep(0.01)\n"
    "        _late.append((loop.time() - start, loop.time() - due))\n"
    "_task = _a.ensure_future(_tick())\n"
)


def shells() -> dict[str, list[str]]:
    asyncshell = shutil.which("asyncshell") or str(Path(sys.executable).with_name("asyncshell"))
    found = {
        "asyncshell": [asyncshell, "--no-color"],
        "python -m asyncio": [sys.executable, "-m", "asyncio"],
        "bare prompt_toolkit": [sys.executable, str(HERE / "bare_prompt_toolkit_loop.py")],
    }
    # CPython 3.13's asyncio REPL (on PyREPL) is the anchor to compare with, where this machine has it.
    newer = next(iter(sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))), None) or shutil.which("python3.13")
    if newer and Path(newer).resolve() != Path(sys.executable).resolve():
        found["python3.13 -m asyncio"] = [str(newer), "-m", "asyncio"]
    return found


def spawn(argv: list[str], home: str) -> tuple[pexpect.spawn, float]:
    # Bytecode caches as a real install has them (a fresh edit is compiled once, not every start).
    env = dict(os.environ, ASYNCSHELL_HOME=home, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, encoding="utf-8", dimensions=(40, 200), timeout=30)
    child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
    child.expect(PROMPT)
    return child, time.perf_counter() - start


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def send_block(child: pexpect.spawn, name: str, code: str) -> None:
    if name == "asyncshell":
        child.send("\x1b[200~" + code + "\x1b[201~\r")  # one bracketed paste
        child.expect(PROMPT)
        return
    # The others take a block line by line; a blank line closes it.
    defs = "_tick_src = " + repr(code) + "\r"
    child.send(defs)
    child.expect(PROMPT)
    child.send("exec(_tick_src)\r")
    child.expect(PROMPT)


def measure(name: str, argv: list[str], inputs: int, idle: float) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="asyncshell-bench-")
    try:
        child, startup = spawn(argv, home)
        memory = rss_kib(child.pid)  # at the first prompt, as the goal says
        times = []
        for i in range(inputs):
            start = time.perf_counter()
            child.send(f"{i}+1\r")
            child.expect(rf"\n\r*(\x1b(\[[^a-zA-Z]*[a-zA-Z]|[=>]))*{i + 1}\r")  # PyREPL adds \r and keypad modes
            child.expect(PROMPT)
            times.append(time.perf_counter() - start)
        send_block(child, name, TICKER)
        child.send("_task = asyncio.ensure_future(_tick())\r")
        child.expect(PROMPT)
        time.sleep(idle)  # the prompt sits idle while the ticker runs
        child.send("_n = len(_late); _s = sorted(_late); print('P99=%.6f N=%d' % (_s[int(0.99 * (_n - 1))], _n))\r")
        child.expect(r"P99=([\d.]+) N=(\d+)")
        p99 = float(child.match.group(1))
        child.expect(PROMPT)  # keys sent before the prompt is up reach a cooked tty, which eats ^D
        child.sendcontrol("d")
        child.expect(pexpect.EOF, timeout=10)
        return {"startup": startup, "roundtrip": statistics.median(times), "p99": p99, "rss": memory}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def first_seconds_gap(seconds: float = 3.0) -> float:
    """(e): the largest gap between ticks, in seconds, while the first keystrokes arrive."""
    home = tempfile.mkdtemp(prefix="asyncshell-bench-")
    script = Path(home) / "ticker.py"
    script.write_text(FIRST_SECONDS_TICKER)
    try:
        argv = [a for a in shells()["asyncshell"] if a != "--no-color"]  # colour on: highlighting loads at the first key
        child, _ = spawn([*argv, "-i", str(script)], home)
        started = time.perf_counter()
        time.sleep(0.3)
        for key in "1 + 1":
            child.send(key)  # the first keystrokes: highlighting loads now
            time.sleep(0.05)
        child.send("\r")
        child.expect(PROMPT)
        time.sleep(max(seconds - (time.perf_counter() - started), 0))
        # Only ticks before this query count: typing the query line is work of its own.
        child.send(f"print('GAP=%.6f N=%d' % (max(l for t, l in _late if t < {seconds}) + 0.01, len(_late)))\r")
        child.expect(r"GAP=([\d.]+) N=(\d+)")
        gap = float(child.match.group(1))
        child.expect(PROMPT)
        child.sendcontrol("d")
        child.expect(pexpect.EOF, timeout=10)
        return gap
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per shell (default 5)")
    parser.add_argument("--inputs", type=int, default=200)
    parser.add_argument("--idle", type=float, default=2.0)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in shells()}
    gaps = []
    for round_number in range(args.rounds):
        for name, argv in shells().items():
            results[name].append(measure(name, argv, args.inputs, args.idle))
        gaps.append(first_seconds_gap())
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    medians = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in results.items()}
    floor = medians["bare prompt_toolkit"]
    print(f"{'shell':<22}{'(a) start ms':>14}{'(b) round trip ms':>19}{'(c) tick p99 ms':>17}{'(d) RSS MiB':>13}")
    for name, m in medians.items():
        print(f"{name:<22}{m['startup'] * 1e3:>14.1f}{m['roundtrip'] * 1e3:>19.2f}{m['p99'] * 1e3:>17.2f}{m['rss'] / 1024:>13.1f}")
    ours = medians["asyncshell"]
    print("\nasyncshell / bare prompt_toolkit loop (goal):")
    print(f"  (a) start-up   {ours['startup'] / floor['startup']:.2f}x  (<= 1.15x)")
    print(f"  (b) round trip {ours['roundtrip'] / floor['roundtrip']:.2f}x  (<= 1.2x)")
    print(f"  (c) tick p99   {ours['p99'] * 1e3:.2f} ms  (< 5 ms)")
    print(f"  (d) memory     {ours['rss'] / floor['rss']:.2f}x  (<= 1.2x)")
    print(f"  (e) first 3 s  largest tick gap {statistics.median(gaps) * 1e3:.1f} ms median, "
          f"{max(gaps) * 1e3:.1f} ms worst  (<= 15 ms)")
    for peer in [name for name in medians if name.endswith("-m asyncio")]:
        m = medians[peer]
        print(f"for reference, {peer} / bare: start {m['startup'] / floor['startup']:.2f}x, "
              f"round trip {m['roundtrip'] / floor['roundtrip']:.2f}x, memory {m['rss'] / floor['rss']:.2f}x; "
              f"asyncshell / {peer} start-up: {ours['startup'] / m['startup']:.2f}x")


if __name__ == "__main__":
    main()
