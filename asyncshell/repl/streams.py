"""The standard streams the shell started with, put back when a learner's code closes or replaces them.

``sys.stdout.close()`` closes file descriptor 1 too, and with it the terminal the
shell writes to and reads from.  A spare copy of each descriptor is kept from the
start, so a closed stream can be reopened on the same descriptor number.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import TextIO, cast

_NAMES = ("stdin", "stdout", "stderr")


class StandardStreams:
    """Remembers ``sys.stdin``/``stdout``/``stderr`` and their descriptors; ``restore`` puts back what code broke."""

    def __init__(self) -> None:
        self._original: dict[str, TextIO] = {}
        self._spare: dict[str, int] = {}
        for name in _NAMES:
            stream = getattr(sys, name)
            if stream is None:
                continue
            self._original[name] = stream
            with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                self._spare[name] = os.dup(stream.fileno())

    def restore(self) -> list[str]:
        """Put back every standard stream that was closed or replaced; the names of those put back."""
        restored = []
        for name, original in list(self._original.items()):
            current = getattr(sys, name)
            if current is original and not _closed(original):
                continue
            if _closed(original):
                reopened = self._reopen(name, original)
                if reopened is None:
                    continue
                self._original[name] = reopened
            setattr(sys, name, self._original[name])
            restored.append(name)
        return restored

    def current(self, name: str) -> TextIO | None:
        """The working stream the shell keeps for ``name`` (after ``restore``)."""
        return self._original.get(name)

    def close(self) -> None:
        """Give back the spare descriptors, once the session is over."""
        for spare in self._spare.values():
            with contextlib.suppress(OSError):
                os.close(spare)
        self._spare.clear()

    def _reopen(self, name: str, old: TextIO) -> TextIO | None:
        spare = self._spare.get(name)
        if spare is None:
            return None
        fd = {"stdin": 0, "stdout": 1, "stderr": 2}[name]
        try:
            try:
                os.fstat(fd)
            except OSError:  # the descriptor itself was closed: give it back its old file
                os.dup2(spare, fd)
            mode = "r" if name == "stdin" else "w"
            reopened = cast(TextIO, open(fd, mode, encoding=getattr(old, "encoding", None) or "utf-8",  # noqa: SIM115 - kept for the session
                        errors=getattr(old, "errors", None) or "replace", closefd=False,
                        buffering=1 if mode == "w" else -1))
            return reopened
        except OSError:
            return None


def _closed(stream: TextIO) -> bool:
    try:
        return bool(stream.closed)
    except Exception:  # noqa: BLE001 - a replaced stream may be any object
        return True
