"""Quizzes and predict-the-output steps at the prompt: what the code printed, and an answer typed as Python.

A predict step's code runs once the learner has answered, in their namespace,
and what it printed is shown beside their prediction (``reveal``).
``predict_problem`` runs it in a fresh namespace instead, for ``asyncshell
validate``: the code must print the step's right answer, or nobody can get it
right.  ``answer_typed_as_code`` notices ``2`` typed at the prompt where
``%answer 2`` was meant.
"""

from __future__ import annotations

import ast
import contextlib
import io
import traceback
from typing import TYPE_CHECKING

from asyncshell.course import present
from asyncshell.course.answers import same_output
from asyncshell.course.model import DEFAULT_TIMEOUT, PredictStep, QuestionStep
from asyncshell.repl.evaluator import Evaluator, Outcome

if TYPE_CHECKING:
    from asyncshell.repl.session import Session


async def printed_by(evaluator: Evaluator, step: PredictStep, timeout: float | None = None) -> tuple[str, Outcome]:
    """Run the step's code as a script in ``evaluator``'s namespace: what it printed to stdout, and how it ended."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        outcome = await evaluator.run(step.code.source, f"<predict:{step.key}>", show_values=False, timeout=timeout)
    return printed.getvalue(), outcome


async def reveal(session: Session, step: PredictStep, reply: str, picked: tuple[int, ...]) -> None:
    """Run the code in the learner's namespace and show what it printed beside what they predicted."""
    printed, outcome = await printed_by(session.evaluator, step)
    lines = _lines(printed)
    guess = present.prediction(step, reply, picked, lines)
    session.console.write(present.comparison(guess, lines, session.console.color) + "\n")
    if outcome.kind != "ok":
        session.show(outcome)


async def predict_problem(step: PredictStep) -> str | None:
    """Why nobody could predict the step right, or None: its code, run alone, must print its right answer.

    For ``asyncshell validate``; the code runs in a fresh namespace with the
    default exercise timeout, so it must not lean on earlier steps.
    """
    printed, outcome = await printed_by(Evaluator(write=lambda text: None), step, timeout=DEFAULT_TIMEOUT)
    if outcome.kind != "ok":
        return f"its code, run on its own, {_stopped(outcome)}"
    if not same_output(printed, step.right_output):
        shown = present.LINE_MARK.join(_lines(printed)) or "nothing"
        return f"its code prints {shown}, not its answer {present.LINE_MARK.join(_lines(step.right_output))}"
    return None


def answer_typed_as_code(step: QuestionStep, tree: ast.Module) -> str | None:
    """The note for ``2`` (or ``1, 3``) typed at a question where ``%answer 2`` was meant; None for anything else."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    value = tree.body[0].value
    items = value.elts if isinstance(value, ast.Tuple) else [value]
    numbers = [item.value for item in items if isinstance(item, ast.Constant) and type(item.value) in (int, float)]
    if not numbers or len(numbers) != len(items):
        return None
    if step.choices and not all(type(n) is int and 1 <= n <= len(step.choices) for n in numbers):
        return None
    if step.choices and len(numbers) > len(step.answers) == 1:
        return None  # a tuple of numbers where one choice is right: Python, most likely
    return f"That ran as Python. To answer the question, type %answer {', '.join(map(str, numbers))}."


def _lines(printed: str) -> list[str]:
    return printed.rstrip("\n").split("\n") if printed.strip() else []


def _stopped(outcome: Outcome) -> str:
    if outcome.kind == "error" and outcome.error is not None:
        return "raised " + " ".join(traceback.format_exception_only(outcome.error)[-1].split())
    if outcome.kind == "timeout":
        return f"was still running after {DEFAULT_TIMEOUT:g} s"
    return "called exit()" if outcome.kind == "exit" else "was interrupted"
