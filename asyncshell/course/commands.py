"""The lesson %commands: each hands the rest of the line to the session's ``Tutor``.

``asyncshell.features`` lists them for lazy registration, so nothing here loads
until a learner first types one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable

from asyncshell.course.standing import report
from asyncshell.course.tutor import tutor_for
from asyncshell.errors import UsageError

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

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
    if arg not in ("", "-v"):
        raise UsageError("Usage: %check [-v]  (-v also shows where in the check it failed)")
    return tutor_for(session).check(verbose=arg == "-v")


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


def edit(session: Session, arg: str) -> Awaitable[None]:
    _no_argument("edit", arg)
    return tutor_for(session).edit()


def lesson_ids(session: Session, arg: str) -> list[str]:
    """Tab after %learn: the ids of the lessons in use."""
    return [lesson.id for lesson in tutor_for(session).course.lessons]
