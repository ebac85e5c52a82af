"""``asyncshell validate``: an author sees one row per lesson and one exact line per problem.

The run over the built-in lessons is in ``test_builtin_lessons.py``.  Lines in
the expected messages are those of ``conftest.FULL_LESSON``: its exercise
starts on line 30, its setup on 34, its check on 42 and its solution on 44.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asyncshell.course.loader import load_lesson
from asyncshell.course.model import Location, QuizStep
from asyncshell.cli import main
from asyncshell.course.validate import _quiz_problems

SOLUTION_RETURN = 'return f"hello, {name}"'


def validate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    status = main(["validate", *argv])
    return status, capsys.readouterr().out.splitlines()


def table(lines: list[str]) -> list[list[str]]:
    """The rows under the header, split into cells, up to the next blank line."""
    start = lines.index(next(line for line in lines if line.startswith("lesson ")))
    rows = lines[start + 1:lines.index("", start)]
    return [row.split() for row in rows]


@pytest.fixture(autouse=True)
def no_user_lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASYNCSHELL_LESSONS", raising=False)


BROKEN_LESSONS = [
    pytest.param(
        lambda text: text.replace(SOLUTION_RETURN, 'return f"hi, {name}"'),
        "lesson.yaml:42: exercise 'greet': the solution fails its check: await greet(\"ada\") was 'hi, ada'",
        id="solution-fails-its-check",
    ),
    pytest.param(
        lambda text: text.replace("          ...\n", f"          {SOLUTION_RETURN}\n"),
        "lesson.yaml:36: exercise 'greet': the starter passes its check; it must fail until the learner solves the task",
        id="starter-passes",
    ),
    pytest.param(
        lambda text: text.replace("    starter: |\n      async def greet(name):\n          ...\n", "")
        .replace('assert await greet("ada") == "hello, ada"', "assert 1 + 1 == 2"),
        "lesson.yaml:30: exercise 'greet': with no code at all (there is no starter) the check passes; "
        "it must fail until the learner solves the task",
        id="no-starter-and-the-check-passes-anyway",
    ),
    pytest.param(
        lambda text: text.replace("    solution: |\n", "    solution: |\n      1 / 0\n"),
        "lesson.yaml:44: exercise 'greet': the solution fails when run: ZeroDivisionError: division by zero",
        id="solution-raises",
    ),
    pytest.param(
        lambda text: text.replace("      import asyncio\n", "      import asyncioo\n"),
        "lesson.yaml:34: exercise 'greet': the setup fails: ModuleNotFoundError: No module named 'asyncioo'",
        id="setup-raises",
    ),
    pytest.param(
        lambda text: text.replace("asyncio.sleep(0)", "asyncio.sleep(10)").replace("timeout: 5", "timeout: 0.2"),
        "lesson.yaml:44: exercise 'greet': the solution fails its check: timed out after 0.2 s",
        id="solution-too-slow",
    ),
    pytest.param(
        lambda text: text.replace("await asyncio.sleep(0)", "while True: pass").replace("timeout: 5", "timeout: 0.2"),
        "lesson.yaml:44: exercise 'greet': the solution fails its check: timed out after 0.2 s",
        id="solution-spins-without-awaiting",
    ),
]


@pytest.mark.parametrize(("breaking", "problem"), BROKEN_LESSONS)
def test_a_lesson_with_a_problem_fails_with_one_exact_line(capsys, write_lesson, full_lesson, breaking, problem):
    path = write_lesson(breaking(full_lesson()))
    status, lines = validate(capsys, str(path))
    assert status == 1
    assert [row[:5] for row in table(lines)] == [["intro", "5", "1", "1", "problem"]]
    assert problem in lines
    assert lines[-1] == "1 lesson checked, 1 problem in lessons that loaded."


def test_a_file_that_does_not_load_is_reported_with_the_loaders_line(capsys, write_lesson, full_lesson):
    write_lesson(full_lesson(), "good.yaml")
    write_lesson(full_lesson(id="broken").replace("type: exercise", "type: exersise"), "broken.yaml")
    status, lines = validate(capsys, ".")
    assert status == 1
    assert [row[:4] for row in table(lines)] == [["intro", "5", "1", "ok"]]
    assert "broken.yaml:30: steps[4].type: unknown step type 'exersise'; did you mean 'exercise'?" in lines
    assert lines[-1] == "1 lesson checked, 1 file did not load."


def test_the_table_has_one_row_per_lesson_and_the_codes_output_stays_out(capsys, write_lesson, full_lesson):
    noisy = full_lesson(id="noisy", order=2).replace("    solution: |\n", "    solution: |\n      print('NOISE')\n")
    write_lesson(noisy, "b.yaml")
    write_lesson(full_lesson(id="quiet", order=1), "a.yaml")
    status, lines = validate(capsys, ".")
    assert status == 0
    assert lines[0].split() == ["lesson", "steps", "exercises", "result", "time"]
    rows = table(lines)
    assert [row[:4] for row in rows] == [["quiet", "5", "1", "ok"], ["noisy", "5", "1", "ok"]]
    assert all(float(row[4]) >= 0 and row[5] == "s" for row in rows)
    assert lines[-1] == "2 lessons checked: all good."
    assert "NOISE" not in "\n".join(lines) + capsys.readouterr().err


def test_files_and_folders_can_be_named_together(capsys, write_lesson, full_lesson):
    write_lesson(full_lesson(id="one"), "a/one.yaml")
    write_lesson(full_lesson(id="two"), "b/two.yaml")
    write_lesson(full_lesson(id="left-out").replace("id: greet", "id: Greet"), "b/left-out.yaml")
    status, lines = validate(capsys, "a", "b/two.yaml")
    assert status == 0, lines
    assert sorted(row[0] for row in table(lines)) == ["one", "two"]


def test_a_named_lesson_may_require_a_built_in_one_which_is_not_validated_again(capsys, write_lesson, full_lesson):
    write_lesson(full_lesson(id="mine", requires=("first-steps",)))
    status, lines = validate(capsys, "lesson.yaml")
    assert status == 0, lines
    assert [row[0] for row in table(lines)] == ["mine"]


def test_lessons_dir_adds_a_folder_to_the_built_in_lessons(capsys, write_lesson, full_lesson, monkeypatch, lesson_dir):
    # Two of the built-in lessons stand for all of them: the whole course is validated once, in test_builtin_lessons.
    import shutil

    from asyncshell.course import courses
    from asyncshell.paths import builtin_lessons_dir

    (lesson_dir / "builtin").mkdir()
    for name in ("01-why-async.yaml", "02-first-steps.yaml"):
        shutil.copy(builtin_lessons_dir() / name, lesson_dir / "builtin")
    monkeypatch.setattr(courses, "builtin_lessons_dir", lambda: lesson_dir / "builtin")
    write_lesson(full_lesson(id="extra", order=99), "more/extra.yaml")
    status, lines = validate(capsys, "--lessons-dir", "more")
    assert status == 0, lines
    assert [row[0] for row in table(lines)][-1] == "extra"
    assert "first-steps" in [row[0] for row in table(lines)]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["missing.yaml"], "no such file or folder: missing.yaml"),
        (["notes.txt"], "not a lesson file"),
        (["--lessons-dir", "nowhere"], "argument --lessons-dir: no such folder: nowhere"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, lesson_dir, argv, error):
    Path("notes.txt").write_text("not a lesson\n")
    with pytest.raises(SystemExit) as stop:
        main(["validate", *argv])
    assert stop.value.code == 2
    first, *rest = capsys.readouterr().err.splitlines()
    assert first.startswith("asyncshell validate: ") and error in first
    assert rest == ["(see asyncshell validate --help)"]


def test_an_empty_folder_is_a_problem_not_a_pass(capsys, lesson_dir):
    status, lines = validate(capsys, ".")
    assert (status, lines) == (1, ["No lesson files found in .."])


def test_a_quiz_no_reply_can_answer_is_a_problem(write_lesson, full_lesson):
    # The loader refuses such quizzes, so they are built by hand.
    lesson = load_lesson(write_lesson(full_lesson()))
    where = Location(lesson.path, 9)
    common = dict(key="quiz-1", location=where, question="?", explanation="!")
    bad_choice = QuizStep(**common, choices=("a", "b"), answers=(3,), accepted=())
    nothing_accepted = QuizStep(**common, choices=(), answers=(), accepted=())
    good = QuizStep(**common, choices=("a", "b"), answers=(1, 2), accepted=())
    assert [str(p) for p in _quiz_problems(lesson, bad_choice)] == [
        "lesson.yaml:9: quiz 'quiz-1': its answer 3 is not among its 2 choices"]
    assert [str(p) for p in _quiz_problems(lesson, nothing_accepted)] == [
        "lesson.yaml:9: quiz 'quiz-1': it accepts no typed answer, so nobody can get it right"]
    assert _quiz_problems(lesson, good) == []


PREDICT = """\
  - type: predict
    code: |
      print("a")
      print("b")
    choices:
      - |
        a
        b
      - |
        b
        a
    answer: {answer}
    explanation: Lines print in order.
