"""Tab completion from the live namespace."""

from __future__ import annotations

import asyncio

from asyncshell.frontends.completion import complete


def test_names_from_the_namespace_builtins_and_keywords() -> None:
    namespace = {"fetch_all": 1, "fetch_one": 2, "asyncio": asyncio}
    assert complete("fet", namespace) == ("fet", ["fetch_all", "fetch_one"])
    assert "print" in complete("pri", namespace)[1]
    assert "await" in complete("awa", namespace)[1]


def test_attributes_along_a_dotted_path() -> None:
    word, candidates = complete("asyncio.Tas", {"asyncio": asyncio})
    assert word == "Tas"
    assert {"Task", "TaskGroup"} <= set(candidates)
    assert "get_running_loop" in complete("x = asyncio.get_r", {"asyncio": asyncio})[1]


def test_private_names_only_once_an_underscore_is_typed() -> None:
    class Thing:
        _hidden = 1
        shown = 2

    assert complete("Thing.", {"Thing": Thing})[1] == ["shown"]
    assert "_hidden" in complete("Thing._", {"Thing": Thing})[1]


def test_completion_never_runs_user_properties() -> None:
    calls = []

    class Sneaky:
        @property
        def value(self) -> object:
            calls.append("ran")
            return self

    assert complete("s.value.", {"s": Sneaky()}) == ("", [])
    assert calls == []


def test_unknown_names_and_literals_complete_to_nothing() -> None:
    assert complete("nothing.he", {}) == ("he", [])
    assert complete("'text'.up", {}) == ("up", [])
    assert complete("", {"a": 1}) == ("", [])
