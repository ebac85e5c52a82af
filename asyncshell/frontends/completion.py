"""Tab completion from the live namespace: names, and attributes along a dotted path.

Attribute paths are followed with ``inspect.getattr_static``, so completing never
runs a property or ``__getattr__`` of the user's objects.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import re
from typing import Any

_TAIL = re.compile(r"((?:[A-Za-z_]\w*\.)*)([A-Za-z_]\w*)?$")
_MISSING = object()


def complete(text_before_cursor: str, namespace: dict[str, Any]) -> tuple[str, list[str]]:
    """The word being completed and its candidates, sorted; private names only once ``_`` is typed."""
    match = _TAIL.search(text_before_cursor)
    if match is None:
        return "", []
    path, word = match.group(1), match.group(2) or ""
    if path:
        preceding = text_before_cursor[: match.start()]
        if preceding.endswith((".", "'", '"')) or re.search(r"\d$", preceding):
            return word, []
        target = _resolve(path[:-1].split("."), namespace)
        if target is _MISSING:
            return word, []
        candidates = set(_safe_dir(target))
    else:
        if not word:
            return "", []
        candidates = set(namespace) | set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist)
    hide_private = not word.startswith("_")
    return word, sorted(c for c in candidates if c.startswith(word) and not (hide_private and c.startswith("_")))


def _resolve(names: list[str], namespace: dict[str, Any]) -> Any:
    first, *rest = names
    value = namespace.get(first, getattr(builtins, first, _MISSING))
    for name in rest:
        if value is _MISSING:
            return _MISSING
        try:
            value = inspect.getattr_static(value, name)
        except AttributeError:
            return _MISSING
        if isinstance(value, (property, classmethod, staticmethod)) or hasattr(type(value), "__set__"):
            return _MISSING  # a descriptor: its value needs code to run
    return value


def _safe_dir(value: Any) -> list[str]:
    try:
        return [name for name in dir(value) if isinstance(name, str)]
    except Exception:  # noqa: BLE001 - a user's __dir__ may raise anything
        return []
