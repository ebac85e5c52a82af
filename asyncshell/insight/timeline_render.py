"""Drawing a recording: a text Gantt chart for the terminal, and the same chart as a standalone SVG.

Both are pure functions of a ``Recording`` (and a width), so tests feed them a
made-up recording and compare exact text.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable
from xml.sax.saxutils import escape, quoteattr

from asyncshell.insight.timeline import Ending, Recording, Row

Style = Callable[[str, str], str]

RUNNING, WAITING = "█", "─"
ENDINGS = {"done": "✓", "error": "✗", "cancelled": "⊘"}
#: The console.style kind of each glyph: running, waiting and each ending look different in colour too.
KINDS = {RUNNING: "ok", WAITING: "note", "✓": "heading", "✗": "bold-error", "⊘": "error"}
MAX_ROWS = 40  # in the terminal; the footer still counts every task
SVG_MAX_ROWS = 1000
LABEL_MAX = 18


def _no_style(text: str, kind: str) -> str:
    return text


def format_duration(seconds: float) -> str:
    """2.5s, 120ms, 1.25ms, 40µs."""
    if seconds >= 1:
        return f"{seconds:.2f}s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.3g}ms"
    return f"{seconds * 1_000_000:.0f}µs"


def nice_step(span: float, most: int) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving at most ``most`` intervals."""
    if span <= 0 or most <= 0:
        return span or 1.0
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw * (1 - 1e-9):  # 0.4 / 4 is a hair over 0.1 in floating point
            return factor * power
    return 10 * power


def _tick_label(value: float, step: float) -> str:
    if value == 0:
        return "0"
    if step >= 1:
        return f"{value:g}s"
    if step >= 0.001:
        return f"{round(value * 1000, 6):g}ms"
    return f"{round(value * 1_000_000, 3):g}µs"


def ticks(recording: Recording, most: int) -> list[tuple[float, str]]:
    """Offsets from the start, with labels, for the time axis."""
    span = recording.wall
    step = nice_step(span, most)
    count = int(span / step + 1e-9)
    return [(i * step, _tick_label(i * step, step)) for i in range(count + 1)]


def _cells(row: Row, recording: Recording, columns: int) -> list[str]:
    """One character per slice of time: blank before it exists, waiting, running, then how it ended."""
    start, span = recording.start, recording.wall or 1e-9

    def column(t: float) -> int:
        return min(max(int((t - start) / span * columns), 0), columns - 1)

    cells = [" "] * columns
    last = column(row.end if row.end is not None else recording.end)
    for i in range(column(row.created), last + 1):
        cells[i] = WAITING
    for a, b in row.running():
        for i in range(column(a), column(b) + 1):
            cells[i] = RUNNING
    if row.end is not None and row.ending in ENDINGS:
        cells[last] = ENDINGS[row.ending]
    return cells


def _styled(cells: Iterable[str], style: Style) -> str:
    """Colour runs of the same glyph, one escape sequence per run."""
    out: list[str] = []
    run: list[str] = []
    for cell in cells:
        if run and cell != run[0]:
            out.append(style("".join(run), KINDS[run[0]]) if run[0] in KINDS else "".join(run))
            run = []
        run.append(cell)
    if run:
        out.append(style("".join(run), KINDS[run[0]]) if run[0] in KINDS else "".join(run))
    return "".join(out)


def _label(row: Row) -> str:
    name = row.name if len(row.name) <= LABEL_MAX else row.name[: LABEL_MAX - 1] + "…"
    return name


def footer(recording: Recording) -> str:
    tasks = len(recording.rows) - 1
    peak = recording.peak_concurrency()
    counted = f" · {tasks} task{'s' if tasks != 1 else ''}, at most {peak} at once"
    if recording.coarse:
        return f"wall {format_duration(recording.wall)}{counted}"
    busy = recording.busy()
    idle = max(recording.wall - busy, 0.0)
    return f"wall {format_duration(recording.wall)} · loop busy {format_duration(busy)}, idle {format_duration(idle)}{counted}"


