"""Running an exercise: the lesson's own code is bounded by the exercise's timeout, in the shell as in validate."""

from __future__ import annotations

import signal
import time

from asyncshell.course.exercise import Workspace
from asyncshell.course.loader import load_lesson
from asyncshell.repl.evaluator import Evaluator


async def test_a_lesson_solution_that_never_ends_is_stopped_at_the_timeout(write_lesson, full_lesson):
    text = full_lesson().replace("    solution: |\n", "    solution: |\n      while True: pass\n").replace(
        "timeout: 5", "timeout: 0.3")
    step = load_lesson(write_lesson(text)).exercises[0]
    evaluator = Evaluator(write=lambda text: None)
    workspace = Workspace(evaluator)
    previous = signal.signal(signal.SIGINT, evaluator.handle_sigint)  # as the shell routes Ctrl-C
    started = time.perf_counter()
    try:
        outcome = await workspace.exercise(step).run_solution()  # %skip, or catching up on resume
    finally:
        signal.signal(signal.SIGINT, previous)
    assert outcome.kind == "timeout"
    assert time.perf_counter() - started < 3