"""


@pytest.mark.parametrize(("answer", "status"), [(1, 0), (2, 1)])
def test_a_predict_step_must_print_its_right_answer(capsys, write_lesson, full_lesson, answer, status):
    text = full_lesson() + PREDICT.format(answer=answer)
    line = text.count("\n", 0, text.index("  - type: predict")) + 1
    code, lines = validate(capsys, str(write_lesson(text)))
    assert code == status, lines
    problem = f"lesson.yaml:{line}: predict 'predict-1': its code prints a │ b, not its answer b │ a"
    assert (problem in lines) == (status == 1)


def test_a_lesson_that_needs_the_practice_server_gets_it_in_its_checks(capsys, write_lesson, full_lesson):
    text = full_lesson().replace("steps:\n", "needs: [practice_server]\nsteps:\n", 1).replace(
        '      assert await greet("ada") == "hello, ada"\n',
        '      assert await greet("ada") == "hello, ada"\n      assert server.url.startswith("http://127.0.0.1:")\n')
    status, lines = validate(capsys, str(write_lesson(text)))
    assert status == 0, lines


def test_a_file_name_with_terminal_escapes_is_shown_escaped(capsys, write_lesson, full_lesson):
    breaking = BROKEN_LESSONS[0].values[0]
    path = write_lesson(breaking(full_lesson()), "\x1b]0;PWNED\x07\x1b[2J.yaml")
    status, lines = validate(capsys, str(path))
    assert status == 1
    out = "\n".join(lines)
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;PWNED\\x07\\x1b[2J.yaml:42: exercise 'greet': the solution fails its check" in out


def test_a_lesson_that_needs_the_practice_server_has_base_url_as_in_the_shell(capsys, write_lesson, full_lesson):
    text = full_lesson().replace("steps:\n", "needs: [practice_server]\nsteps:\n", 1).replace(
        '          return f"hello, {name}"\n',
        '          assert BASE_URL == server_url, "BASE_URL is the practice server"\n'
        '          return f"hello, {name}"\n').replace(
        '      import asyncio\n', '      import asyncio\n      server_url = BASE_URL\n')
    status, lines = validate(capsys, str(write_lesson(text)))
    assert status == 0, lines


# -- code that will not stop: validate still ends, and says where

SWALLOWING_WORKER = """\
      async def worker():
          while True:
              try:
                  await asyncio.sleep(0.05)
              except:
                  pass
