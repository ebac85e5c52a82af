"""Benchmark: what %timeline recording costs on a task-heavy input, side by side with recording off.

The input gathers 100k tasks of ``asyncio.sleep(0)`` (each task runs two steps),
run through the shell's evaluator as a learner's input would be.  Rounds alternate
off / on so both see the same machine state; it prints the median of each (wall
time and the process's CPU time, which a busy machine disturbs less), and the
ratios.  Goal (issue 5): on <= 1.10x off.  "off" has nothing attached at all.
Drawing the chart afterwards (rows made on first look, then the text) is timed
on its own: it is not recording, and a learner waits for it once per input.

Run: python bench/timeline_overhead.py [--rounds N] [--tasks N]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import statistics
import time

from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.insight.timeline import Timeline
from asyncshell.insight.timeline_render import render_text
from asyncshell.repl.session import Session


Times = dict[str, list[float]]


async def measure(rounds: int, tasks: int) -> Times:
    out = io.StringIO()
    console = Console(out, out)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    source = f"await asyncio.gather(*(asyncio.sleep(0) for _ in range({tasks})))\nNone"
    times: Times = {"off wall": [], "off cpu": [], "on wall": [], "on cpu": [], "chart": []}
    await session.evaluator.run(source)  # warm up
    for round_ in range(rounds):
        # off-on, then on-off: neither always runs first.
        for mode in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
            timeline = Timeline(session)  # a fresh one: the last round's recording is gone
            if mode == "on":
                timeline.attach()
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            outcome = await session.evaluator.run(source)
            times[f"{mode} wall"].append(time.perf_counter() - wall)
            times[f"{mode} cpu"].append(time.process_time() - cpu)
            assert outcome.kind == "ok", outcome
            if mode == "on":
                timeline.detach()
                started = time.perf_counter()
                recording = timeline.last
                assert recording is not None and len(recording.rows) == tasks + 1
                render_text(recording, width=100)
                times["chart"].append(time.perf_counter() - started)
            del timeline
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tasks", type=int, default=100_000)
    args = parser.parse_args()
    times = asyncio.run(measure(args.rounds, args.tasks))
    median = {key: statistics.median(values) for key, values in times.items()}
    least = {key: min(values) for key, values in times.items()}
    print(f"{args.tasks} tasks of asyncio.sleep(0) through gather, {args.rounds} rounds (median, best):")
    for key in ("off wall", "on wall", "off cpu", "on cpu"):
        print(f"  recording {key:<9} {median[key] * 1000:8.1f} ms {least[key] * 1000:8.1f} ms   ({', '.join(f'{t * 1000:.0f}' for t in times[key])})")
    for label, pick in (("median", median), ("best", least)):
        wall, cpu = pick["on wall"] / pick["off wall"], pick["on cpu"] / pick["off cpu"]
        print(f"  ratio on/off, {label:<6} wall {wall:.3f}x   cpu {cpu:.3f}x   (goal <= 1.10x)")
    print(f"  drawing the chart afterwards: {median['chart'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
