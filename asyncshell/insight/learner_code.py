"""Which code is the learner's: typed inputs, ``-c`` code and their own files.

Not Python's, not an installed library's, not the shell's.  One rule for the
explanations, the blocking watchdog and the task table, so they agree on what
"your line" means.
"""

from __future__ import annotations

import functools
import os
import sysconfig

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


@functools.cache
def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(os.path.join(paths[key], "") for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths)


def is_learners_file(filename: str) -> bool:
    """Typed inputs, ``-c`` code and the learner's own files; not Python's, a library's, or the shell's."""
    if filename.startswith("<"):
        return filename.startswith("<input-") or filename == "<string>"
    path = os.path.abspath(filename)
    return not path.startswith(_PACKAGE_DIR) and not path.startswith(_library_dirs())