"""
STUB_WORKER = """\
      async def worker():
          ...
"""
STOPPING_WORKER = """\
      async def worker():
          while True:
              await asyncio.sleep(0.05)
"""
CANCEL_LESSON = """\
format: 1
id: cancel
title: Stopping
summary: Tasks that stop when cancelled.
order: 1
steps:
  - type: exercise
    id: worker
    body: Write `worker()`, which runs until it is cancelled.
    setup: |
      import asyncio
    starter: |
{starter}    hints: [It loops., It lets CancelledError through.]
    check: |
      task = asyncio.create_task(worker())
      await asyncio.sleep(0.1)
      task.cancel()
      try:
          await task
      except asyncio.CancelledError:
          pass
      assert task.cancelled(), "worker() should stop when cancelled"
    solution: |
{solution}    timeout: 1
"""


def _validate_in_a_process(path, home) -> tuple[int, list[str], float]:
    """Run validate as the installed command would, with a deadline: a hang fails the test instead of the run."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "asyncshell", "validate", str(path)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "ASYNCSHELL_HOME": str(home)})
    return done.returncode, done.stdout.splitlines(), time.perf_counter() - started


@pytest.mark.parametrize(("starter", "solution", "problem"), [
    pytest.param(STUB_WORKER, SWALLOWING_WORKER,
                 "lesson.yaml:29: exercise 'worker': the solution swallows the CancelledError meant to stop it "
                 "(at <solution:worker> line 4: `await asyncio.sleep(0.05)`), so nothing can stop it; "
                 "catch Exception, or re-raise asyncio.CancelledError",
                 id="solution"),
    pytest.param(SWALLOWING_WORKER, STOPPING_WORKER,
                 "lesson.yaml:7: exercise 'worker': the starter swallows the CancelledError meant to stop it "
                 "(at <starter:worker> line 4: `await asyncio.sleep(0.05)`), so nothing can stop it; "
                 "catch Exception, or re-raise asyncio.CancelledError",
                 id="starter"),
])
def test_code_that_swallows_cancellation_is_a_problem_not_a_hang(write_lesson, asyncshell_home, starter, solution,
                                                                 problem):
    path = write_lesson(CANCEL_LESSON.format(starter=starter, solution=solution))
    status, lines, seconds = _validate_in_a_process(path, asyncshell_home)
    assert status == 1, lines
    assert problem in lines
    assert lines[-1] == "1 lesson checked, 1 problem in lessons that loaded."
    assert seconds < 30


