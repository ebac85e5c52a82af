"""Lesson prose and code -> terminal text: a small Markdown subset, wrapped to a width, coloured on request.

The subset is what ``docs/lesson-format.md`` promises: ``#`` headings,
``*emphasis*``, ``**strong**``, ```inline code```, ``-``/``*``/``1.`` lists and
fenced code blocks.  With colour off the result holds no escape codes at all:
inline markup stays as written (it reads fine as plain text), headings get a
rule under them and code is indented.  Pygments is imported only to colour code.

Every step is linear in the text, so a hostile lesson cannot freeze the loop:
no regular expression here can backtrack, markup is found in one pass with
the closers looked up in advance, and words are built and cut in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

CODE_INDENT = "    "
MIN_WIDTH = 20

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
_HEADING = re.compile(r"\s{0,3}(#{1,6})\s")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_SPACE = re.compile(r"\s+")
# Lesson text never needs these, and raw ones would reach the terminal as commands.
_CONTROLS = {c: "\ufffd" for c in [*range(0x20), *range(0x7F, 0xA0)] if c != 0x0A}

_SGR = {"strong": "1", "em": "3", "code": "36", "heading": "1"}
_RESET = "\x1b[0m"
_RULES = {1: "═"}  # under a heading of this level; "─" under the rest
_PYTHON_LANGS = {"python", "py", "python3", "pycon"}


def render_markdown(markdown: str, width: int, color: bool) -> str:
    """Draw a text step's Markdown for a terminal ``width`` columns wide; no trailing newline."""
    width = max(width, MIN_WIDTH)
    out: list[str] = []
    previous = None
    for block in _blocks(_clean(markdown)):
        if out:  # list items sit on consecutive lines; everything else is set apart by a blank line
            out.append("\n" if block.kind == previous == "item" else "\n\n")
        out.append(_render_block(block, width, color))
        previous = block.kind
    return "".join(out)


def render_code(code: str, color: bool, indent: str = CODE_INDENT) -> str:
    """Python source as shown in a lesson: indented, never wrapped, highlighted when ``color``."""
    return _code_block(_clean(code).split("\n"), "python", color, indent)


def _clean(text: str) -> str:
    return text.expandtabs(4).replace("\r\n", "\n").translate(_CONTROLS)


# -- blocks ---------------------------------------------------------------------------------


