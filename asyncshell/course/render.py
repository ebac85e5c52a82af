"""Lesson prose and code -> terminal text: a small Markdown subset, wrapped to a width, coloured on request.

The subset is what ``docs/lesson-format.md`` promises: ``#`` headings,
``*emphasis*``, ``**strong**``, ```inline code```, ``-``/``*``/``1.`` lists and
fenced code blocks.  With colour off the result holds no escape codes at all:
inline markup stays as written (it reads fine as plain text), headings get a
rule under them and code is indented.  Pygments is imported only to colour code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CODE_INDENT = "    "
MIN_WIDTH = 20

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(\s+#+)?\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_INLINE = re.compile(r"(`+)(.+?)\1|\*\*(?!\s)(.+?)(?<!\s)\*\*|\*(?!\s)(.+?)(?<!\s)\*")
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
            blocks.append(_Block("heading", [heading.group(2)], level=len(heading.group(1))))
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


def _dedent(lines: list[str]) -> list[str]:
    """A fence indented inside a list item indents its code too; take that back off."""
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
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
    for match in _INLINE.finditer(text):
        runs.append((text[at:match.start()], styles))
        code, strong, em = match.group(2), match.group(3), match.group(4)
        if code is not None:
            runs.append((code.strip() if color else match.group(0), styles + ("code",)))
        elif not color:
            runs.append((match.group(0), styles))
        else:
            runs.extend(_inline(strong or em, color, styles + (("strong",) if strong else ("em",))))
        at = match.end()
    runs.append((text[at:], styles))
    return [run for run in runs if run[0]]


def _wrap(runs: _Styled, width: int, first: str, rest: str, color: bool) -> list[str]:
    """Greedy word wrap by visible width; a word longer than a line is cut, code spans stay whole if they fit."""
    words: list[_Styled] = [[]]
    for text, styles in runs:
        for char in text:
            if char.isspace() and "code" not in styles:
                if words[-1]:
                    words.append([])
            elif words[-1] and words[-1][-1][1] == styles:
                words[-1][-1] = (words[-1][-1][0] + char, styles)
            else:
                words[-1].append((char, styles))
    lines: list[_Styled] = []
    line: _Styled = []
    used = 0
    for word in filter(None, words):
        room = max(width - _width(rest if lines else first), 4)
        size = _width("".join(text for text, _ in word))
        if line and used + 1 + size <= room:
            line += [(" ", ())] + word
            used += 1 + size
            continue
        if line:
            lines.append(line)
            room = max(width - _width(rest), 4)
        while size > room:  # cut a word too long for any line
            head, word = _split(word, room)
            lines.append(head)
            size = _width("".join(text for text, _ in word))
            room = max(width - _width(rest), 4)
        line, used = word, size
    if line or not lines:
        lines.append(line)
    return [(rest if n else first) + _draw(line, color) for n, line in enumerate(lines)]


def _split(word: _Styled, cells: int) -> tuple[_Styled, _Styled]:
    head: _Styled = []
    for i, (text, styles) in enumerate(word):
        for j, char in enumerate(text):
            cells -= _width(char)
            if cells < 0:
                if j:
                    head.append((text[:j], styles))
                return head, [(text[j:], styles)] + word[i + 1:]
        head.append((text, styles))
    return head, []


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
