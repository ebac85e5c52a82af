"""What the check tests share: a learner typing at an evaluator, and exercises built from the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asyncshell.course.checks import CheckResult, run_check
from asyncshell.course.model import Code, ExerciseStep, Location
from asyncshell.repl.evaluator import Evaluator
from asyncshell.repl.tracebacks import format_error

LESSON = Path("lessons/demo.yaml")
#: The lesson-file line of the first line of every test check.
CHECK_LINE = 20


def exercise(check: str, *, id: str = "demo", timeout: float = 5.0) -> ExerciseStep:
    return ExerciseStep(
        key=id,
        location=Location(LESSON, CHECK_LINE - 1),
        id=id,
        body="Do the thing.",
        hints=("A nudge.", "Nearly the answer."),
        check=Code(check, CHECK_LINE),
        solution=Code("pass", CHECK_LINE + 10),
        timeout=timeout,
    )


class Learner:
    """Someone at the prompt: code typed into a real evaluator on the running loop, then %check."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.evaluator = Evaluator(write=self.shown.append)

    @property
    def namespace(self) -> dict[str, Any]:
        return self.evaluator.namespace

    async def type(self, source: str) -> None:
        outcome = await self.evaluator.run(source)
        assert outcome.kind == "ok", format_error(outcome.error) if outcome.error else outcome.kind

    async def check(self, source: str, *, timeout: float = 5.0, **extra_helpers: object) -> CheckResult:
        return await run_check(self.evaluator, exercise(source, timeout=timeout), extra_helpers=extra_helpers)
