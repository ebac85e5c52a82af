"""A lesson's steps as the learner reads them: headings, prose, quiz choices, what to type next, the right answer.

Pure functions from the model (and a tally) to text, so every wording the tutor
uses lives here and can be read, and tested, without a session.
"""

from __future__ import annotations

import difflib

from asyncshell.course.model import ExampleStep, ExerciseStep, Lesson, QuizStep, Step
from asyncshell.course.render import render_code, render_markdown
from asyncshell.course.standing import Tally
from asyncshell.repl.evaluator import Outcome
from asyncshell.text import plural, terminal_width

#: Lesson text is easier to read in a column than across a wide terminal.
MAX_WIDTH = 100

EXERCISE_NOTE = ("Write your code at the prompt, then %check it.\n"
                 "Stuck? %hint, %solution or %skip; %reset starts the exercise over.")


def prose(markdown: str, color: bool) -> str:
    """Lesson Markdown wrapped to the terminal, but no wider than ``MAX_WIDTH``."""
    return render_markdown(markdown, min(terminal_width(), MAX_WIDTH), color)


def no_such_lesson(lesson_id: str, ids: list[str]) -> str:
    close = difflib.get_close_matches(lesson_id, ids, n=1, cutoff=0.5)
    hint = f" Did you mean %learn {close[0]}?" if close else " Type %lessons to see them."
    return f"There is no lesson '{lesson_id}'.{hint}"


def prompt_prefix(lesson: Lesson, index: int) -> str:
    """What the prompt shows while a lesson runs: ``[first-steps 3/8] ``."""
    return f"[{lesson.id} {index + 1}/{len(lesson.steps)}] "


def heading(lesson: Lesson, index: int) -> str:
    return f"── {lesson.title} · step {index + 1} of {len(lesson.steps)}"


def step_text(step: Step, color: bool) -> str:
    """What a step shows before the learner acts, without the note on what to type."""
    if isinstance(step, QuizStep):
        return "\n".join([prose(step.question, color), *(f"  {n}. {choice}" for n, choice in enumerate(step.choices, 1))])
    if isinstance(step, ExampleStep):
        code = render_code(step.code.source, color)
        return f"{prose(step.body, color)}\n{code}" if step.body else code
    return prose(step.body, color)


def read_on(step: Step, last: bool) -> str:
    """The note under a step that Enter passes."""
    try_it = ", %run to try it" if isinstance(step, ExampleStep) else ""
    return f"Enter to {'finish' if last else 'continue'}{try_it}."


def stuck_note(more: bool) -> str:
    """Under a failed check; ``more`` when ``%check -v`` would show where in the check it failed."""
    return "Stuck? %hint gives a hint, %solution shows a solution" + (
        "; %check -v shows the check's code." if more else ".")


def answer_usage(step: QuizStep) -> str:
    if not step.is_multiple_choice:
        return "%answer YOUR ANSWER"
    if len(step.answers) > 1:
        return "%answer and every right number (e.g. %answer 1 3)"
    return "%answer N (the number of your choice; %answer alone picks with the arrow keys in a terminal)"


def right_answer(step: QuizStep) -> str:
    """The answer and why, as a skipped quiz tells it."""
    if step.is_multiple_choice:
        answer = "; ".join(f"{n}. {step.choices[n - 1]}" for n in sorted(step.answers))
    else:
        answer = step.accepted[0]
    return f"{answer}. {step.explanation}"


def what_now(step: Step) -> str:
    """What a quiz or exercise wants before Enter moves on."""
    if isinstance(step, QuizStep):
        return f"Answer with {answer_usage(step)}, or %skip the question."
    return "Write your code at the prompt, then %check it; %hint, %solution and %skip help if you are stuck."


def not_this_step(step: Step, what: str) -> str:
    """A command meant for another kind of step: ``This step is a text; %check checks an exercise.``"""
    return f"This step is {'an' if step.type[0] in 'aeiou' else 'a'} {step.type}; {what}."


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
