"""Benchmark: what the blocking detector costs a healthy loop, with it on and off side by side.

Each round runs the same inputs through a fresh session twice, once with the
watchdog installed (threshold 0.2 s) and once without, in alternating order:
  (a) 200k ``await asyncio.sleep(0)`` steps spread over 100 tasks: wall and CPU time,
  (b) a 10 ms ticker task for 2 s while the input awaits: lateness p50 and p99,
  (c) the process's CPU time over those 2 s (the heartbeat and the thread, mostly).
It prints the medians and the on/off ratios.  Goal: no difference beyond noise.

Run: python bench/watchdog_overhead.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys

from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.insight.watchdog import install_watchdog
from asyncshell.repl.session import Session

STEPS = (
    "import time\n"
    "async def _spin(n):\n"
    "    for _ in range(n):\n"
    "        await asyncio.sleep(0)\n"
    "_t0, _c0 = time.perf_counter(), time.process_time()\n"
    "await asyncio.gather(*(_spin({per_task}) for _ in range({tasks})))\n"
    "_steps, _steps_cpu = time.perf_counter() - _t0, time.process_time() - _c0\n"
)
TICKER = (
    "_late = []\n"
    "async def _tick():\n"
    "    loop = asyncio.get_running_loop()\n"
    "    while True:\n"
    "        due = loop.time() + 0.01\n"
    "        await asyncio.sleep(0.01)\n"
    "        _late.append(loop.time() - due)\n"
    "_ticker = asyncio.create_task(_tick())\n"
    "_c0 = time.process_time()\n"
    "await asyncio.sleep({idle})\n"
    "_cpu = time.process_time() - _c0\n"
    "_ticker.cancel()\n"
)


def measure(watchdog: bool, tasks: int, steps: int, idle: float) -> dict[str, float]:
    loop = asyncio.new_event_loop()
    try:
        out = io.StringIO()
        console = Console(out, out)
        session = Session(Evaluator(write=console.write, loop=loop), console, interactive=False)
        if watchdog:
            install_watchdog(session)

        async def main() -> None:
            for source in (STEPS.format(per_task=steps // tasks, tasks=tasks), TICKER.format(idle=idle)):
                outcome = await session.evaluator.run(source, show_values=False)
                if outcome.kind != "ok":
                    raise RuntimeError(f"bench input failed: {outcome}\n{out.getvalue()}")

        loop.run_until_complete(main())
        if "blocked the event loop" in out.getvalue():
            print(f"unexpected report: {out.getvalue()!r}", file=sys.stderr)
        namespace = session.evaluator.namespace
        late = sorted(namespace["_late"])
        watch = getattr(session, "watchdog", None)
        if watch is not None:
            watch.stop()
        return {
            "steps": namespace["_steps"],
            "steps_cpu": namespace["_steps_cpu"],
            "p50": late[len(late) // 2],
            "p99": late[int(0.99 * (len(late) - 1))],
            "cpu": namespace["_cpu"],
        }
    finally:
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--idle", type=float, default=2.0)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for round_number in range(args.rounds):
        order = ("off", "on") if round_number % 2 == 0 else ("on", "off")
        for name in order:
            results[name].append(measure(name == "on", args.tasks, args.steps, args.idle))
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    medians = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in results.items()}
    print(f"{'watchdog':<10}{f'(a) {args.steps // 1000}k steps ms':>22}{'CPU ms':>9}{'(b) tick p50 ms':>17}{'p99 ms':>9}{f'(c) CPU in {args.idle:g} s ms':>22}")
    for name, m in medians.items():
        print(f"{name:<10}{m['steps'] * 1e3:>22.1f}{m['steps_cpu'] * 1e3:>9.1f}{m['p50'] * 1e3:>17.2f}{m['p99'] * 1e3:>9.2f}{m['cpu'] * 1e3:>22.1f}")
    on, off = medians["on"], medians["off"]
    print("\non / off:")
    print(f"  (a) steps     {on['steps'] / off['steps']:.3f}x wall, {on['steps_cpu'] / off['steps_cpu']:.3f}x CPU")
    print(f"  (b) tick p50  {on['p50'] / off['p50']:.3f}x, p99 {on['p99'] / off['p99']:.3f}x")
    print(f"  (c) idle CPU  {on['cpu'] / off['cpu']:.3f}x")
    best = {name: min(r["steps_cpu"] for r in runs) for name, runs in results.items()}
    print(f"  (a) best CPU  {best['on'] / best['off']:.3f}x  (fastest round of each: least disturbed by other load)")
    spread = statistics.pstdev(r["steps"] for r in results["off"]) / off["steps"]
    print(f"noise: (a) off runs vary by {spread:.1%} (standard deviation / median)")


if __name__ == "__main__":
    main()
