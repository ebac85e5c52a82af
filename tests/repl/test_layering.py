"""The REPL core stands alone: no terminal library, no feature, nothing a lesson needs."""

from __future__ import annotations

import subprocess
import sys

CORE = ["commands", "console", "evaluator", "hooks", "loop", "session", "statements", "tasks", "tracebacks"]


def test_the_repl_core_imports_no_prompt_toolkit_and_no_feature() -> None:
    imports = "; ".join(f"import asyncshell.repl.{name}" for name in CORE)
    probe = (
        f"import sys; {imports}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prompt_toolkit', 'pygments', 'yaml', 'aiohttp')"
        " or m.startswith(('asyncshell.course', 'asyncshell.insight', 'asyncshell.frontends', 'asyncshell.practice'))))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
