"""Which lesson teaches a mistake: the "Lesson '...' covers this" line an explanation may end with.

The lessons say what they teach (``teaches:`` in their YAML, kinds from
``asyncshell.insight.mistakes``); the explanations only name the kind of
mistake, and ``LessonLinks`` joins the two.  The catalog is loaded the first
time a link is asked for, so a session without mistakes never reads a lesson.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable


if TYPE_CHECKING:
    from asyncshell.course.model import LoadResult
    from asyncshell.repl.session import Session


class LessonLinks:
    """``lesson_link`` for ``install_explanations``: a kind of mistake -> a line naming a lesson that teaches it.

    ``load`` gives the course; by default, the catalog with the session's ``--lessons-dir`` folders.
    """

    def __init__(self, session: Session, *, load: Callable[[], LoadResult] | None = None) -> None:
        self._session = session
        self._load = load or self._load_catalog
        self._course: LoadResult | None = None

    def __call__(self, kind: str) -> str | None:
        """The first lesson in course order that teaches ``kind``, other than the one the learner is in: they are reading it."""
        if self._course is None:
            self._course = self._load()
        current = self._current_lesson()
        for lesson in self._course.lessons:
            if kind in lesson.teaches and lesson.id != current:
                return f"Lesson '{lesson.title}' covers this: %learn {lesson.id}"
        return None

    def _current_lesson(self) -> str | None:
        from asyncshell.course.tutor import Tutor  # loaded already if a lesson runs

        tutor = self._session.features.get(Tutor)
        return tutor.lesson.id if tutor is not None and tutor.lesson is not None else None

    def _load_catalog(self) -> LoadResult:
        from asyncshell.course.tutor import session_catalog  # the loader is not needed before the first link

        return session_catalog(self._session)
