"""%timeline: what it records on the live loop, the chart as exact text, and the SVG."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

from support import run_inputs

from asyncshell.repl.commands import CommandRegistry
from asyncshell.repl.console import Console
from asyncshell.repl.evaluator import Evaluator
from asyncshell.features import register
from asyncshell.insight.timeline import Recording, Row, timeline_for
from asyncshell.insight.timeline_render import MAX_ROWS, render_svg, render_text, ticks
from asyncshell.repl.session import Session

RECORDING = Recording(
    "input-7",
    100.0,
    100.4,
    (
        Row("input-7", 100.0, (100.0, 100.01, 100.39, 100.4), 100.4, "done", True),
        Row("fetch-1", 100.01, (100.02, 100.03, 100.2, 100.21), 100.21, "done"),
        Row("fetch-2", 100.01, (100.03, 100.04), 100.3, "error"),
        Row("ticker-1", 100.05, (100.06, 100.07, 100.25, 100.26), None, "alive"),
        Row("slow-1", 100.1, (100.11, 100.12), 100.35, "cancelled"),
    ),
)


def test_the_chart_at_a_fixed_width_and_clock() -> None:
    assert render_text(RECORDING, width=60) == (
        "Timeline of input-7 (first row: your code; then its tasks)\n"
        "  input-7 │██────────────────────────────────────────────█✓\n"
        "  fetch-1 │ ─██────────────────────█✓\n"
        "  fetch-2 │ ──██──────────────────────────────✗\n"
        "  ticker-1│     ──██────────────────────███────────────────\n"
        "  slow-1  │           ──██──────────────────────────⊘\n"
        "          └┬──────────┬───────────┬───────────┬───────────┬\n"
        "           0          100ms       200ms       300ms   400ms\n"
        "  █ running on the loop  ─ waiting on an await  ✓ done\n"
        "  ✗ error  ⊘ cancelled\n"
        "  wall 400ms · loop busy 80ms, idle 320ms\n"
        "  4 tasks, at most 4 at once\n"
    )


def test_a_wide_terminal_keeps_the_legend_and_footer_on_one_line_each() -> None:
    lines = render_text(RECORDING, width=120).splitlines()
    assert lines[-2] == "  █ running on the loop  ─ waiting on an await  ✓ done  ✗ error  ⊘ cancelled"
    assert lines[-1] == "  wall 400ms · loop busy 80ms, idle 320ms · 4 tasks, at most 4 at once"
    assert all(len(line) <= 120 for line in lines)


def test_colours_tell_running_waiting_and_each_ending_apart_and_vanish_without_colour() -> None:
    coloured = render_text(RECORDING, width=60, style=Console(io.StringIO(), color=True).style)
    assert "\x1b[32m██\x1b[0m" in coloured  # running: green
    assert "\x1b[2m─" in coloured  # waiting: dim
    assert "\x1b[1m✓\x1b[0m" in coloured and "\x1b[1;31m✗\x1b[0m" in coloured and "\x1b[31m⊘\x1b[0m" in coloured
    plain = render_text(RECORDING, width=60, style=Console(io.StringIO(), color=False).style)
    assert "\x1b" not in plain and plain == render_text(RECORDING, width=60)


def test_waiting_is_the_time_around_the_steps() -> None:
    fetch, ticker = RECORDING.rows[1], RECORDING.rows[3]
    assert [tuple(round(t, 2) for t in gap) for gap in fetch.waiting(RECORDING.end)] == [(100.01, 100.02), (100.03, 100.2)]
    assert [tuple(round(t, 2) for t in gap) for gap in ticker.waiting(RECORDING.end)] == [(100.05, 100.06), (100.07, 100.25), (100.26, 100.4)]


def test_ticks_are_round_numbers_that_fit() -> None:
    assert ticks(RECORDING, 4) == [(0.0, "0"), (0.1, "100ms"), (0.2, "200ms"), (0.30000000000000004, "300ms"), (0.4, "400ms")]
    assert [label for _, label in ticks(Recording("x", 0.0, 2.5, ()), 3)] == ["0", "1s", "2s"]


def test_many_tasks_draw_the_first_rows_and_count_the_rest() -> None:
    rows = [Row("input-1", 0.0, (0.0, 0.1), 1.0, "done", True)]
    rows += [Row(f"job-{i}", 0.1, (0.2, 0.3), 0.5, "done") for i in range(60)]
    text = render_text(Recording("input-1", 0.0, 1.0, tuple(rows)), width=60)
    assert f"│… {61 - MAX_ROWS} more tasks not drawn" in text
    assert "60 tasks, at most 60 at once" in text


def test_the_svg_is_valid_xml_with_one_row_per_task() -> None:
    root = ET.fromstring(render_svg(RECORDING))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    rows = root.findall("svg:g[@class='row']", ns)
    assert [row.get("data-name") for row in rows] == ["input-7", "fetch-1", "fetch-2", "ticker-1", "slow-1"]
    assert [row.get("data-ending") for row in rows] == ["done", "done", "error", "alive", "cancelled"]
    assert len(rows[1].findall("svg:rect[@class='running']", ns)) == 2
    assert any("4 tasks, at most 4 at once" in (text.text or "") for text in root.iter("{http://www.w3.org/2000/svg}text"))


# --- on the live loop ----------------------------------------------------------------------------


def _session() -> tuple[Session, io.StringIO]:
    commands, out = CommandRegistry(), io.StringIO()
    register(commands, "insight")
    console = Console(out, out, color=False)
    return Session(Evaluator(write=console.write), console, commands=commands, interactive=False), out


DEFS = "async def a():\n    await asyncio.sleep(0.03)\n    return 'a'\nasync def b():\n    await asyncio.sleep(0.03)\n    return 'b'"


def _span(row: Row) -> tuple[float, float]:
    assert row.end is not None
    return row.created, row.end


async def _record(*inputs: str) -> tuple[Session, Recording, str]:
    session, out = _session()
    await run_inputs([DEFS, "%timeline on", *inputs], session=session)
    recording = timeline_for(session).last
    assert recording is not None
    return session, recording, out.getvalue()


async def test_tasks_awaited_one_after_the_other_do_not_overlap() -> None:
    _, recording, _ = await _record("await asyncio.create_task(a()); await asyncio.create_task(b())")
    first, second = recording.rows[1:]
    assert (first.name, second.name) == ("a-1", "b-1")
    assert _span(first)[1] <= _span(second)[0]
    assert recording.peak_concurrency() == 1


async def test_gathered_tasks_overlap() -> None:
    _, recording, _ = await _record("await asyncio.gather(a(), b())")
    first, second = recording.rows[1:]
    assert _span(first)[0] < _span(second)[1] and _span(second)[0] < _span(first)[1]
    assert recording.peak_concurrency() == 2


async def test_plain_awaits_run_inside_the_input_so_it_is_the_only_row() -> None:
    _, sequential, _ = await _record("await a(); await b()")
    _, gathered, _ = await _record("await asyncio.gather(a(), b())")
    assert [row.name for row in sequential.rows] == ["input-2"]
    assert len(gathered.rows) == 3
    assert render_text(sequential, width=60) != render_text(gathered, width=60)


async def test_steps_never_overlap_and_stay_within_each_tasks_life() -> None:
    _, recording, _ = await _record("await asyncio.gather(*(asyncio.sleep(0.001 * i) for i in range(20)), a())")
    steps = sorted(step for row in recording.rows for step in row.running())
    assert all(end <= next_start for (_, end), (next_start, _) in zip(steps, steps[1:]))  # one loop: one step at a time
    for row in recording.rows:
        assert all(row.created <= start <= end <= (row.end or recording.end) for start, end in row.running())
        assert row.steps  # every task ran at least once
    assert 0 < recording.busy() < recording.wall


async def test_how_each_task_ended_and_the_ones_still_running() -> None:
    session, recording, _ = await _record(
        "async def boom():\n    raise ValueError('no')\n"
        "async def forever():\n    while True:\n        await asyncio.sleep(0.001)\n"
        "bad = asyncio.create_task(boom()); stop = asyncio.create_task(forever()); bg = asyncio.create_task(forever(), name='background')\n"
        "await asyncio.sleep(0.01); stop.cancel(); await asyncio.sleep(0.001)"
    )
    endings = {row.name: row.ending for row in recording.rows}
    assert endings == {"input-2": "done", "boom-1": "error", "forever-1": "cancelled", "background": "alive"}
    background = recording.rows[-1]
    assert background.end is None
    await run_inputs(["await asyncio.sleep(0.02)", "bg.cancel()"], session=session)
    assert timeline_for(session).last.rows[0].name == "input-4"  # a new input, a new recording
    assert len(background.steps) == len(recording.rows[-1].steps)  # an old recording does not grow


async def test_a_task_cancelled_before_it_ever_ran_still_ends_in_the_chart() -> None:
    _, recording, out = await _record("t = asyncio.create_task(a()); t.cancel(); await asyncio.sleep(0.01)")
    row = recording.rows[1]
    assert (row.name, row.ending, len(row.steps)) == ("a-1", "cancelled", 2)  # one step: CancelledError thrown in
    assert row.end is not None and row.created <= row.end <= recording.end
    assert "⊘" in out


async def test_an_input_that_raises_ends_in_error() -> None:
    _, recording, out = await _record("await a(); 1 / 0")
    assert recording.rows[0].ending == "error"
    assert out.index("ZeroDivisionError") < out.index("Timeline of input-2")  # the chart comes after the outcome


async def test_on_shows_the_chart_after_each_input_and_plain_timeline_shows_the_last_again() -> None:
    session, out = _session()
    await run_inputs([DEFS, "%timeline on", "await asyncio.gather(a(), b())", "%timeline"], session=session)
    text = out.getvalue()
    assert text.index("['a', 'b']") < text.index("Timeline of input-2")
    assert text.count("Timeline of input-2") == 2
    assert "2 tasks, at most 2 at once" in text


async def test_off_takes_every_hook_away() -> None:
    session, out = _session()
    evaluator = session.evaluator
    await run_inputs([DEFS, "%timeline on", "%timeline off", "t = asyncio.create_task(a()); await t"], session=session)
    assert evaluator.tasks.wrap_coro is None
    assert evaluator.on_input_start == [] and evaluator.on_input_end == []
    task = evaluator.namespace["t"]
    assert task.get_coro().cr_code is evaluator.namespace["a"].__code__  # the user's own coroutine, not wrapped
    assert "Timeline of input" not in out.getvalue()


async def test_timeline_before_anything_was_recorded_says_how_to_start() -> None:
    session, out = _session()
    await run_inputs(["%timeline", "%timeline sideways"], session=session)
    assert out.getvalue().splitlines() == [
        "No timeline yet: run an input first (%timeline on records each one in full).",
        "Usage: %timeline [on|off|--svg FILE]",
    ]


async def test_svg_writes_the_last_recording(tmp_path: Path) -> None:
    target = tmp_path / "chart.svg"
    session, out = _session()
    await run_inputs([DEFS, "%timeline on", "await asyncio.gather(a(), b())", f"%timeline --svg {target}", f"%timeline --svg {tmp_path}/no/such/dir.svg"], session=session)
    rows = ET.parse(target).getroot().findall("{http://www.w3.org/2000/svg}g[@class='row']")
    assert [row.get("data-name") for row in rows] == ["input-2", "a-1", "b-1"]
    assert f"Wrote the timeline of input-2 to {target}." in out.getvalue()
    assert "Could not write" in out.getvalue()


async def test_tasks_still_shows_where_a_timed_task_waits_and_its_name() -> None:
    session, out = _session()
    await run_inputs([DEFS, "%timeline on", "t = asyncio.create_task(a(), name='mine'); await asyncio.sleep(0)", "%tasks", "t.get_coro().__qualname__"], session=session)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("   1  mine"))
    assert "a()" in row and row.endswith("<input-1>:2  await asyncio.sleep(0.03)")
    assert "\n  mine   │" in out.getvalue()  # its row in the chart of input-2
    assert "  mine (a() at <input-1>:2)" in out.getvalue()  # cancelled at exit, described as the user's code
    assert "'a'" in out.getvalue()


async def test_a_plain_timeline_charts_the_input_just_run_coarsely() -> None:
    from asyncshell.insight.timeline import spans_for

    session, out = _session()
    spans_for(session)  # the shell installs it with its teaching features
    await run_inputs([DEFS, "await asyncio.gather(a(), b())", "%timeline"], session=session)
    gathered = spans_for(session).last
    assert gathered is not None and gathered.coarse
    assert [row.name for row in gathered.rows] == ["input-2", "a-1", "b-1"]
    first, second = (_span(row) for row in gathered.rows[1:])
    assert first[0] < second[1] and second[0] < first[1]  # they overlap: gathered
    text = out.getvalue()
    assert "Timeline of input-2" in text and "2 tasks, at most 2 at once" in text
    assert "(when each task started and ended only; %timeline on also records when each one ran)" in text
    await run_inputs(["await a(); await b()", "%timeline"], session=session)
    sequential = spans_for(session).last
    assert sequential is not None and [row.name for row in sequential.rows] == ["input-3"]


async def test_a_coarse_chart_keeps_only_a_bounded_number_of_tasks() -> None:
    from asyncshell.insight.timeline import SPANS_KEPT, spans_for

    session, out = _session()
    spans_for(session)
    await run_inputs([f"await asyncio.gather(*(asyncio.sleep(0) for _ in range({SPANS_KEPT + 1})))", "%timeline"], session=session)
    assert spans_for(session).last is None
    assert out.getvalue().splitlines()[-1] == "That input made too many tasks for a quick chart; %timeline on records inputs in full."


async def test_with_timeline_on_the_full_recording_is_charted_not_the_coarse_one() -> None:
    from asyncshell.insight.timeline import spans_for

    session, out = _session()
    spans_for(session)
    await run_inputs([DEFS, "%timeline on", "await asyncio.gather(a(), b())"], session=session)
    assert spans_for(session).last is None or spans_for(session).last.label != "input-3"
    full = timeline_for(session).last
    assert full is not None and not full.coarse and any(row.steps for row in full.rows)


async def test_on_skips_inputs_that_neither_waited_nor_started_a_task() -> None:
    session, out = _session()
    await run_inputs(["%timeline on", "def plain():\n    return 1", "x = plain()", "await asyncio.sleep(0.01)"], session=session)
    text = out.getvalue()
    assert text.count("Timeline of") == 1 and "Timeline of input-3" in text


def test_the_last_tick_is_always_labelled() -> None:
    for end, width in itertools.product((0.47, 0.5, 0.93, 1.0, 2.2, 0.0123), (60, 80, 120)):
        text = render_text(Recording("input-1", 0.0, end, (Row("input-1", 0.0, (0.0, end), end, "done", True),)), width=width)
        axis, labels = text.splitlines()[2:4]
        last_tick = axis.rindex("┬")
        assert labels.rstrip()[-1] != " " and len(labels.rstrip()) >= last_tick, (end, axis, labels)


def test_svg_legend_labels_never_run_under_the_next_swatch_and_tick_labels_stay_inside() -> None:
    root = ET.fromstring(render_svg(RECORDING))
    svg = "{http://www.w3.org/2000/svg}"
    texts = {t.text: t for t in root.iter(f"{svg}text")}
    swatches = [r for r in root.findall(f"{svg}rect") if r.get("width") == "12" and r.get("height") == "12"]
    labels = [texts[name] for name in ("running on the loop", "waiting on an await", "done", "error", "cancelled")]
    for label, next_swatch in zip(labels, swatches[1:]):
        assert float(label.get("x")) + len(label.text) * 7.3 < float(next_swatch.get("x"))
    last_tick = [t for t in root.iter(f"{svg}text") if t.get("text-anchor") in ("middle", "end")][-1]
    assert last_tick.get("text-anchor") == "end" or float(last_tick.get("x")) + len(last_tick.text) * 7.3 / 2 <= 900


async def test_svg_to_a_path_with_a_nul_is_a_one_line_usage_error() -> None:
    session, out = _session()
    await run_inputs(["%timeline on", "await asyncio.sleep(0.01)", "%timeline --svg /tmp/a\x00b.svg", "'still here'"], session=session)
    text = out.getvalue()
    assert "Could not write '/tmp/a\\x00b.svg': embedded null byte" in text
    assert "internal error" not in text and text.rstrip().endswith("'still here'")


async def test_a_task_that_outlives_its_input_shows_up_continuing_in_the_next_chart() -> None:
    session, recording, text = await _record(
        "async def ticker():\n    while True:\n        await asyncio.sleep(0.01)\n",
        "t = asyncio.create_task(ticker(), name='ticker')\nawait asyncio.sleep(0.03)",
        "await asyncio.sleep(0.05)",
    )
    names = [row.name for row in recording.rows]
    assert names[1:] == ["ticker"]  # the last input made no task, yet the ticker ran during it
    ticker = recording.rows[1]
    assert ticker.created < recording.start and ticker.end is None and ticker.ending == "alive"
    assert len(list(ticker.running())) >= 3  # its steps during this input were timed
    assert all(recording.start <= a <= b <= recording.end + 0.01 for a, b in ticker.running())
    session.evaluator.namespace["t"].cancel()