def render_text(recording: Recording, *, width: int = 80, style: Style = _no_style) -> str:
    """The chart for the terminal, ``width`` columns wide at most."""
    shown = recording.rows[:MAX_ROWS]
    label_width = max(len(_label(row)) for row in shown)
    columns = max(width - label_width - 4, 10)
    lines = [style(f"Timeline of {recording.label}", "heading") + " (first row: your code; then its tasks)"]
    for row in shown:
        lines.append(f"  {_label(row).ljust(label_width)}│{_styled(_cells(row, recording, columns), style)}".rstrip())
    hidden = len(recording.rows) - len(shown)
    if hidden:
        lines.append(f"  {'':{label_width}}│… {hidden} more task{'s' if hidden != 1 else ''} not drawn")
    axis = ["─"] * columns
    labels = [" "] * columns
    span = recording.wall or 1e-9
    # Right to left, so the last tick is always labelled; an earlier label that would touch it gives way.
    for offset, text in reversed(ticks(recording, max(columns // 10, 1))):
        col = min(int(offset / span * columns), columns - 1)
        axis[col] = "┬"
        at = min(col, columns - len(text))  # the last label ends under its tick
        if at >= 0 and all(c == " " for c in labels[max(at - 1, 0) : at + len(text) + 1]):
            labels[at : at + len(text)] = text
    lines.append(f"  {'':{label_width}}└{''.join(axis)}")
    lines.append(f"  {'':{label_width}} {''.join(labels)}".rstrip())
    kinds = [(WAITING, "alive")] if recording.coarse else [(RUNNING, "running on the loop"), (WAITING, "waiting on an await")]
    kinds += [(glyph, name) for name, glyph in ENDINGS.items()]
    legend = [f"{style(glyph, KINDS[glyph])} {name}" for glyph, name in kinds]
    lines += _fit(legend, [len(f"{glyph} {name}") for glyph, name in kinds], "  ", width)
    parts = footer(recording).split(" · ")
    lines += _fit(parts, [len(part) for part in parts], " · ", width)
    if recording.coarse:
        lines.append("  (when each task started and ended only; %timeline on also records when each one ran)")
    return "\n".join(lines) + "\n"


def _fit(parts: list[str], lengths: list[int], sep: str, width: int) -> list[str]:
    """``parts`` joined by ``sep`` on indented lines no wider than ``width`` (lengths without colour codes)."""
    lines: list[str] = []
    line: list[str] = []
    used = 2
    for part, length in zip(parts, lengths):
        if line and used + len(sep) + length > width:
            lines.append("  " + sep.join(line))
            line, used = [], 2
        used += (len(sep) if line else 0) + length
        line.append(part)
    if line:
        lines.append("  " + sep.join(line))
    return lines


# --- SVG -----------------------------------------------------------------------------------------

_SVG_COLOURS = {"running": "#2e9d4e", "waiting": "#c8ccd2", "done": "#1f6feb", "error": "#d1242f", "cancelled": "#8c959f"}
_ROW_HEIGHT, _BAR, _LEFT, _RIGHT, _TOP = 24, 12, 170, 40, 40
_CHAR = 7.3  # the width of one character of 12 px monospace, for laying text out


def render_svg(recording: Recording, *, width: int = 900) -> str:
    """The same chart as a standalone SVG document: one ``<g class="row">`` per task."""
    plot = width - _LEFT - _RIGHT
    span = recording.wall or 1e-9
    rows = recording.rows[:SVG_MAX_ROWS]
    hidden = len(recording.rows) - len(rows)
    height = _TOP + (len(rows) + bool(hidden)) * _ROW_HEIGHT + 70

    def x(t: float) -> float:
        return round(_LEFT + min(max((t - recording.start) / span, 0.0), 1.0) * plot, 2)

    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
        f'<title>{escape("Timeline of " + recording.label)}</title>',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-weight="bold">{escape("Timeline of " + recording.label)}</text>',
    ]
    for i, row in enumerate(rows):
        y = _TOP + i * _ROW_HEIGHT
        bar_y = y + (_ROW_HEIGHT - _BAR) / 2
        end = row.end if row.end is not None else recording.end
        parts.append(f'<g class="row" data-name={quoteattr(row.name)} data-ending="{row.ending}">')
        parts.append(f'<text x="10" y="{y + 16}">{escape(_label(row))}</text>')
        parts.append(_svg_rect(x(row.created), bar_y, x(end) - x(row.created), _BAR, "waiting", f"{row.name}: waiting"))
        for a, b in row.running():
            parts.append(_svg_rect(x(a), bar_y, max(x(b) - x(a), 1.0), _BAR, "running", f"{row.name}: running {format_duration(b - a)}"))
        if row.end is not None and row.ending in ENDINGS:
            parts.append(
                f'<text x="{x(end) + 3}" y="{y + 16}" fill="{_SVG_COLOURS[row.ending]}" class="{row.ending}">'
                f"<title>{row.ending} at {format_duration(end - recording.start)}</title>{ENDINGS[row.ending]}</text>"
            )
        parts.append("</g>")
    if hidden:
        parts.append(f'<text x="10" y="{_TOP + len(rows) * _ROW_HEIGHT + 16}">… {hidden} more tasks not drawn</text>')
    axis_y = _TOP + (len(rows) + bool(hidden)) * _ROW_HEIGHT + 6
    parts.append(f'<line x1="{_LEFT}" y1="{axis_y}" x2="{_LEFT + plot}" y2="{axis_y}" stroke="black"/>')
    for offset, text in ticks(recording, max(plot // 90, 1)):
        tx = x(recording.start + offset)
        # Centred under its tick, except where that would run past the chart's edge.
        anchor = "end" if tx + len(text) * _CHAR / 2 > width - 4 else "middle"
        parts.append(f'<line x1="{tx}" y1="{axis_y}" x2="{tx}" y2="{axis_y + 5}" stroke="black"/>')
        parts.append(f'<text x="{tx}" y="{axis_y + 18}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append(f'<text x="10" y="{axis_y + 40}">{escape(footer(recording))}</text>')
    parts.append(_svg_legend(axis_y + 58))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _svg_rect(x: float, y: float, w: float, h: float, kind: str, title: str) -> str:
    return f'<rect class="{kind}" x="{x}" y="{y}" width="{round(max(w, 0.0), 2)}" height="{h}" fill="{_SVG_COLOURS[kind]}"><title>{escape(title)}</title></rect>'


def _svg_legend(y: float) -> str:
    entries: list[tuple[str, Ending | str]] = [("running on the loop", "running"), ("waiting on an await", "waiting")]
    entries += [(ending, ending) for ending in ENDINGS]
    parts = []
    lx = 10.0
    for text, kind in entries:
        parts.append(f'<rect x="{lx:g}" y="{y - 10}" width="12" height="12" fill="{_SVG_COLOURS[kind]}"/>'
                     f'<text x="{lx + 16:g}" y="{y}">{escape(text)}</text>')
        lx = round(lx + 16 + len(text) * _CHAR + 24, 1)  # the next swatch starts after this label, with a gap
    return "".join(parts)
