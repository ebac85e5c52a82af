"""The helpers lesson checks use, exercised the way check code uses them: timing, tracking, output, warnings."""

from __future__ import annotations

import asyncio
import inspect
import re
import sys
import warnings

import pytest

from asyncshell.course.helpers import Call, CheckHelpers, elapsed, track
from course.check_support import Learner

FETCHING = """\
limit = asyncio.Semaphore(2)
async def fetch(url):
    await asyncio.sleep(0.01)
    return url.upper()
async def limited(url):
    async with limit:
        return await fetch(url)
async def fetch_all(urls):
    return await asyncio.gather(*(limited(url) for url in urls))
async def fetch_one_by_one(urls):
    return [await fetch(url) for url in urls]
"""


async def test_elapsed_tells_concurrent_from_one_after_another() -> None:
    learner = Learner()
    await learner.type(
        "async def together():\n    await asyncio.gather(*(asyncio.sleep(0.2) for _ in range(3)))\n"
        "async def in_turn():\n    for _ in range(3):\n        await asyncio.sleep(0.05)"
    )
    assert (await learner.check("async with elapsed() as t:\n    await together()\nassert t.seconds < 0.45")).passed
    result = await learner.check("async with elapsed() as t:\n    await in_turn()\nassert t.seconds < 0.1, 'run them together'")
    assert result.status == "fail"
    lines = result.message.splitlines()
    assert lines[0] == "run them together"
    assert re.fullmatch(r"  t\.seconds was 0\.1\d?\d?", lines[1]), lines  # to 3 significant digits


async def test_elapsed_counts_inside_the_block_and_stops_after_it() -> None:
    async with elapsed() as t:
        await asyncio.sleep(0.02)
        assert t.seconds >= 0.015
    stopped = t.seconds
    await asyncio.sleep(0.02)
    assert t.seconds == stopped
    assert repr(t) == f"elapsed(seconds={stopped:.3f})"


async def test_tracking_sees_the_learners_own_calls_and_their_peak_in_flight() -> None:
    learner = Learner()
    await learner.type(FETCHING)
    original = learner.namespace["fetch"]
    check = (
        "with tracking('fetch') as fetch:\n"
        "    got = await fetch_all(list('abcdef'))\n"
        "assert got == list('ABCDEF')\n"
        "assert sorted(fetch.calls) == [(c,) for c in 'abcdef']\n"
        "assert fetch.results == got and fetch.errors == []\n"
        "assert fetch.peak_in_flight == 2, 'at most two at once'\n"
    )
    result = await learner.check(check)
    assert result.passed, result.message
    assert learner.namespace["fetch"] is original


async def test_tracking_shows_calls_that_never_overlapped() -> None:
    learner = Learner()
    await learner.type(FETCHING)
    check = "with tracking('fetch'):\n    await fetch_one_by_one('abc')\nassert fetch.peak_in_flight > 1, 'fetch calls should overlap'"
    result = await learner.check(check)
    assert result.status == "fail"
    assert result.message.splitlines() == ["fetch calls should overlap", "  fetch.peak_in_flight was 1"]


@pytest.mark.parametrize(
    ("block", "status"),
    [("assert False", "fail"), ("raise KeyError('x')", "error"), ("await asyncio.sleep(10)", "timeout")],
)
async def test_tracking_puts_the_learners_name_back_however_the_check_ends(block: str, status: str) -> None:
    learner = Learner()
    await learner.type(FETCHING)
    original = learner.namespace["fetch"]
    result = await learner.check(f"with tracking('fetch'):\n    {block}", timeout=0.1)
    assert result.status == status
    assert learner.namespace["fetch"] is original


async def test_a_tracked_function_adds_nothing_to_the_learners_traceback() -> None:
    learner = Learner()
    await learner.type("async def fetch(url):\n    raise OSError(url)\nasync def main():\n    await fetch('x')")
    result = await learner.check("with tracking('fetch'):\n    await main()")
    frames = [line.strip() for line in result.message.splitlines() if line.strip().startswith("File ")]
    assert frames == ['File "<check:demo>", line 2, in <module>', 'File "<input-1>", line 4, in main', 'File "<input-1>", line 2, in fetch']


