"""Tab completion from the live namespace."""

from __future__ import annotations

import asyncio
import subprocess
import sys

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


def test_import_completes_module_names_from_sys_path() -> None:
    word, names = complete("import asy", {})
    assert word == "asy" and {"asyncio", "asyncshell"} <= set(names) and all(n.startswith("asy") for n in names)
    assert complete("import asyncio.ta", {}) == ("ta", ["taskgroups", "tasks"])
    assert complete("from concurrent import fu", {}) == ("fu", ["futures"])


def test_from_import_completes_a_modules_names_without_importing_it() -> None:
    probe = (
        "import sys\n"
        "from asyncshell.frontends.completion import complete\n"
        "before = set(sys.modules)\n"
        "print(complete('from asyncio import Ta', {}), complete('from yaml import safe_l', {}))\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in ('asyncio', 'yaml')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "('Ta', ['Task', 'TaskGroup']) ('safe_l', ['safe_load', 'safe_load_all'])"
    assert out[1] == "[]"  # nothing was imported to complete
