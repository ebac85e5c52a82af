"""``%blocking``: show, set or turn off the blocking detector's threshold."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from asyncshell.errors import UsageError
from asyncshell.insight.watchdog import install_watchdog

if TYPE_CHECKING:
    from asyncshell.repl.session import Session

#: (name, summary, usage, target) for ``registry.lazy``.
COMMAND = (
    "blocking",
    "report code that blocks the event loop longer than SECONDS (default 0.2), or turn that off",
    "%blocking [SECONDS|on|off]",
    f"{__name__}:blocking",
)

_USAGE = "Usage: %blocking [SECONDS|on|off], e.g. %blocking 0.5; SECONDS between 0.01 and 3600."


def blocking(session: Session, arg: str) -> None:
    watchdog = install_watchdog(session)
    word = arg.strip().lower().removesuffix("s").strip()
    if word == "off":
        watchdog.threshold = None
    elif word == "on":
        watchdog.threshold = watchdog.last_threshold
    elif word:
        try:
            seconds = float(word)
        except ValueError:
            raise UsageError(_USAGE) from None
        if not (math.isfinite(seconds) and 0.01 <= seconds <= 3600):
            raise UsageError(_USAGE)
        watchdog.threshold = seconds
    if watchdog.threshold is not None:
        session.console.note(f"Blocking detector: on; a step that holds the event loop for more than {watchdog.threshold:g} s is reported.")
    else:
        session.console.note("Blocking detector: off. Turn it back on with %blocking on or %blocking SECONDS.")
