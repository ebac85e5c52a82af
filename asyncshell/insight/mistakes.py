"""The names of the asyncio mistakes the explanations recognise: the words a lesson's ``teaches:`` list may use.

Data only, imported by the explanations (which tag each one they give with its
kind) and by the lesson loader (which checks ``teaches:`` against these keys).
"""

from __future__ import annotations

#: kind -> what the learner did, in one line.
MISTAKES: dict[str, str] = {
    "never-awaited": "called a coroutine function and never awaited the coroutine, so its body never ran",
    "bare-coroutine": "typed a coroutine call at the prompt without `await`, which only made a coroutine object",
    "not-awaitable": "awaited something that is not awaitable: a plain value, or a function left uncalled",
    "await-time-sleep": "wrote `await time.sleep(...)`: time.sleep blocks the loop and returns None",
    "gather-list": "passed one list to `asyncio.gather` instead of each awaitable, as in `gather(*coros)`",
    "coroutine-expected": "passed a function where a coroutine was wanted, e.g. `create_task(fetch)` for `create_task(fetch())`",
    "await-outside-async": "used `await`, `async with` or `async for` inside a plain `def`",
    "asyncio-run-in-loop": "called `asyncio.run()` where an event loop is already running",
    "loop-already-running": "called `run_until_complete()` or `run_forever()` on a loop that is already running",
    "no-running-loop": "used asyncio where no event loop runs, e.g. `asyncio.create_task` in a thread",
    "cancelled-error": "awaited a task that was cancelled, and its CancelledError reached the top",
    "timeout-error": "let `asyncio.wait_for` or `asyncio.timeout` run out of time",
    "unretrieved-exception": "let a task fail with nothing awaiting it, so its error came to light late",
    "pending-task-destroyed": "dropped the last reference to a task that was still waiting, so it was thrown away",
    "callback-called-early": "gave `call_soon`/`call_later` the result of a call, `f(x)`, where the loop wanted `f, x`",
}
