"""Courses a teacher ships: a folder with a ``course.yaml``, remembered with ``course add``, or a pip-installed pack."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from asyncshell.cli import main
from asyncshell.paths import LESSONS_ENV
from support import child_env, installed_asyncshell

PACK = Path(__file__).resolve().parents[2] / "docs" / "examples" / "demo-pack"


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LESSONS_ENV, raising=False)


@pytest.fixture
def week3(write_lesson, full_lesson, lesson_dir: Path) -> Path:
    """A teacher's folder: two lessons, listed in the course file in the opposite order to their ``order``."""
    write_lesson(full_lesson(id="timeouts", order=120), "week3/timeouts.yaml")
    write_lesson(full_lesson(id="polite", order=110, requires=("timeouts",)), "week3/polite.yaml")
    write_lesson("title: Week 3\ndescription: Timeouts, then polite downloads.\n"
                 "lessons: [timeouts, polite]\nbuiltin: false\n", "week3/course.yaml")
    return lesson_dir / "week3"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    status = main(list(argv))
    return status, capsys.readouterr().out.splitlines()


def numbered(lines: list[str]) -> list[str]:
    return [line.split()[1] for line in lines if line.split()[:1] and line.split()[0].isdigit()]


def test_a_course_folder_shows_only_its_lessons_in_its_order_under_its_name(capsys, week3):
    status, lines = run(capsys, "lessons", "--course", str(week3))
    assert status == 0
    assert numbered(lines) == ["timeouts", "polite"]  # the course file's order, not 'order'
    assert "Week 3 (week3): Timeouts, then polite downloads." in lines
    assert lines[2].split()[0] == "1" and lines[-2].split()[0] == "2"


def test_no_builtin_leaves_asyncshells_own_lessons_out(capsys, write_lesson, full_lesson, lesson_dir):
    write_lesson(full_lesson(id="mine", order=5), "mine/mine.yaml")
    assert "first-steps" in numbered(run(capsys, "lessons", "--lessons-dir", "mine")[1])
    assert numbered(run(capsys, "lessons", "--lessons-dir", "mine", "--no-builtin")[1]) == ["mine"]
    status, lines = run(capsys, "lessons", "--no-builtin")
    assert lines[0].startswith("No lessons: asyncshell's own are left out")


def test_course_add_remembers_the_folder_for_later_runs_and_remove_forgets_it(capsys, week3):
    status, lines = run(capsys, "course", "add", str(week3))
    assert status == 0
    assert lines[0].startswith(f"Remembered the course 'Week 3' in {week3.resolve()}: 2 lessons.")
    assert numbered(run(capsys, "lessons")[1]) == ["timeouts", "polite"]  # no flags now
    assert run(capsys, "course", "list")[1] == [f"week3: Week 3 (2 lessons, remembered) {week3.resolve()}"]
    assert run(capsys, "course", "remove", str(week3))[0] == 0
    assert numbered(run(capsys, "lessons")[1])[0] == "why-async"  # the built-in course is back
    assert run(capsys, "course", "remove", str(week3))[0] == 1


def test_a_broken_course_file_is_one_line_and_its_lessons_still_load(capsys, week3):
    (week3 / "course.yaml").write_text("title: Week 3\nlesons: [timeouts]\n", encoding="utf-8")
    status, lines = run(capsys, "lessons", "--course", str(week3))
    assert f"{week3}/course.yaml:2: lesons: unknown key for a course; did you mean 'lessons'?" in lines
    assert {"timeouts", "polite"} <= set(numbered(lines))


def test_a_course_file_naming_a_lesson_it_lacks_says_so(capsys, week3):
    (week3 / "course.yaml").write_text("lessons: [timeout, polite]\n", encoding="utf-8")
    status, lines = run(capsys, "lessons", "--course", str(week3))
    assert any(line.endswith(f"lessons: 'timeout' is not a lesson that loaded from {week3}; did you mean 'timeouts'?")
               for line in lines)


def test_learn_course_opens_the_courses_lesson(week3, asyncshell_home):
    result = subprocess.run([installed_asyncshell(), "learn", "--course", str(week3), "timeouts"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60, env=child_env(asyncshell_home))
    assert result.returncode == 0, result.stderr
    assert "First steps" in result.stdout  # the lesson's title heads its first step
    missing = subprocess.run([installed_asyncshell(), "learn", "polite"], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=60, env=child_env(asyncshell_home))
    assert "asyncshell learn --course DIR" in missing.stdout + missing.stderr


def test_an_installed_pack_is_found_by_its_entry_point_without_importing_it(tmp_path, asyncshell_home):
    """The example pack in docs/, pip-installed into a fresh venv that sees this environment's asyncshell."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # The venv sees asyncshell, its dependencies and pip where this test runs; the pack goes into the venv.
    Path(site, "_tested_environment.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    pack = shutil.copytree(PACK, tmp_path / "demo-pack")
    (pack / "demo_pack" / "__init__.py").write_text("raise RuntimeError('asyncshell imported the pack')\n")
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(pack)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    env = child_env(asyncshell_home)
    listing = subprocess.run([str(python), "-m", "asyncshell", "lessons"], capture_output=True, text=True, timeout=60, env=env)
    assert listing.returncode == 0, listing.stderr
    assert "Timeouts, a demo course (demo): How long to wait, and what to do when it is too long." in listing.stdout
    assert numbered(listing.stdout.splitlines())[-2:] == ["demo-timeouts", "demo-polite"]
    assert "first-steps" in listing.stdout  # the pack's course.yaml keeps the built-in lessons
    validated = subprocess.run([str(python), "-m", "asyncshell", "validate", "--no-builtin"], capture_output=True, text=True,
                               timeout=300, env=env)
    assert "demo-polite" in validated.stdout and validated.returncode == 0, validated.stdout
