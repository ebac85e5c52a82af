"""The blocking detector's wording: which advice a blocked line gets, and how the note names the place."""

from __future__ import annotations

import pytest

from asyncshell.insight.advice import advice, describe
from asyncshell.insight.watchdog import Spot


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("data = urllib.request.urlopen(url).read()", ["aiohttp", "asyncio.to_thread"]),
        ("r = requests.get('http://example.com')", ["aiohttp", "asyncio.to_thread(requests.get, url)"]),
        ("subprocess.run(['make'])", ["asyncio.create_subprocess_exec"]),
        ("name = input('name? ')", ["asyncio.to_thread(input, prompt)"]),
        ("sleep(2)  # from time import sleep", ["`await asyncio.sleep(2)`"]),
        ("time.sleep(delay * (n + 1))", ["`await asyncio.sleep(delay * (n + 1))`"]),
    ],
)
def test_advice_follows_the_line(line: str, expected: list[str]) -> None:
    text = advice(line, 0.0, True)
    for part in expected:
        assert part in text


def test_advice_for_an_unknown_call_depends_on_the_cpu() -> None:
    assert "CPU work" in advice("total = crunch(numbers)", 0.95, True)
    assert "waiting on a synchronous call" in advice("total = fetch_all(numbers)", 0.01, True)


def test_the_note_for_a_file_of_the_learners_names_the_file_briefly() -> None:
    spot = Spot("/home/learner/project/fetcher.py", 12, "Fetcher.get", "Fetcher.get")
    text = describe(spot, 1.234, (), None, "requests.get(url)")
    assert text.startswith("`requests.get(url)` in `Fetcher.get()` (fetcher.py line 12) blocked the event loop for about 1.2 s; no other task could run.")
    assert "for about 0.23 s" in describe(spot, 0.234, (), None, "requests.get(url)")
