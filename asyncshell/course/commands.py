"""The lesson %commands: each hands the rest of the line to the session's ``Tutor``.

``asyncshell.commands`` registers them lazily, so nothing here loads until a
learner first types one.  ``COMMANDS`` lists them for that registration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable

from asyncshell.course.progress_command import report
from asyncshell.course.tutor import tutor_for
from asyncshell.errors import UsageError

if TYPE_CHECKING:
    from asyncshell.session import Session

#: (name, summary, usage, target) for ``registry.lazy``, in the order %help should make sense of them.
COMMANDS: tuple[tuple[str, str, str, str], ...] = tuple(
    (name, summary, usage, f"{__name__}:{function}")
    for name, summary, usage, function in (
        ("lessons", "list the lessons and how far you got", "%lessons", "lessons"),
        ("learn", "start a lesson, or carry on where you left it", "%learn [ID]", "learn"),
        ("next", "go on to the next step (Enter on an empty line does too)", "%next", "next_step"),
        ("back", "go back a step in the lesson", "%back", "back"),
        ("run", "run the example on screen in your namespace", "%run", "run_example"),
        ("answer", "answer the quiz on screen", "%answer N... | TEXT", "answer"),
        ("check", "check your code against the exercise", "%check", "check"),
        ("hint", "show the exercise's next hint", "%hint", "hint"),
        ("solution", "show a solution (counts as seen, not solved)", "%solution", "solution"),
        ("skip", "skip the step (an exercise's solution runs for you)", "%skip", "skip"),
        ("reset", "put your namespace back as the exercise began", "%reset [yes]", "reset"),
        ("progress", "show your progress in every lesson", "%progress", "progress"),
    )
)


def _no_argument(name: str, arg: str) -> None:
    if arg:
        raise UsageError(f"%{name} takes no argument.")


def lessons(session: Session, arg: str) -> None:
    _no_argument("lessons", arg)
    tutor_for(session).list_lessons()


def learn(session: Session, arg: str) -> Awaitable[None]:
    return tutor_for(session).learn(arg)


def next_step(session: Session, arg: str) -> Awaitable[None]:
    _no_argument("next", arg)
    return tutor_for(session).next()


def back(session: Session, arg: str) -> Awaitable[None]:
    _no_argument("back", arg)
    return tutor_for(session).back()


def run_example(session: Session, arg: str) -> Awaitable[None]:
    _no_argument("run", arg)
    return tutor_for(session).run_example()


def answer(session: Session, arg: str) -> Awaitable[None]:
    return tutor_for(session).answer(arg)


def check(session: Session, arg: str) -> Awaitable[None]:
    _no_argument("check", arg)
    return tutor_for(session).check()


def hint(session: Session, arg: str) -> None:
    _no_argument("hint", arg)
    tutor_for(session).hint()


def solution(session: Session, arg: str) -> None:
    _no_argument("solution", arg)
    tutor_for(session).solution()


def skip(session: Session, arg: str) -> Awaitable[None]:
    _no_argument("skip", arg)
    return tutor_for(session).skip()


def reset(session: Session, arg: str) -> Awaitable[None]:
    return tutor_for(session).reset(arg)


def progress(session: Session, arg: str) -> None:
    _no_argument("progress", arg)
    tutor = tutor_for(session)
    session.console.write(report(tutor.store, tutor.course.lessons))
