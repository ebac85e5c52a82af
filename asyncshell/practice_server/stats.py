"""The practice server's bookkeeping: live counters and the frozen snapshot lessons check.

Everything here runs on the server's one event loop and only between awaits,
so plain integers are enough: no locks, no atomics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

# A learner's loop over a million made-up paths must not grow memory without
# bound.  Past this many distinct paths, new ones are counted under their first
# segment ("/tiles/…"), which keeps requests_for("/tiles/") right, for at most
# MAX_OVERFLOW_KEYS first segments; the rest all count under "/…".  A key is
# never longer than MAX_KEY characters.
MAX_DISTINCT_PATHS = 10_000
MAX_OVERFLOW_KEYS = 100
MAX_KEY = 200


@dataclass(frozen=True, repr=False)
class ServerStats:
    """What the server has seen since it was created or last reset.

    ``requests`` and ``statuses`` answer 0 for a key never seen, so a check can
    say ``s.statuses[429] == 0`` without ``.get``.
    """

    total_requests: int
    in_flight: int
    peak_in_flight: int
    bytes_sent: int
    aborted: int
    requests: Mapping[str, int]
    statuses: Mapping[int, int]

    def requests_for(self, prefix: str) -> int:
        """Requests whose path starts with ``prefix``: ``requests_for('/tiles/')``."""
        return sum(n for path, n in self.requests.items() if path.startswith(prefix))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (status codes become string keys, as JSON needs)."""
        return {
            "total_requests": self.total_requests,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "bytes_sent": self.bytes_sent,
            "aborted": self.aborted,
            "requests": dict(self.requests),
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
        }

    def __repr__(self) -> str:
        # The default repr shows "mappingproxy(Counter(...))"; a learner printing
        # server.stats() in the shell should see plain dicts.
        return (
            f"ServerStats(total_requests={self.total_requests}, in_flight={self.in_flight}, "
            f"peak_in_flight={self.peak_in_flight}, bytes_sent={self.bytes_sent}, "
            f"aborted={self.aborted}, requests={dict(self.requests)}, "
            f"statuses={dict(sorted(self.statuses.items()))})"
        )


class StatsRecorder:
    """Live counters, fed by the bookkeeping wrapper in app.py: ``begin`` on arrival, ``end`` once sent."""

    __slots__ = ("_requests", "_statuses", "_total", "_in_flight", "_peak", "_bytes", "_aborted")

    def __init__(self) -> None:
        self._in_flight = 0
        self.reset()

    def reset(self) -> None:
        """Zero the counters.

        Requests still in flight stay counted as in flight (they will finish
        later and must not drive the count below zero), so the peak restarts
        from them.
        """
        self._requests: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._total = 0
        self._peak = self._in_flight
        self._bytes = 0
        self._aborted = 0

    def begin(self, path: str) -> None:
        """A request arrived for ``path``."""
        requests = self._requests
        if path not in requests:
            path = _key_for(path, requests)
        requests[path] += 1
        self._total += 1
        self._in_flight += 1
        if self._in_flight > self._peak:
            self._peak = self._in_flight

    def end(self, status: int | None, bytes_sent: int) -> None:
        """A request finished; ``status`` is None when the client left before it was sent."""
        self._in_flight -= 1
        self._bytes += bytes_sent
        if status is None:
            self._aborted += 1
        else:
            self._statuses[status] += 1

    def snapshot(self) -> ServerStats:
        """A frozen copy, safe to keep while the server goes on counting."""
        return ServerStats(
            total_requests=self._total,
            in_flight=self._in_flight,
            peak_in_flight=self._peak,
            bytes_sent=self._bytes,
            aborted=self._aborted,
            requests=MappingProxyType(self._requests.copy()),
            statuses=MappingProxyType(self._statuses.copy()),
        )


def _key_for(path: str, requests: Counter[str]) -> str:
    """The key a path not seen before counts under, so that the number and size of keys stay bounded."""
    if len(path) > MAX_KEY:
        path = path[: MAX_KEY - 1] + "…"
    if path in requests or len(requests) < MAX_DISTINCT_PATHS:
        return path
    first, slash, _ = path[1:].partition("/")
    key = f"/{first}/…" if slash and len(first) < 32 else "/…"
    if key in requests or len(requests) < MAX_DISTINCT_PATHS + MAX_OVERFLOW_KEYS:
        return key
    return "/…"
