"""Typed quiz answers are marked as a person would: numbers as numbers, units, number words, hedges, punctuation."""

from __future__ import annotations

import pytest

from asyncshell.course.answers import matches, normalize, predicted_lines


@pytest.mark.parametrize("reply", [
    "1", "1s", "1 s", "~1", "~ 1", "≈1", "1 sec", "1 secs", "1 second", "1 seconds", "about 1 second",
    "one second", "One", "1 second.", "1.", "1.0", "1.00 s", "around one", "roughly 1s!", "a second", "`1`",
])
def test_a_number_answer_takes_the_ways_people_write_it(reply: str) -> None:
    assert matches(reply, ["1"])


@pytest.mark.parametrize("reply", ["2", "10", "0.1", "1 ms", "1000 ms", "one hour", "1 task", "", "s", "a", "11"])
def test_a_number_answer_refuses_other_numbers_and_units_it_cannot_convert(reply: str) -> None:
    assert not matches(reply, ["1"])


@pytest.mark.parametrize(("reply", "answer", "right"), [
    ("1000 ms", "1 s", True), ("1000", "1000 ms", True), ("1 s", "1000 ms", True), ("1", "1 s", True),
    ("100ms", "0.1 seconds", True), ("0.1", "100 ms", False), ("10 ms", "0.1 s", False),
])
def test_milliseconds_convert_when_the_answer_has_a_unit(reply: str, answer: str, right: bool) -> None:
    assert matches(reply, [answer]) is right


@pytest.mark.parametrize(("reply", "answer"), [
    ("twenty", "20"), ("twenty-one", "21"), ("twenty one seconds", "21"), ("nineteen", "19"), ("zero", "0"),
    (".5", "0.50"), ("0.5 s", "0.5"), ("3", "three"),
])
def test_number_words_and_spellings_of_one_number_are_the_same_number(reply: str, answer: str) -> None:
    assert matches(reply, [answer])


@pytest.mark.parametrize(("reply", "right"), [
    ("asyncio.sleep", True), ("  Asyncio.SLEEP. ", True), ("`asyncio.sleep`", True), ('"asyncio.sleep"', True),
    ("asyncio.sleep()", False), ("asyncio .sleep", False), ("time.sleep", False),
])
def test_text_answers_ignore_case_quotes_and_trailing_punctuation(reply: str, right: bool) -> None:
    assert matches(reply, ["asyncio.sleep"]) is right


def test_an_answer_of_punctuation_only_is_still_compared() -> None:
    assert normalize("...") == "..." and matches("...", ["..."]) and not matches("?", ["..."])


@pytest.mark.parametrize(("reply", "printed", "lines"), [
    ("a, b", ["a", "b"], ["a", "b"]),
    ("a b", ["a", "b"], ["a", "b"]),  # no separators, the right words: the printed lines
    ("[2, ValueError('no'), 1]", ["[2, ValueError('no'), 1]"], ["[2, ValueError('no'), 1]"]),  # a line with commas
    ("x, y", ["a", "b"], ["x", "y"]),  # wrong: as typed
])
def test_a_prediction_is_shown_as_the_lines_it_predicts(reply: str, printed: list[str], lines: list[str]) -> None:
    assert predicted_lines(reply, printed) == lines
