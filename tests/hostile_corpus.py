"""Odd and hostile inputs a learner might type, for tests/test_hostile_inputs.py and its counts.

Each entry is one input.  Inputs that end the shell on purpose (exit(), %quit) are
kept apart in LEAVING: for those, leaving with the right status is the test.
"""

from __future__ import annotations

ODD = [
    "", " ", "\t", "\\", "%", "%%", "% help", "%nosuch", "%help nosuch", "%help %", "%tasks -x", "%tasks --tree --tree",
    "%cancel", "%cancel 999", "%cancel all", "%timeline --svg", "%timeline --svg /nonexistent/dir/x.svg",
    "%timeline bogus", "%blocking -1", "%blocking nan", "%blocking 1e309", "%learn nosuch", "%learn 9999", "%learn -1",
    "%answer", "%answer 1", "%check", "%check -v", "%next", "%back", "%run", "%hint", "%solution", "%skip", "%reset",
    "%edit", "%lessons extra", "%progress extra", "%server bogus", "%server start 99999", "%server start -1",
    "%server start abc", "%server stop", "%server reset", "%server", "%quit now",
    "1/0", "raise KeyboardInterrupt", "raise BaseException('odd')", "raise GeneratorExit", "raise StopIteration",
    "raise asyncio.CancelledError", "raise MemoryError", "raise RecursionError", "raise SystemError('x')",
    "raise SyntaxError('made up')", "raise Exception().with_traceback(None)",
    "def f(:", "class", "async", "await", "await 1", "await None", "yield 1", "return 5", "break", "continue",
    "nonlocal x", "global x; x = 1", "lambda: (yield)", "async def g():\n    yield\n", "[x async for x in 1]",
    "1" + "+1" * 3000, "(" * 200 + ")" * 200, "[" * 5000, "'" + "a" * 100_000 + "'", "x = '\\x00'", "'\\ud800'",
    "print('\\x1b[2J\\x1b]0;PWNED\\x07')", "import this", "from __future__ import braces",
    "from __future__ import annotations", "import asyncio as asyncio", "del asyncio", "asyncio = None",
    "__asyncshell__ = None", "del __builtins__", "globals().clear()", "__name__ = 'hijacked'",
    "import sys; sys.displayhook = None", "import sys; sys.excepthook = None", "import sys; sys.stdout = 5",
    "import sys; sys.stderr = None", "import sys; sys.setrecursionlimit(60)", "import sys; sys.setrecursionlimit(1000)",
    "import gc; gc.disable()", "import gc; gc.enable()", "import warnings; warnings.simplefilter('error')",
    "import warnings; warnings.resetwarnings()", "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)",
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)",
    "asyncio.get_running_loop().stop()", "asyncio.get_running_loop().close()",
    "asyncio.get_running_loop().set_exception_handler(None)", "asyncio.get_running_loop().set_debug(True)",
    "asyncio.get_running_loop().set_debug(False)", "asyncio.get_running_loop().set_task_factory(None)",
    "asyncio.set_event_loop(None)", "asyncio.set_event_loop(asyncio.new_event_loop())",
    "asyncio.run(asyncio.sleep(0))", "asyncio.get_event_loop().run_until_complete(asyncio.sleep(0))",
    "asyncio.get_event_loop().run_forever()", "await asyncio.sleep(-1)", "await asyncio.sleep(float('nan'))",
    "await asyncio.sleep(0.01, result=object())", "asyncio.create_task(asyncio.sleep(0))",
    "asyncio.ensure_future(1)", "asyncio.create_task(None)", "await asyncio.gather()", "await asyncio.wait([])",
    "await asyncio.wait_for(asyncio.sleep(1), -1)", "asyncio.Future().result()",
    "f = asyncio.get_running_loop().create_future(); f.set_exception(ValueError('never seen')); del f",
    # Sequences: each entry runs in a shell of its own, its lines as separate inputs.
    "async def boom():\n    raise ValueError('late')\n\nt = asyncio.create_task(boom())\nawait asyncio.sleep(0.01)\n",
    "async def spin():\n    while True:\n        await asyncio.sleep(0.01)\n\nbg = asyncio.create_task(spin())\n"
    "%tasks\n%tasks -v\n%tasks --tree\n%timeline\nbg.cancel()\n",
    "class BadRepr:\n    def __repr__(self):\n        raise SystemExit(4)\n\nBadRepr()\n[BadRepr()]\n",
    "class BadStr(Exception):\n    def __str__(self):\n        exit(5)\n\nraise BadStr()\n",
    "class Loud:\n    def __del__(self):\n        raise RuntimeError('in __del__')\n\nLoud(); import gc; gc.collect()\n",
    "async def swallow():\n    while True:\n        try:\n            await asyncio.sleep(0.05)\n        except:\n            pass\n"
    "\nw = asyncio.create_task(swallow())\n",
    "import threading; threading.Thread(target=lambda: 1/0).start()", "import time; time.sleep(0.3)",
    "import os; os.chdir('/')", "open('/dev/null').close()", "input",
    "import sys; sys.stdout.close()\nprint('after')\n",
    # Not here: sys.stdin.close() in a pipe, which ends the input as a script's would (test_e2e covers a terminal).
]

#: Inputs that leave the shell on purpose, with the exit status expected.
LEAVING = [("exit()", 0), ("exit(3)", 3), ("quit()", 0), ("raise SystemExit", 0), ("raise SystemExit('bye')", 1),
           ("%quit", 0), ("import sys; sys.exit(7)", 7), ("exit", 0), ("quit", 0)]
