"""Quizzes and predict-the-output steps as a learner meets them: what each answer is told, and the code's real output."""

from __future__ import annotations

from pathlib import Path

import pytest

from asyncshell.course.loader import load_lesson
from asyncshell.course.model import PredictStep
from asyncshell.course.present import comparison
from asyncshell.course.questions import predict_problem
from asyncshell.repl.hooks import Terminal
from course.lesson_shell import Shell
from course.stored import quiz_answers

QUESTIONS = """\
format: 1
id: questions
title: Questions
summary: A quiz whose choices explain themselves, and two predictions.
order: 1
steps:
  - type: quiz
    question: What does `ask()` give you without `await`?
    choices:
      - The number 42
      - text: A coroutine object
        explanation: It has not started yet.
      - text: An error, because `await` is missing
        explanation: Leaving out `await` is no error; you get an object.
    answer: 2
    explanation: Its body runs only when something awaits it.
  - type: predict
    code: |
      async def job(name, seconds):
          print("start", name)
          await asyncio.sleep(seconds)
          print("end", name)

      await asyncio.gather(job("A", 0.02), job("B", 0.01))
    choices:
      - |
        start A
        end A
        start B
        end B
      - text: |
          start A
          start B
          end A
          end B
        explanation: The ends come in the order the waits finish.
      - |
        start A
        start B
        end B
        end A
    answer: 3
    explanation: B's wait is shorter, so B ends first.
  - type: predict
    body: What does this print? Type the lines, separated by commas.
    code: |
      coro = asyncio.sleep(0, "later")
      print("first")
      print(await coro)
    answer: [first, later]
    explanation: The coroutine runs at the await.
  - type: text
    body: Done.
"""


@pytest.fixture
def questions(add_lesson) -> Path:
    return add_lesson(QUESTIONS, "questions.yaml")


async def _no_editor(path: Path) -> None:
    raise AssertionError("no editor in this test")


async def test_a_wrong_choice_says_what_it_means_and_keeps_the_quizs_explanation_for_the_right_answer(
        questions: Path) -> None:
    shell = Shell(questions)
    await shell.type("%learn questions")
    out = await shell.type("%answer 3")
    assert "Not quite. Leaving out `await` is no error; you get an object. Have another look" in out
    assert "Its body runs only" not in out
    out = await shell.type("%answer 1")
    assert out.startswith("Not quite. Have another look")  # a choice without an explanation
    out = await shell.type("%answer 2")
    assert "Right. It has not started yet. Its body runs only when something awaits it." in out
    assert "step 2 of 4" in await shell.type("")


async def test_backticks_in_choices_render_as_in_the_question(questions: Path) -> None:
    shell = Shell(questions, color=True)
    out = await shell.type("%learn questions")
    assert "3. An error, because \x1b[36mawait\x1b[0m is missing" in out and "`await`" not in out
    asked: list[tuple[str, list[str]]] = []

    async def choose(question: str, options: list[str]) -> int | None:
        asked.append((question, options))
        return None  # Escape or Ctrl-C

    assert shell.session is not None
    shell.session.terminal = Terminal(choose=choose, edit=_no_editor)
    out = await shell.type("%answer")
    (question, options), = asked
    assert question == "What does \x1b[36mask()\x1b[0m give you without \x1b[36mawait\x1b[0m?"
    assert options[2] == "An error, because \x1b[36mawait\x1b[0m is missing"
    assert "Nothing answered: %answer N answers, %answer alone picks again." in out and "Right" not in out
    assert quiz_answers(shell.tutor.store.path, "questions", "quiz-1") == []


async def test_a_bare_number_typed_at_a_question_points_to_answer(questions: Path) -> None:
    shell = Shell(questions)
    await shell.type("%learn questions")
    assert await shell.type("2") == "2\nThat ran as Python. To answer the question, type %answer 2.\n"
    assert await shell.type("7") == "7\n"  # not a choice: just Python
    assert await shell.type("x = 2") == ""
    await shell.type("%answer 2")
    assert "%answer" not in await shell.type("1, 3")  # a predict step with choices numbered 1 to 3: still one
    await shell.tutor.close()
    assert await shell.type("2") == "2\n"


async def test_a_prediction_runs_the_code_and_shows_its_output_beside_the_guess(questions: Path) -> None:
    shell = Shell(questions)
    await shell.type("%learn questions", "%answer 2", "")
    out = await shell.type("%answer 2")
    assert out.splitlines()[:5] == [
        "  You predicted   It printed",
        "  start A         start A",
        "  start B         start B",
        "  end A         ≠ end B",
        "  end B         ≠ end A",
    ]
    assert ("Not quite. The ends come in the order the waits finish. B's wait is shorter, so B ends first."
            in " ".join(out.split()))
    assert out.rstrip().endswith("Enter to continue.")
    assert shell.status("predict-1", lesson="questions").done  # answered: the output is there to see either way
    out = await shell.type("")
    assert "step 3 of 4" in out and "What does this print?" in out
    assert "Type the lines" in out and "%answer and the lines it prints" in out


async def test_a_typed_prediction_is_compared_word_by_word(questions: Path) -> None:
    shell = Shell(questions)
    await shell.type("%learn questions", "%answer 2", "", "%answer 3", "")
    out = await shell.type("%answer First; LATER.")
    assert out.splitlines()[:3] == ["  You predicted   It printed", "  First           first", "  LATER.          later"]
    assert "Right. The coroutine runs at the await." in out
    assert shell.namespace["coro"] is not None  # it ran in the learner's namespace, as %run would
    out = await shell.type("%answer first later")
    assert out.splitlines()[:3] == ["  You predicted   It printed", "  first           first", "  later           later"]
    out = await shell.type("%answer later first")
    assert out.splitlines()[:3] == ["  You predicted   It printed", "  later first   ≠ first", "                ≠ later"]
    assert "Done." in await shell.type("")


async def test_skipping_a_prediction_tells_what_it_prints(questions: Path) -> None:
    shell = Shell(questions)
    out = await shell.type("%learn questions", "%answer 2", "", "%skip")
    assert ("Skipped. The answer: it prints start A │ start B │ end B │ end A. B's wait is shorter"
            in " ".join(out.split()))


def test_the_comparison_stacks_when_the_columns_do_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    assert comparison(["a long predicted line"], ["a long printed line"], color=False).splitlines() == [
        "You predicted:", "  a long predicted line", "It printed:", "  a long printed line"]


async def test_predict_problem_runs_the_code_alone_and_wants_its_right_answer(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    steps = [step for step in load_lesson(path).steps if isinstance(step, PredictStep)]
    assert [await predict_problem(step) for step in steps] == [None, None]
    wrong = path.read_text().replace("answer: 3", "answer: 2")
    path.write_text(wrong, encoding="utf-8")
    step = next(step for step in load_lesson(path).steps if isinstance(step, PredictStep))
    assert await predict_problem(step) == ("its code prints start A │ start B │ end B │ end A, "
                                           "not its answer start A │ start B │ end A │ end B")
    path.write_text(QUESTIONS.replace("print(await coro)", "print(await coro, missing)"), encoding="utf-8")
    step = [step for step in load_lesson(path).steps if isinstance(step, PredictStep)][1]
    assert await predict_problem(step) == "its code, run on its own, raised NameError: name 'missing' is not defined"