async def test_tracking_a_name_the_learner_has_not_defined_fails_as_not_defined_yet() -> None:
    result = await Learner().check("with tracking('fetch') as fetch:\n    pass")
    assert result.status == "fail"
    assert result.message.startswith("`fetch` is not defined yet")


async def test_track_records_calls_results_errors_and_cancellations() -> None:
    async def fetch(url: str, *, retries: int = 0) -> str:
        await asyncio.sleep(0 if url != "slow" else 10)
        if url == "bad":
            raise ValueError(url)
        return url.upper()

    tracked = track(fetch)
    assert tracked.__name__ == "fetch" and inspect.iscoroutinefunction(tracked)
    assert await tracked("a") == "A"
    with pytest.raises(ValueError):
        await tracked("bad", retries=2)
    slow = asyncio.ensure_future(tracked("slow"))
    await asyncio.sleep(0)
    assert (tracked.in_flight, tracked.peak_in_flight) == (1, 1)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert tracked.calls == [("a",), ("bad",), ("slow",)]
    assert tracked.calls[1].kwargs == {"retries": 2}
    assert repr(tracked.calls[1]) == "Call('bad', retries=2)" and repr(tracked.calls[0]) == "('a',)"
    assert tracked.results == ["A"]
    assert [str(error) for error in tracked.errors] == ["bad"]
    assert (tracked.cancelled, tracked.in_flight) == (1, 0)


def test_track_works_for_plain_functions_and_starts_afresh_when_tracked_twice() -> None:
    tracked = track(len)
    assert tracked("abc") == 3
    again = track(tracked)
    assert again([1]) == 1
    assert (tracked.calls, again.calls) == ([("abc",), ([1],)], [([1],)])
    assert isinstance(again.calls[0], Call) and not inspect.iscoroutinefunction(again)
    with pytest.raises(TypeError, match="needs a function"):
        track(42)  # type: ignore[arg-type]


async def test_captured_output_is_what_the_learners_code_printed_and_they_still_see_it(capsys: pytest.CaptureFixture[str]) -> None:
    learner = Learner()
    await learner.type("def hello(name):\n    print('hello,', name)")
    stdout = sys.stdout
    before = "assert captured_output() == ''\n"
    result = await learner.check(before + "hello('ada')\nhello('bob')\nassert captured_output() == 'hello, ada\\nhello, bob\\n'")
    assert result.passed, result.message
    assert sys.stdout is stdout
    assert capsys.readouterr().out == "hello, ada\nhello, bob\n"


async def test_captured_warnings_catch_coroutines_never_awaited_and_still_show_them() -> None:
    learner = Learner()
    await learner.type(
        "async def fetch():\n    return 1\n"
        "def forgetful():\n    fetch()\n"
        "def forgetful_in_a_cycle():\n    box = [fetch()]\n    box.append(box)"
    )
    never = "RuntimeWarning: coroutine 'fetch' was never awaited"
    check = f"forgetful()\nforgetful_in_a_cycle()\nassert captured_warnings() == [{never!r}, {never!r}]"
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("ignore")  # our own filters must still let these through for the check
        for _ in range(2):  # and every time, not once per line
            result = await learner.check(check)
            assert result.passed, result.message
        result = await learner.check("forgetful()\nassert not captured_warnings(), 'await every coroutine'")
    assert f"  captured_warnings() was [{never!r}]" in result.message.splitlines()
    assert [str(warning.message) for warning in shown] == ["coroutine 'fetch' was never awaited"] * 5


def test_leaving_check_helpers_undoes_everything_they_did() -> None:
    def fetch() -> None:
        pass

    learner = {"fetch": fetch}
    stdout, showwarning = sys.stdout, warnings.showwarning
    with pytest.raises(RuntimeError), CheckHelpers(learner) as helpers:
        swapped = helpers.tracking("fetch")
        swapped.__enter__()  # never left: the check was abandoned midway
        assert learner["fetch"] is not fetch and sys.stdout is not stdout
        raise RuntimeError("the check stopped")
    assert learner["fetch"] is fetch
    assert (sys.stdout, warnings.showwarning) == (stdout, showwarning)