@dataclass
class _Block:
    kind: str  # "heading", "paragraph", "item" or "code"
    lines: list[str]
    level: int = 0  # heading level, or list depth
    marker: str = ""  # list marker, or code language


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    open_block: _Block | None = None  # a paragraph or list item that more lines may join
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        fence = _FENCE.match(line)
        if fence:
            fence_mark, body = fence.group(1), []
            while i < len(lines) and not lines[i].strip().startswith(fence_mark):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence (an unclosed block runs to the end)
            blocks.append(_Block("code", _dedent(body), marker=fence.group(2).lower()))
            open_block = None
        elif not line.strip():
            open_block = None
        elif heading := _HEADING.match(line):
            blocks.append(_Block("heading", [_heading_text(line[heading.end():])], level=len(heading.group(1))))
            open_block = None
        elif item := _ITEM.match(line):
            marker = item.group(2) if item.group(2)[0].isdigit() else "•"
            open_block = _Block("item", [item.group(3)], level=len(item.group(1)) // 2, marker=marker)
            blocks.append(open_block)
        elif open_block is not None:
            open_block.lines.append(line.strip())
        else:
            open_block = _Block("paragraph", [line.strip()])
            blocks.append(open_block)
    return blocks


def _heading_text(text: str) -> str:
    """A heading's words, without a closing run of ``#`` (``## Title ##``)."""
    text = text.strip()
    words = text.rstrip("#")
    return words.rstrip() if words != text and words[-1:].isspace() else text


def _dedent(lines: list[str]) -> list[str]:
    """A fence indented inside a list item indents its code too; take that back off."""
    used = [i for i, line in enumerate(lines) if line.strip()]
    lines = lines[used[0]:used[-1] + 1] if used else []
    margin = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return [line[margin:] for line in lines]


def _render_block(block: _Block, width: int, color: bool) -> str:
    text = " ".join(block.lines)
    if block.kind == "code":
        return _code_block(block.lines, block.marker, color, CODE_INDENT)
    if block.kind == "heading":
        lines = _wrap(_inline(text, color, ("heading",)), width, "", "", color)
        rule = _RULES.get(block.level, "─") * max(_width(_plain(line)) for line in lines)
        return "\n".join(lines + [rule])
    if block.kind == "item":
        first = "  " * block.level + block.marker + " "
        return "\n".join(_wrap(_inline(text, color), width, first, " " * len(first), color))
    return "\n".join(_wrap(_inline(text, color), width, "", "", color))


def _code_block(lines: list[str], language: str, color: bool, indent: str) -> str:
    if color and language in _PYTHON_LANGS and any(line.strip() for line in lines):
        lines = _highlight("\n".join(lines), language)
    return "\n".join(indent + line if _plain(line).strip() else "" for line in lines)


def _highlight(code: str, language: str) -> list[str]:
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import PythonConsoleLexer, PythonLexer

    lexer = PythonConsoleLexer() if language == "pycon" else PythonLexer()
    lexer.stripnl = False
    # The 16-colour palette follows the user's terminal theme, so it suits dark and light ones.
    return highlight(code, lexer, TerminalFormatter(bg="dark")).rstrip("\n").split("\n")


# -- inline text and wrapping -----------------------------------------------------------------

_Styled = list[tuple[str, tuple[str, ...]]]  # runs of text, each with the styles it is drawn in


def _inline(text: str, color: bool, styles: tuple[str, ...] = ()) -> _Styled:
    """Split inline markup into styled runs; without colour only code spans are marked (to keep them whole)."""
    runs: _Styled = []
    at = 0
    for start, end, kind, inside in _markup(text):
        runs.append((text[at:start], styles))
        if kind == "code":
            runs.append((inside.strip() if color else text[start:end], styles + ("code",)))
        elif not color:
            runs.append((text[start:end], styles))
        else:
            runs.extend(_inline(inside, color, styles + (kind,)))
        at = end
    runs.append((text[at:], styles))
    return [run for run in runs if run[0]]


def _markup(text: str) -> Iterator[tuple[int, int, str, str]]:
    """The inline markup in ``text``, leftmost first: ``(start, end, kind, what is inside)``.

    ``*x*`` and ``**x**`` open before a non-space and close after one, at the
    first closer that can; a code span closes on the next run of exactly as
    many backticks, or its backticks are plain text.  The closers are looked
    up in tables made in advance, so no opener searches the rest of the text.
    """
    n = len(text)
    em_close, strong_close = [n] * (n + 3), [n] * (n + 3)  # the first closer at or after each position
    for j in range(n - 1, 0, -1):
        after_word = not text[j - 1].isspace()
        em_close[j] = j if text[j] == "*" and after_word else em_close[j + 1]
        strong_close[j] = j if text.startswith("**", j) and after_word else strong_close[j + 1]
    ticks: dict[int, list[int]] = {}  # run length -> where runs of that many backticks start, in order
    for run in re.finditer("`+", text):
        ticks.setdefault(len(run.group()), []).append(run.start())
    seen = dict.fromkeys(ticks, 0)  # how far each list has been looked through: openers only move right
    i = 0
    while i < n:
        if text[i] == "`":
            size = _run(text, i)
            starts = ticks.get(size, [])
            k = seen.get(size, 0)
            while k < len(starts) and starts[k] <= i:
                k += 1
            seen[size] = k
            if k < len(starts):
                yield i, starts[k] + size, "code", text[i + size:starts[k]]
                i = starts[k] + size
            else:
                i += size
            continue
        if text.startswith("**", i) and i + 2 < n and not text[i + 2].isspace() and strong_close[i + 3] < n:
            j = strong_close[i + 3]
            yield i, j + 2, "strong", text[i + 2:j]
            i = j + 2
        elif text[i] == "*" and i + 1 < n and not text[i + 1].isspace() and em_close[i + 2] < n:
            j = em_close[i + 2]
            yield i, j + 1, "em", text[i + 1:j]
            i = j + 1
        else:
            i += 1


def _run(text: str, i: int) -> int:
    """How many backticks start at ``i``."""
    j = i
    while j < len(text) and text[j] == "`":
        j += 1
    return j - i


def _words(runs: _Styled) -> list[_Styled]:
    """The runs split into words at spaces (a code span's spaces are its own), pieces joined once each."""
    words: list[list[tuple[list[str], tuple[str, ...]]]] = [[]]
    for text, styles in runs:
        pieces = [text] if "code" in styles else _SPACE.split(text)
        for n, piece in enumerate(pieces):
            if n and words[-1]:
                words.append([])
            if not piece:
                continue
            if words[-1] and words[-1][-1][1] == styles:
                words[-1][-1][0].append(piece)
            else:
                words[-1].append(([piece], styles))
    return [[("".join(parts), styles) for parts, styles in word] for word in words if word]


def _wrap(runs: _Styled, width: int, first: str, rest: str, color: bool) -> list[str]:
    """Greedy word wrap by visible width; a word longer than a line is cut, code spans stay whole if they fit."""
    rest_room = max(width - _width(rest), 4)
    lines: list[_Styled] = []
    line: _Styled = []
    used = 0
    for word in _words(runs):
        room = max(width - _width(rest if lines else first), 4)
        size = sum(_width(text) for text, _ in word)
        if line and used + 1 + size <= room:
            line += [(" ", ())] + word
            used += 1 + size
            continue
        if line:
            lines.append(line)
            room = rest_room
        pieces = _cut(word, room, rest_room) if size > room else [(word, size)]
        lines += [piece for piece, _ in pieces[:-1]]
        line, used = pieces[-1]
    if line or not lines:
        lines.append(line)
    return [(rest if n else first) + _draw(line, color) for n, line in enumerate(lines)]


def _cut(word: _Styled, room: int, rest_room: int) -> list[tuple[_Styled, int]]:
    """A word too long for its line cut into pieces that fit (the first in ``room`` cells), with their widths."""
    pieces: list[tuple[_Styled, int]] = []
    piece: _Styled = []
    used = 0
    for text, styles in word:
        start = 0
        for j, char in enumerate(text):
            cells = _width(char)
            if used + cells > (rest_room if pieces else room):
                if j > start:
                    piece.append((text[start:j], styles))
                pieces.append((piece, used))
                piece, used, start = [], 0, j
            used += cells
        if start < len(text):
            piece.append((text[start:], styles))
    pieces.append((piece, used))
    return pieces


def _draw(line: _Styled, color: bool) -> str:
    if not color:
        return "".join(text for text, _ in line)
    return "".join(
        f"\x1b[{';'.join(dict.fromkeys(_SGR[s] for s in styles))}m{text}{_RESET}" if styles else text
        for text, styles in line
    )


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _width(text: str) -> int:
    """Terminal cells: wide East Asian characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )
