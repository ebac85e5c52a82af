"""Reading numbers and names out of URLs, and the one error a bad value raises.

Every limit a learner can hit lives here as a constant, so the docs, the
messages and the checks cannot disagree.
"""

from __future__ import annotations

import re
from typing import TypeVar

from aiohttp import web

MAX_DELAY = 30.0
MAX_JSON_ITEMS = 1000
MAX_ZOOM = 18
MAX_FILE_SIZE = 50_000_000
MAX_LIMIT = 1000
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


_N = TypeVar("_N", int, float)


class BadParameter(Exception):
    """A URL value we will not serve; the bookkeeping wrapper in app.py turns it into a 400 with this message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def number(raw: str | None, name: str, low: float, high: float, default: float | None = None) -> float:
    """``raw`` as a float in ``[low, high]``, or ``default`` when it is absent."""
    return _bounded(raw, name, float, low, high, default)


def integer(
    raw: str | None, name: str, low: int, high: int, default: int | None = None, where: str = ""
) -> int:
    """``raw`` as an int in ``[low, high]``; ``where`` adds context such as " at zoom 3"."""
    return _bounded(raw, name, int, low, high, default, where)


def short_name(raw: str, what: str = "name") -> str:
    """A file or page name: 1 to 64 letters, digits, '.', '_' or '-' (no slashes, no surprises)."""
    if not _NAME.fullmatch(raw):
        raise BadParameter(what, f"{what} must be 1 to 64 letters, digits, '.', '_' or '-', got {raw!r}")
    return raw


def delay(request: web.Request, default: float = 0.0) -> float:
    """The ``?delay=SECONDS`` every endpoint accepts."""
    return number(request.query.get("delay"), "delay", 0.0, MAX_DELAY, default)


def _bounded(raw: str | None, name: str, kind: type[_N], low: _N, high: _N, default: _N | None, where: str = "") -> _N:
    if raw is not None:
        try:
            value = kind(raw)
        except ValueError:
            value = None
        # Written this way round so that nan fails the comparison too.
        if value is not None and low <= value <= high:
            return value
    elif default is not None:
        return default
    # Messages are built only here: this runs on every request, and most are fine.
    if kind is float:
        wanted = f"a number between {low:g} and {high:g}"
    else:
        wanted = f"a whole number between {low} and {high}{where}"
    if raw is None:
        raise BadParameter(name, f"{name} is required: {wanted}")
    raise BadParameter(name, f"{name} must be {wanted}, got {raw!r}")
