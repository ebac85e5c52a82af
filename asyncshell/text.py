"""Wording and layout every part of the shell shares: the palette, plurals, the terminal's width, columns.

One home for each, so "1 tasks", a table that drifts out of line, or two shades
of the same error cannot creep back in.  Cheap to import: the REPL core reads
the palette and the width at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence

#: Select Graphic Rendition codes by the name the shell styles text with.
PALETTE = {
    "error": "31",
    "bold-error": "1;31",
    "note": "2",
    "ok": "32",
    "heading": "1",
    "strong": "1",
    "em": "3",
    "code": "36",
}
RESET = "\x1b[0m"


def paint(text: str, *kinds: str) -> str:
    """``text`` in the palette's ``kinds`` (combined, in order), for a terminal that shows colour."""
    if not kinds or not text:
        return text
    codes = ";".join(dict.fromkeys(PALETTE[kind] for kind in kinds))
    return f"\x1b[{codes}m{text}{RESET}"


def printable(text: str) -> str:
    """Text from a file or the learner, safe to echo in a line of our own: what cannot be printed
    (control characters, escape sequences, lone surrogates) is written as Python would write it."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 task``, ``3 tasks``; ``many`` for nouns that do not just take an s."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def terminal_width(fallback: int = 80) -> int:
    """The terminal's columns now (it may have been resized), or ``fallback`` when there is none.

    Asked of descriptors 1, 2 and 0 in turn: a learner may have closed ``sys.stdout``,
    where ``shutil.get_terminal_size`` looks.
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdecimal() and int(columns) > 0:
        return int(columns)
    for fd in (1, 2, 0):
        try:
            return os.get_terminal_size(fd).columns or fallback
        except OSError:
            continue
    return fallback


def cell_width(text: str) -> int:
    """Terminal cells, as prompt_toolkit counts them: wide characters take two, combining marks none."""
    from prompt_toolkit.utils import get_cwidth  # imported when a table is drawn, not at start-up

    return get_cwidth(text)


def columns(rows: Sequence[Sequence[str]], *, right: Collection[int] = (), indent: str = "") -> list[str]:
    """Rows padded into columns two spaces apart, each as wide as its widest cell; ``right`` ones right-aligned."""
    if not rows:
        return []
    count = max(len(row) for row in rows)
    widths = [max((cell_width(row[i]) for row in rows if i < len(row)), default=0) for i in range(count)]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - cell_width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines
