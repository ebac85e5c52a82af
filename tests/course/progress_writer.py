"""A writer for the durability tests: records attempts as fast as it can and reports each commit.

Usage: progress_writer.py STORE LESSON [COUNT]

After attempt n (detail "n") and the position n are committed it prints n on
its own line, so whoever kills it knows what must have survived.  Without
COUNT it runs until killed.
"""

from __future__ import annotations

import sys

from asyncshell.course.progress import ProgressStore


def main(store_path: str, lesson: str, count: int | None) -> int:
    with ProgressStore.open(store_path) as store:
        if store.notice:
            print(f"notice: {store.notice}", file=sys.stderr, flush=True)
            return 2
        n = 0
        while count is None or n < count:
            step = f"step-{n % 5}"
            store.record_attempt(lesson, step, "fail", f"await asyncio.sleep({n})", detail=str(n))
            if n % 3 == 0:
                store.mark_done(lesson, step)
            store.set_position(lesson, n)
            sys.stdout.write(f"{n}\n")
            sys.stdout.flush()
            n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None))
