"""How a typed quiz reply is compared with the answers a quiz accepts: as a person marking it would.

A reply and an answer match when they are the same text after ``normalize``
(case, runs of spaces, quotes or backticks around it and punctuation after it
do not count), or when both read as the same *quantity*:

    a number         ``1``, ``0.50``, ``.5``, or a number word up to ninety-nine
                     (``one``, ``twenty-one``), or ``a``/``an`` before a unit
    then a unit      s, sec, secs, second, seconds; ms, msec, millisecond(s)
    after a hedge    about, around, roughly, approximately, approx, circa, ~, ≈

Numbers compare as numbers (``0.50`` is ``0.5``).  An answer written without a
unit is in the question's own unit: a reply may add a unit of seconds
(``1 s``, ``one second``), but a reply in milliseconds is not converted.  An
answer written with a unit converts: for ``1 s``, ``1000 ms`` is right, and a
reply without a unit is taken in the answer's unit.

A typed prediction of what code prints (a predict step) is right when it has
the same words as the output, in the same order, each compared as ``normalize``
does: lines may be separated by commas, semicolons, slashes or spaces, so
``start, A, B, end`` and ``start A B end`` both predict four lines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORDS: dict[str, int] = {word: n for n, word in enumerate(_ONES)} | _TENS
#: Seconds per unit, by every spelling a reply may use.
_UNITS: dict[str, float] = dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1.0) | dict.fromkeys(
    ("ms", "msec", "msecs", "millisecond", "milliseconds"), 0.001)
_HEDGES = re.compile(r"^(?:(?:about|around|roughly|approximately|approx\.?|circa|ca\.|~|≈)\s*)+")
_NUMERAL = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$")
_QUOTES = "\"'`“”‘’"
_TRAILING = ".!?,;:"
_LINE_BREAKS = re.compile(r"\s*[,;/|\n]\s*")
_WORD_BREAKS = re.compile(r"[\s,;/|]+")


def normalize(text: str) -> str:
    """The form typed answers are compared in: case-folded, spaces collapsed, no quotes around, no punctuation after.

    An answer that is nothing but punctuation keeps it, so it can still be told apart.
    """
    folded = " ".join(text.casefold().split())
    stripped = folded.rstrip(_TRAILING + " ").strip(_QUOTES + " ").rstrip(_TRAILING + " ")
    return stripped or folded


def matches(reply: str, accepted: Iterable[str]) -> bool:
    """Whether ``reply`` is one of the ``accepted`` answers, by text or as a quantity (see the module)."""
    said = normalize(reply)
    heard = quantity(said)
    for answer in accepted:
        if normalize(answer) == said:
            return True
        wanted = quantity(normalize(answer))
        if heard is not None and wanted is not None and _same(heard, wanted):
            return True
    return False


def quantity(text: str) -> tuple[float, str] | None:
    """``text`` (already normalized) as a number and its unit ("" for none), or None when it is not one."""
    text = _HEDGES.sub("", text)
    numeral = _NUMERAL.match(text)
    if numeral:
        number, unit = float(numeral[1]), numeral[2]
    else:
        words = text.replace("-", " ").split()
        unit = words.pop() if len(words) > 1 and words[-1] in _UNITS else ""
        number = _number_words(words, has_unit=bool(unit))
    if unit and unit not in _UNITS or not math.isfinite(number):
        return None
    return number, unit


def _number_words(words: list[str], *, has_unit: bool) -> float:
    """``one``, ``twenty one``, or ``a``/``an`` before a unit; NaN for anything else."""
    if len(words) == 1 and words[0] in ("a", "an") and has_unit:
        return 1.0
    if len(words) == 1 and words[0] in _WORDS:
        return float(_WORDS[words[0]])
    if len(words) == 2 and words[0] in _TENS and words[1] in _ONES[1:10]:
        return _TENS[words[0]] + _ONES.index(words[1])
    return math.nan


def _same(reply: tuple[float, str], answer: tuple[float, str]) -> bool:
    (said, said_unit), (wanted, wanted_unit) = reply, answer
    if not wanted_unit:
        if said_unit and _UNITS[said_unit] != 1.0:
            return False  # the question's unit is not known, so milliseconds cannot be converted to it
    else:
        said *= _UNITS[said_unit or wanted_unit]
        wanted *= _UNITS[wanted_unit]
    return math.isclose(said, wanted, rel_tol=1e-9, abs_tol=1e-12)


def same_output(reply: str, output: str) -> bool:
    """Whether a typed prediction has the words ``output`` has, in its order (see the module)."""
    return _words(reply) == _words(output)


def predicted_lines(reply: str, printed: Sequence[str]) -> list[str]:
    """A typed prediction as the lines it predicts, to show beside the ``printed`` ones.

    Split at commas, semicolons, slashes or line breaks.  A reply with the
    printed words whose lines do not split that way (none typed, or an output
    line that holds commas itself, like a printed list) is taken as the printed lines.
    """
    lines = [line for line in _LINE_BREAKS.split(reply.strip()) if line]
    if len(lines) == len(printed) or not same_output(reply, "\n".join(printed)):
        return lines
    words = reply.split()
    grouped = []
    for line in printed:
        count = len(_words(line))
        grouped.append(" ".join(words[:count]))
        words = words[count:]
    return grouped


def _words(text: str) -> list[str]:
    return [word for word in (normalize(part) for part in _WORD_BREAKS.split(text)) if word]
