"""Shared fixtures: every test gets its own ASYNCSHELL_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def asyncshell_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "asyncshell-home"
    monkeypatch.setenv("ASYNCSHELL_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home
