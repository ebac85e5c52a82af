"""Values as a failed check shows them: short, floats to 3 significant digits, and where two that should be equal differ.

``difference`` follows pytest's compare explanations (``assertrepr_compare``),
kept to a few lines a learner can read: for lists and tuples the first index
that differs (``at index 0: 3 != 1``) and the items one has more or fewer; for
dicts the keys whose values differ, and the keys missing or extra; for strings
the first character that differs, or what is missing or extra at the end.
The left side is named by its source text, so the lines say whose items are
missing: usually the learner's value, compared with what the check expects.
"""

from __future__ import annotations

import math

#: Longest repr shown for one value.
MAX_REPR = 200
#: Containers with more items than this are shown as they are (and cut): rounding them would cost.
_ROUNDED_ITEMS = 50
#: Most differing items or keys named, and most extra or missing ones listed.
_MOST = 3


def short_repr(value: object, limit: int = MAX_REPR) -> str:
    """``repr(value)`` cut to ``limit`` characters, floats (also in small lists, tuples and dicts) to 3 significant digits; never raises."""
    try:
        text = repr(_rounded(value))
    except Exception as exc:  # noqa: BLE001 - a learner's __repr__ may do anything
        return f"<{type(value).__name__} object; repr() raised {type(exc).__name__}>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _rounded(value: object, depth: int = 0) -> object:
    """``0.30079465800000094`` as ``0.301``: timings read at a glance."""
    if type(value) is float:
        return float(f"{value:.3g}") if math.isfinite(value) else value
    if depth >= 3 or not isinstance(value, (list, tuple, dict)) or len(value) > _ROUNDED_ITEMS:
        return value
    if type(value) is dict:
        return {key: _rounded(item, depth + 1) for key, item in value.items()}
    if type(value) is list:
        return [_rounded(item, depth + 1) for item in value]
    if type(value) is tuple:
        return tuple(_rounded(item, depth + 1) for item in value)
    return value


def difference(left: object, right: object, left_text: str, right_text: str) -> list[str]:
    """Lines saying where ``left`` (written ``left_text``) differs from ``right``: lists, tuples, dicts and strings."""
    left_text, right_text = _cut(left_text), _cut(right_text)
    if type(left) is not type(right) and not (isinstance(left, str) and isinstance(right, str)):
        return []
    if isinstance(left, str) and isinstance(right, str):
        return _text_difference(left, right, left_text)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return _sequence_difference(left, right, left_text, right_text)
    if isinstance(left, dict) and isinstance(right, dict):
        return _dict_difference(left, right, left_text)
    return []


def _pair(left: object, right: object) -> str:
    """``3 != 1``, in full where rounding would make the two look the same."""
    shown = short_repr(left), short_repr(right)
    if shown[0] == shown[1]:
        shown = _full_repr(left), _full_repr(right)
    return f"{shown[0]} != {shown[1]}"


def _full_repr(value: object) -> str:
    try:
        return repr(value)[:MAX_REPR]
    except Exception:  # noqa: BLE001 - a learner's __repr__ may do anything
        return short_repr(value)


def _text_difference(left: str, right: str, left_text: str) -> list[str]:
    at = next((i for i, (a, b) in enumerate(zip(left, right)) if a != b), None)
    if at is not None:
        after = f" (after {short_repr(left[max(0, at - 20):at])})" if at else ""
        return [f"first differing character at index {at}: {left[at]!r} != {right[at]!r}{after}"]
    if len(left) < len(right):
        return [f"{left_text} is missing {short_repr(right[len(left):])} at the end"]
    return [f"{left_text} has {short_repr(left[len(right):])} too many at the end"]


def _sequence_difference(left: list[object] | tuple[object, ...], right: list[object] | tuple[object, ...],
                         left_text: str, right_text: str) -> list[str]:
    lines = [f"at index {i}: {_pair(a, b)}" for i, (a, b) in enumerate(zip(left, right)) if a != b][:1]
    extra = len(left) - len(right)
    if extra > 0:
        lines.append(f"{left_text} has {_items(extra)} more than {right_text}: {_listed(left[len(right):])}")
    elif extra < 0:
        lines.append(f"{left_text} has {_items(-extra)} fewer than {right_text}, missing: {_listed(right[len(left):])}")
    return lines


def _dict_difference(left: dict[object, object], right: dict[object, object], left_text: str) -> list[str]:
    differing = [key for key in left if key in right and left[key] != right[key]]
    lines = [f"at key {short_repr(key)}: {_pair(left[key], right[key])}" for key in differing[:_MOST]]
    if len(differing) > _MOST:
        lines.append(f"... and {len(differing) - _MOST} more keys differ")
    missing = [key for key in right if key not in left]
    extra = [key for key in left if key not in right]
    if missing:
        lines.append(f"{left_text} is missing {_keys(missing)}")
    if extra:
        lines.append(f"{left_text} has {'an extra key' if len(extra) == 1 else 'extra keys'} {_listed(extra)}")
    return lines


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _keys(keys: list[object]) -> str:
    return ("key " if len(keys) == 1 else "keys ") + _listed(keys)


def _listed(items: list[object] | tuple[object, ...]) -> str:
    shown = ", ".join(short_repr(item, 60) for item in items[:_MOST])
    return shown + (", ..." if len(items) > _MOST else "")


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
