"""A lesson's steps as the learner reads them: headings, prose, quiz choices, what to type next, the right answer.

Pure functions from the model (and a tally) to text, so every wording the tutor
uses lives here and can be read, and tested, without a session.
"""

from __future__ import annotations

import difflib

from asyncshell.course.answers import predicted_lines, same_output
from asyncshell.course.model import ExampleStep, ExerciseStep, Lesson, PredictStep, QuestionStep, QuizStep, Step
from asyncshell.course.progress import StepStatus
from asyncshell.course.render import render_code, render_markdown
from asyncshell.course.standing import Tally
from asyncshell.repl.evaluator import Outcome
from asyncshell.text import cell_width, paint, plural, terminal_width

#: Lesson text is easier to read in a column than across a wide terminal.
MAX_WIDTH = 100

#: A predict step's question when its ``body`` does not ask one.
PREDICT_QUESTION = "What does this code print, and in what order?"
#: Between the lines of a predicted output, where it must fit on one line (the %answer picker).
LINE_MARK = " │ "

EXERCISE_NOTE = ("Write your code at the prompt, then %check it.\n"
                 "Stuck? %hint, %solution or %skip; %reset starts the exercise over.")


def prose(markdown: str, color: bool) -> str:
    """Lesson Markdown wrapped to the terminal, but no wider than ``MAX_WIDTH``."""
    return render_markdown(markdown, min(terminal_width(), MAX_WIDTH), color)


def no_such_lesson(lesson_id: str, ids: list[str]) -> str:
    close = difflib.get_close_matches(lesson_id, ids, n=1, cutoff=0.5)
    hint = (f" Did you mean %learn {close[0]}?" if close else
            " Type %lessons to see them. A course of your own: asyncshell learn --course DIR, "
            "or asyncshell course add DIR to find it every time.")
    return f"There is no lesson '{lesson_id}'.{hint}"


def prompt_prefix(lesson: Lesson, index: int) -> str:
    """What the prompt shows while a lesson runs: ``[first-steps 3/8] ``."""
    return f"[{lesson.id} {index + 1}/{len(lesson.steps)}] "


def heading(lesson: Lesson, index: int) -> str:
    return f"── {lesson.title} · step {index + 1} of {len(lesson.steps)}"


def step_text(step: Step, color: bool) -> str:
    """What a step shows before the learner acts, without the note on what to type."""
    if isinstance(step, QuizStep):
        return "\n".join(filter(None, [prose(step.question, color), choice_list(step, color)]))
    if isinstance(step, PredictStep):
        code = render_code(step.code.source, color)
        return "\n".join(filter(None, [prose(step.body or PREDICT_QUESTION, color), code, choice_list(step, color)]))
    if isinstance(step, ExampleStep):
        code = render_code(step.code.source, color)
        return f"{prose(step.body, color)}\n{code}" if step.body else code
    return prose(step.body, color)


def read_on(step: Step | QuestionStep, last: bool) -> str:
    """The note under a step that Enter passes."""
    try_it = ", %run to try it" if isinstance(step, ExampleStep) else ""
    return f"Enter to {'finish' if last else 'continue'}{try_it}."


def stuck_note(more: bool) -> str:
    """Under a failed check; ``more`` when ``%check -v`` would show where in the check it failed."""
    return "Stuck? %hint gives a hint, %solution shows a solution" + (
        "; %check -v shows the check's code." if more else ".")


def choice_list(step: QuestionStep, color: bool) -> str:
    """The choices numbered from 1: a quiz's in lesson Markdown, a predict step's as the output lines they are."""
    if isinstance(step, PredictStep):
        lines = []
        for n, choice in enumerate(step.choices, 1):
            first, *rest = choice.text.split("\n")
            lines += [f"  {n}. {first}", *(" " * len(f"  {n}. ") + line for line in rest)]
        return "\n".join(lines)
    return "\n".join(prose(f"  {n}. {choice.text}", color) for n, choice in enumerate(step.choices, 1))


def picker(step: QuestionStep, color: bool) -> tuple[str, list[str]]:
    """The question and the choices as the %answer picker shows them: rendered, each choice on one line."""
    if isinstance(step, PredictStep):
        return "What does it print?", [LINE_MARK.join(choice.text.split("\n")) for choice in step.choices]
    question = step.question if isinstance(step, QuizStep) else ""
    width = min(terminal_width(), MAX_WIDTH) - 2  # the picker pads its question by a column on each side
    return render_markdown(question, width, color), [render_markdown(choice.text, 10_000, color) for choice in step.choices]


def answer_usage(step: QuestionStep) -> str:
    if not step.is_multiple_choice:
        if isinstance(step, PredictStep):
            return "%answer and the lines it prints, in order, separated by commas (e.g. %answer one, two)"
        return "%answer YOUR ANSWER"
    if len(step.answers) > 1:
        return "%answer and every right number (e.g. %answer 1 3)"
    return "%answer N (the number of your choice; %answer alone picks with the arrow keys in a terminal)"


def right_answer(step: QuestionStep) -> str:
    """The answer and why, as a skipped quiz tells it."""
    if isinstance(step, PredictStep):
        return f"it prints {LINE_MARK.join(step.right_output.split(chr(10))).strip()}. {step.explanation}"
    if step.is_multiple_choice:
        answer = "; ".join(f"{n}. {step.choices[n - 1].text}" for n in sorted(step.answers))
    else:
        answer = step.accepted[0] if isinstance(step, QuizStep) else ""
    return f"{answer}. {step.explanation}"