def test_a_name_the_check_uses_that_nothing_defines_is_reported_at_that_check_line(capsys, write_lesson, full_lesson):
    check = 'assert await greet("ada") == "hello, ada"'
    path = write_lesson(full_lesson().replace(check, check + "\n      assert BASE_URL.startswith('http')"))
    status, lines = validate(capsys, str(path))
    assert status == 1
    assert ("lesson.yaml:43: exercise 'greet': the solution fails its check: the check uses `BASE_URL`, which "
            "nothing defines (not the setup, the code that was run, or the check's helpers)") in lines


def test_verbose_says_which_check_line_each_starter_fails_on(capsys, write_lesson, full_lesson):
    path = write_lesson(full_lesson())
    status, lines = validate(capsys, "-v", str(path))
    assert status == 0
    assert f"{path}:" in lines
    assert "  greet: solution passes; starter fails at lesson.yaml:42: await greet(\"ada\") was None" in lines
    status, quiet = validate(capsys, str(path))
    assert not any("starter fails" in line for line in quiet)


@pytest.mark.parametrize(("expected", "problem"), [
    ("was None", None),
    ("was 'hello'", "lesson.yaml:36: exercise 'greet': the starter fails, but not with \"was 'hello'\" "
                    "(starter_fails_with): lesson.yaml:43: await greet(\"ada\") was None"),
])
def test_starter_fails_with_proves_the_starter_fails_for_the_intended_reason(capsys, write_lesson, full_lesson,
                                                                             expected, problem):
    path = write_lesson(full_lesson().replace("    hints:\n", f"    starter_fails_with: \"{expected}\"\n    hints:\n", 1))
    status, lines = validate(capsys, str(path))
    assert status == (1 if problem else 0)
    if problem:
        assert problem in lines


def test_when_no_file_loads_there_is_no_empty_table(capsys, write_lesson, full_lesson):
    write_lesson(full_lesson().replace("type: exercise", "type: exersise"), "broken.yaml")
    status, lines = validate(capsys, ".")
    assert status == 1
    assert lines[0].startswith("broken.yaml:")
    assert not any(line.startswith("lesson ") for line in lines)
    assert lines[-1] == "0 lessons checked, 1 file did not load."


def test_a_lesson_setup_and_a_course_helper_module_reach_every_exercise(capsys, write_lesson, full_lesson, lesson_dir):
    # The solution uses shout(), from the course's _helpers.py, and LOUD, from the lesson's setup.
    write_lesson("def shout(text):\n    return text.upper()\n", "_helpers.py")
    text = full_lesson().replace("steps:\n", "setup: |\n  LOUD = True\nsteps:\n", 1)
    text = text.replace('return f"hello, {name}"', 'from _helpers import shout\n          '
                        'return f"hello, {name}" if LOUD and shout("a") == "A" else "quiet"')
    path = write_lesson(text)
    status, lines = validate(capsys, str(path))
    assert status == 0, lines
    broken = write_lesson(text.replace("  LOUD = True\n", "  LOUD = 1 / 0\n"), "broken.yaml")
    status, lines = validate(capsys, str(broken))
    assert "broken.yaml:8: exercise 'greet': the lesson's setup fails: ZeroDivisionError: division by zero" in lines
