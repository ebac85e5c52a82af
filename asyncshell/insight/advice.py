"""The blocking detector's wording: the note naming the line that held the loop, and what to use instead.

``watchdog.py`` finds the line and times the stall; this module only turns what
it saw into text, so it loads the first time something blocks, not at start-up.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asyncshell.insight.watchdog import Spot

_CPU_BOUND = 0.2  # share of the stall the loop thread spent on a CPU: above it, "CPU work"


def describe(spot: Spot, seconds: float, waiting: tuple[str, ...], cpu_share: float | None, line: str) -> str:
    """The note: which line held the loop, for how long, who could not run, and what to do instead."""
    place = f"{spot.filename} line {spot.lineno}" if spot.filename.startswith("<") else f"{os.path.basename(spot.filename)} line {spot.lineno}"
    what = f"`{line}`" if line else "This code"
    if spot.function != "<module>":
        what += f" in `{spot.function}()`"
        if spot.coroutine is not None and spot.coroutine != spot.function:
            what += f" (called from coroutine `{spot.coroutine}()`)"
    if spot.coroutine is not None:
        victims = "no other task could run"
    else:
        names = ", ".join(f"`{name}`" for name in waiting[:3]) + (" and others" if len(waiting) > 3 else "")
        victims = f"{'task' if len(waiting) == 1 else 'tasks'} {names} could not run"
    duration = f"{seconds:.1f}" if seconds >= 0.5 else f"{seconds:.2f}"  # the beat times it to within 25 ms
    return f"{what} ({place}) blocked the event loop for about {duration} s; {victims}. {advice(line, cpu_share, spot.coroutine is not None)}"


def advice(line: str, cpu_share: float | None, in_coroutine: bool) -> str:
    """What to use instead, judged from the source line and how busy the CPU was."""
    code = line.split("#", 1)[0]
    sleep = re.search(r"(?<![\w.])(?:time\.)?sleep\(", code)
    if sleep:
        instead = f"`await asyncio.sleep({_arguments(code, sleep.end())})`"
        return f"In a coroutine, use {instead}." if in_coroutine else f"Use {instead} instead: the other tasks run while it waits."
    http = re.search(r"((?:\w+\.)*urlopen|\brequests\.\w+|\bhttpx\.(?:get|post|put|patch|delete|head|request))\(|\burllib\.request\b|\bhttp\.client\b|\.getresponse\(", code)
    if http:
        call = http.group(1) or "func"
        return ("A synchronous HTTP call keeps the loop waiting for the server. Use an async client such as aiohttp "
                f"(`async with session.get(url) as response: ...`), or run the call in a thread: `await asyncio.to_thread({call}, url)`.")
    if re.search(r"\bsubprocess\.\w+\(|\bos\.system\(|\.communicate\(", code):
        return "Waiting for a process blocks too: use `await asyncio.create_subprocess_exec(...)`, or `await asyncio.to_thread(subprocess.run, ...)`."
    if re.search(r"(?<![\w.])input\(", code):
        return "`input()` waits for the keyboard with the loop stopped: use `await asyncio.to_thread(input, prompt)`."
    if re.search(r"\.(recv|recvfrom|accept|connect|sendall|makefile)\(|\bsocket\.create_connection\(", code):
        return "A blocking socket call holds the loop: use asyncio streams, `reader, writer = await asyncio.open_connection(host, port)`."
    if re.search(r"\.(join|result|acquire)\(", code) and (cpu_share is None or cpu_share < _CPU_BOUND):
        return "Waiting for a thread, a lock or a concurrent.futures result blocks: `await asyncio.to_thread(...)` or `await asyncio.wrap_future(future)` waits without blocking."
    if cpu_share is None or cpu_share >= _CPU_BOUND:
        return ("That is CPU work, and the loop waits until it ends. Run it elsewhere: `await asyncio.to_thread(func, ...)`, "
                "or a process pool for heavy pure-Python work (`await loop.run_in_executor(ProcessPoolExecutor(), func, ...)`); "
                "or split it up and `await asyncio.sleep(0)` between the pieces.")
    return "It was waiting on a synchronous call: use an async version if there is one, or run it in a thread with `await asyncio.to_thread(func, ...)`."


def _arguments(code: str, start: int) -> str:
    """The text between the parenthesis before ``start`` and the one that closes it."""
    depth = 1
    for index in range(start, len(code)):
        depth += {"(": 1, ")": -1}.get(code[index], 0)
        if depth == 0:
            return code[start:index].strip()
    return code[start:].strip()