def verdict(step: QuestionStep, picked: tuple[int, ...], right: bool) -> str:
    """After an answer: Right or Not quite, what each choice picked means, and why the answer is right.

    The quiz's own explanation would give a wrong answer away, so a quiz keeps
    it until the answer is right; a predict step has shown the output by then.
    """
    said = [step.choices[n - 1].explanation for n in picked
            if 0 < n <= len(step.choices) and step.choices[n - 1].explanation and (right or n not in step.answers)]
    if right or isinstance(step, PredictStep):
        said.append(step.explanation)
    if not right and isinstance(step, QuizStep):
        said.append("Have another look and answer again (or %skip it).")
    return " ".join(["Right." if right else "Not quite.", *said])


def comparison(predicted: list[str], printed: list[str], color: bool) -> str:
    """The prediction beside what the code printed, line by line; lines that differ are marked.

    One above the other when the two columns would not fit the terminal.
    """
    titles = ("You predicted", "It printed")
    left = max(cell_width(line) for line in [titles[0], *predicted])
    right = max(cell_width(line) for line in [titles[1], *printed])
    rows = max(len(predicted), len(printed))
    column = lambda lines, i: lines[i] if i < len(lines) else ""
    if left + right + 5 > min(terminal_width(), MAX_WIDTH):
        return "\n".join([f"{titles[0]}:", *("  " + line for line in predicted),
                          f"{titles[1]}:", *("  " + line for line in printed)])
    kinds = ("strong", "error") if color else ()
    lines = [paint(f"  {titles[0]}{' ' * (left - cell_width(titles[0]))}   {titles[1]}", *kinds[:1])]
    for i in range(rows):
        guess, real = column(predicted, i), column(printed, i)
        mark = "   " if same_output(guess, real) else paint(" ≠ ", *kinds[1:])
        lines.append(f"  {guess}{' ' * (left - cell_width(guess))}{mark}{real}")
    return "\n".join(lines)


def prediction(step: PredictStep, reply: str, picked: tuple[int, ...], printed: list[str]) -> list[str]:
    """The lines a reply predicts, to show beside the ``printed`` ones: the picked choice's, or the typed ones."""
    if step.choices and picked:
        return step.choices[picked[0] - 1].text.split("\n")
    return predicted_lines(reply, printed)


def what_now(step: Step) -> str:
    """What a quiz or exercise wants before Enter moves on."""
    if isinstance(step, QuestionStep):
        return f"Answer with {answer_usage(step)}, or %skip the question."
    return "Write your code at the prompt, then %check it; %hint, %solution and %skip help if you are stuck."


#: What each kind of step is, and what works there.
_STEP_KINDS = {
    "text": "text to read: Enter or %next goes on",
    "example": "an example: %run runs its code, Enter goes on",
    "quiz": "a quiz: answer it with %answer",
    "predict": "a question on what code prints: answer it with %answer",
    "exercise": "an exercise: write your code at the prompt, then %check it",
}


def not_this_step(step: Step, what: str) -> str:
    """A command meant for another kind of step: ``%check checks an exercise, and this step is text to read: ...``."""
    return f"{what}, and this step is {_STEP_KINDS[step.type]}."


def been_here(step: QuestionStep | ExerciseStep, status: StepStatus | None) -> str | None:
    """Back at a step already answered, solved or skipped (``%back``, a lesson taken again): say so, and what Enter does."""
    if status is None or not (status.done or status.skipped):
        return None
    if isinstance(step, ExerciseStep):
        did = "solved this exercise" if status.done else "skipped this exercise"
        return f"You {did} already: Enter goes on, or %check your code again."
    return f"You {'answered' if status.done else 'skipped'} this already: Enter goes on, or answer again."


def no_such_number(number: int, count: int) -> str:
    return f"There is no lesson {number}; %lessons numbers them from 1 to {count}." if count else "No lessons found."


def completed(tally: Tally) -> str:
    """After "Lesson complete: TITLE": how many steps were done, and what was skipped or seen."""
    extra = [f"{tally.skipped} skipped"] if tally.skipped else []
    extra += [f"{plural(tally.revealed, 'solution')} seen"] if tally.revealed else []
    more = f" ({', '.join(extra)})" if extra else ""
    return f"; {tally.done} of {tally.total} steps done{more}."


def resume_offer(lesson: Lesson, tally: Tally) -> str:
    return (f"You were in the middle of '{lesson.title}' ({tally.done} of {tally.total} steps done); "
            f"type %learn {lesson.id} to carry on.")


def after_edit(name: str, outcome: Outcome) -> str:
    """What the code saved in %edit did to the namespace: all of it ran, some of it, or none."""
    if outcome.kind == "ok":
        return f"Ran {name} into your namespace; %check when ready, %edit to change it."
    if isinstance(outcome.error, SyntaxError):
        return f"Nothing in {name} ran, because it does not compile; %edit to fix it."
    if outcome.kind == "error":
        return f"{name} stopped with an error; what ran before it is in your namespace. %edit to fix it."
    return f"{name} was stopped before its end; what ran is in your namespace. %edit to change it."


def failed_to_run(step: ExerciseStep, part: str) -> str:
    """The note when a lesson's own setup or solution does not run cleanly: the author's bug, not the learner's."""
    if part == "setup":
        return f"The setup of exercise '{step.id}' failed; this is a problem in the lesson."
    return f"The solution of exercise '{step.id}' did not run cleanly; this is a problem in the lesson."
