"""The one contract between the REPL core and the features built on it.

A feature (lessons, the practice server, the blocking detector, the timeline,
the explanations) is handed the ``Session`` and may use exactly this:

    session.evaluator   run code in the learner's namespace; its tasks (``TaskWatch``),
                        per-input callbacks (``on_input_start``/``on_input_end``),
                        code transforms and ``notes``
    session.console     write values, errors, notes and explanations
    session.commands    the %command registry
    session.hooks       the slots below (``Hooks``): what a feature may set
    session.features    one object per feature class, made on first use (``Features``)
    session.terminal    what only a terminal can do (``Terminal``), or None

Nothing else is attached to the session: a feature that needs state keeps it
in its own object and finds it again with ``session.features.get(Kind)``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Awaitable, Callable, TypeVar

T = TypeVar("T")

Cleanup = Callable[[], Awaitable[None] | None]


@dataclasses.dataclass
class Hooks:
    """The slots a feature may set; each has a default that does nothing."""

    #: Shown before ``>>> ``, e.g. the lesson and step.
    prompt_prefix: str = ""
    #: Put into the next prompt's buffer once, e.g. an exercise's starter code.
    prefill: str = ""
    #: Called on Enter at an empty line (a lesson reads on).
    on_empty_input: Callable[[], Awaitable[None] | None] | None = None
    #: Turns an error, a warning or a loop message into a short friendly explanation.
    explain: Callable[[object], str | None] | None = None
    #: Run once when the session ends, after the user's tasks are cancelled.
    cleanups: list[Cleanup] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Terminal:
    """What only a terminal front end can do; pipes and tests have none."""

    #: Ask for one of several options with the arrow keys; None when the user backs out.
    choose: Callable[[str, list[str]], Awaitable[int | None]]
    #: Open a file in the user's editor; returns when it is closed.
    edit: Callable[[Path], Awaitable[None]]


class Features:
    """One object per feature class for the session, typed by the class: ``get_or_make(Tutor, ...)``."""

    def __init__(self) -> None:
        self._made: dict[type, object] = {}

    def get(self, kind: type[T]) -> T | None:
        found = self._made.get(kind)
        return found if isinstance(found, kind) else None

    def get_or_make(self, kind: type[T], make: Callable[[], T]) -> T:
        found = self.get(kind)
        if found is None:
            found = self._made[kind] = make()
        return found

    def forget(self, feature: object) -> None:
        """Drop ``feature`` if it is the session's one of its kind; the next use makes a fresh one."""
        if self._made.get(type(feature)) is feature:
            del self._made[type(feature)]
