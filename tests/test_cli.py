"""The installed ``asyncshell`` command, driven through pipes as scripts drive it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import child_env, installed_asyncshell


def shell(*args: str, stdin: str = "", home: Path, timeout: float = 30, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_asyncshell(), *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=child_env(home, **env)
    )


def test_piped_stdin_runs_top_level_await(asyncshell_home: Path) -> None:
    result = shell(stdin='await asyncio.sleep(0.1)\nprint("ok")\n', home=asyncshell_home)
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_a_tutorial_piped_in_runs_as_in_a_script(asyncshell_home: Path) -> None:
    tutorial = (
        "import asyncio\n"
        "async def say(what, delay):\n"
        "    await asyncio.sleep(delay)\n\n"
        "    print(what)\n"
        "async def main():\n"
        "    await asyncio.gather(say('world', 0.2), say('hello', 0.1))\n"
        "await main()\n"
        "print('done')\n"
    )
    result = shell(stdin=tutorial, home=asyncshell_home)
    assert result.stdout == "hello\nworld\ndone\n"
    assert result.returncode == 0


def test_dash_c_runs_code_and_sets_argv(asyncshell_home: Path) -> None:
    result = shell("-c", "import sys; print(await asyncio.sleep(0, 'hi'), sys.argv)", "a", "b", home=asyncshell_home)
    assert result.stdout == "hi ['-c', 'a', 'b']\n"
    assert result.returncode == 0


def test_dash_c_error_is_a_user_traceback_and_status_one(asyncshell_home: Path) -> None:
    result = shell("-c", "1/0", home=asyncshell_home)
    assert result.returncode == 1
    assert 'File "<string>", line 1, in <module>' in result.stderr
    assert "asyncshell" not in result.stderr


def test_a_file_runs_with_top_level_await(tmp_path: Path, asyncshell_home: Path) -> None:
    script = tmp_path / "demo.py"
    script.write_text("import sys\nresult = await asyncio.sleep(0, 21 * 2)\nprint(result, sys.argv[1:], __file__.endswith('demo.py'))\n")
    result = shell(str(script), "x", home=asyncshell_home)
    assert (result.returncode, result.stdout) == (0, "42 ['x'] True\n")


def test_dash_i_stays_with_the_files_names(tmp_path: Path, asyncshell_home: Path) -> None:
    script = tmp_path / "demo.py"
    script.write_text("answer = 42\n")
    result = shell("-i", str(script), stdin="print(answer + 1)\n", home=asyncshell_home)
    assert (result.returncode, result.stdout) == (0, "43\n")


def test_a_missing_file_is_one_line(asyncshell_home: Path) -> None:
    result = shell("no-such-file.py", home=asyncshell_home)
    assert result.returncode == 2
    assert result.stderr == "asyncshell: can't run 'no-such-file.py': No such file or directory\n"


def test_version_and_help(asyncshell_home: Path) -> None:
    version = shell("--version", home=asyncshell_home)
    assert version.stdout.startswith("asyncshell 0.1.0 (Python 3.")
    usage = shell("--help", home=asyncshell_home)
    assert "--no-color" in usage.stdout and "-c CODE" in usage.stdout


def test_python_dash_m_asyncshell(asyncshell_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "asyncshell", "-c", "print('via -m')"], capture_output=True, text=True, timeout=30, env=child_env(asyncshell_home)
    )
    assert result.stdout == "via -m\n"


def test_exit_status_and_leftover_tasks_on_eof(asyncshell_home: Path) -> None:
    result = shell(stdin="async def spin():\n    await asyncio.sleep(100)\nt = asyncio.create_task(spin())\n", home=asyncshell_home)
    assert result.returncode == 0
    assert "Cancelling 1 task still running:" in result.stdout
    assert "spin-1 (spin()" in result.stdout
    assert shell(stdin="exit(5)\n", home=asyncshell_home).returncode == 5


@pytest.mark.parametrize("how", [("--no-color",), ()])
def test_no_color_means_no_escape_codes(how: tuple[str, ...], asyncshell_home: Path) -> None:
    result = shell(*how, stdin="1/0\n%help\n", home=asyncshell_home, NO_COLOR="1")
    assert "\x1b[" not in result.stdout + result.stderr


def test_non_text_bytes_on_stdin_do_not_crash(asyncshell_home: Path) -> None:
    result = subprocess.run(
        [installed_asyncshell()], input=b"print('a')\n\xff\xfe\nprint('b')\n", capture_output=True, timeout=30, env=child_env(asyncshell_home)
    )
    assert result.stdout.decode().startswith("a\n")
    assert result.stdout.decode().endswith("b\n")
    assert b"asyncshell/" not in result.stderr


def test_sigint_while_a_piped_input_runs_interrupts_it(asyncshell_home: Path) -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [installed_asyncshell()], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(asyncshell_home)
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("print('started', flush=True)\nawait asyncio.sleep(100)\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == "started\n"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate("print('after')\n", timeout=20)
    assert "KeyboardInterrupt: the input was stopped" in out
    assert out.endswith("after\n")
    assert proc.returncode == 0


@pytest.mark.parametrize(
    "start, stopped",
    [("spinner = asyncio.create_task(spin()); await spinner", "KeyboardInterrupt: the input was stopped"),
     ("spinner = asyncio.create_task(spin())", "KeyboardInterrupt: stopped task 'spin-1', which held the loop at <input-2> line")],
    ids=["awaited-by-the-input", "in-the-background"],
)
def test_sigint_stops_a_task_that_holds_the_loop(asyncshell_home: Path, start: str, stopped: str) -> None:
    import signal

    proc = subprocess.Popen(
        [installed_asyncshell()], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(asyncshell_home)
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(
        "import time\n"
        "async def spin():\n"
        "    print('spinning', flush=True)\n"
        "    deadline = time.monotonic() + 60\n"
        "    while time.monotonic() < deadline:\n"
        "        pass\n"
        "\n" + start + "\n"
    )
    proc.stdin.flush()
    assert proc.stdout.readline() == "spinning\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate("print('spinner done:', spinner.done())\n", timeout=20)  # not the spin's 60 s
    assert stopped in out + err
    assert out.endswith("spinner done: True\n")
    assert proc.returncode == 0


def test_lessons_and_validate_subcommands_work_from_the_installed_command(asyncshell_home: Path) -> None:
    listing = shell("lessons", home=asyncshell_home)
    assert listing.returncode == 0
    assert "first-steps" in listing.stdout and "not started" in listing.stdout
    from asyncshell.paths import builtin_lessons_dir

    # One built-in file: the whole course is validated once, in tests/course/test_builtin_lessons.py.
    validation = shell("validate", str(builtin_lessons_dir() / "02-first-steps.yaml"), home=asyncshell_home, timeout=120)
    assert validation.returncode == 0, validation.stdout + validation.stderr
    assert "first-steps" in validation.stdout and "all good" in validation.stdout


def test_code_and_files_run_as_scripts_without_echoing_values(tmp_path: Path, asyncshell_home: Path) -> None:
    script = tmp_path / "quiet.py"
    script.write_text("1 + 1\nprint('printed')\n")
    assert shell(str(script), home=asyncshell_home).stdout == "printed\n"
    assert shell("-c", "1 + 1", home=asyncshell_home).stdout == ""


def test_the_blocking_detector_reports_time_sleep_in_a_coroutine(asyncshell_home: Path) -> None:
    result = shell(stdin="import time\nasync def fetch():\n    time.sleep(0.5)\n    return 1\nawait fetch()\n", home=asyncshell_home)
    assert "`time.sleep(0.5)` in `fetch()` (<input-2> line 2) blocked the event loop for about" in result.stdout
    assert "use `await asyncio.sleep(0.5)`" in result.stdout


def test_tasks_cancel_and_timeline_from_the_installed_shell(asyncshell_home: Path) -> None:
    script = (
        "async def a():\n    await asyncio.sleep(0.2)\n"
        "%timeline on\nawait asyncio.gather(a(), a())\n%timeline off\n"
        "t = asyncio.create_task(a(), name='sleeper')\n%tasks\n%cancel sleeper\n"
    )
    result = shell(stdin=script, home=asyncshell_home)
    assert "Timeline of input-2" in result.stdout
    assert "a-1" in result.stdout and "a-2" in result.stdout
    assert "sleeper  pending" in result.stdout
    assert "Cancelling sleeper" in result.stdout
    assert result.stderr == ""


def test_a_script_gets_the_shells_notes_on_stderr_not_in_its_output(tmp_path: Path, asyncshell_home: Path) -> None:
    script = tmp_path / "tutorial.py"
    script.write_text("import asyncio\nasync def main():\n    print('hello')\nasyncio.run(main())\n")
    result = shell(str(script), home=asyncshell_home)
    assert result.stdout == "hello\n"
    assert "ran as `await main()`" in result.stderr


def test_a_piped_run_with_a_failing_input_goes_on_and_exits_one(asyncshell_home: Path) -> None:
    result = shell(stdin="1/0\nprint('after')\n", home=asyncshell_home)
    assert result.stdout == "after\n"
    assert result.returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ("--lessons-dir", "/no/such/dir", "-c", "print('ran')"),
        ("learn", "--lessons-dir", "/no/such/dir"),
        ("lessons", "--lessons-dir", "/no/such/dir"),
        ("progress", "--lessons-dir", "/no/such/dir"),
        ("validate", "--lessons-dir", "/no/such/dir"),
    ],
)
def test_a_lessons_dir_that_does_not_exist_is_one_line_everywhere(args: tuple[str, ...], asyncshell_home: Path) -> None:
    result = shell(*args, home=asyncshell_home)
    assert result.returncode == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.endswith("argument --lessons-dir: no such folder: /no/such/dir"), result.stderr
    assert "ran" not in result.stderr


def test_a_lessons_dir_on_the_command_line_reaches_the_shells_lessons(tmp_path: Path, asyncshell_home: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "own.yaml").write_text(
        "format: 1\nid: own-lesson\ntitle: My own lesson\nsummary: one text step\norder: 500\n"
        "steps:\n  - type: text\n    body: Hello from my own lesson.\n",
        encoding="utf-8",
    )
    result = shell("--lessons-dir", str(folder), stdin="%lessons\nimport os\nprint(os.environ.get('ASYNCSHELL_LESSONS'))\n",
                   home=asyncshell_home)
    assert "own-lesson" in result.stdout and "My own lesson" in result.stdout
    assert result.stdout.rstrip().endswith("None")  # passed to the lessons, not through the environment


@pytest.mark.parametrize("line", ["1" + "+1" * 3000, "-" * 100_000 + "1", "not " * 50_000 + "True", "(" * 5000 + ")" * 5000])
def test_a_line_nested_too_deep_is_an_error_for_that_input_only(line: str, asyncshell_home: Path) -> None:
    result = shell(stdin=f"{line}\nprint('alive')\n", home=asyncshell_home)
    assert result.stdout.endswith("alive\n")
    assert "internal error" not in result.stderr and result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(("RecursionError", "SyntaxError", "MemoryError")), result.stderr[-300:]


@pytest.mark.parametrize("breaking", ["sys.stdout.close()", "sys.stderr.close()", "sys.stdout = None", "sys.stderr = open('/dev/null', 'w')"])
def test_closing_a_standard_stream_loses_nothing_after_it(breaking: str, asyncshell_home: Path) -> None:
    result = shell(stdin=f"import sys\n{breaking}\nprint('still printing')\n1/0\nprint('after the error')\n",
                   home=asyncshell_home)
    assert "still printing\n" in result.stdout and "after the error\n" in result.stdout
    assert "ZeroDivisionError" in result.stderr
    assert "put back the one it started with" in result.stdout
    assert "internal error" not in result.stderr


async def test_the_resume_offer_loads_lessons_off_the_loop_then_shows_the_hint(asyncshell_home: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import io
    import time

    from asyncshell import cli
    from asyncshell.course import catalog
    from asyncshell.course.progress import ProgressStore
    from asyncshell.repl.console import Console
    from asyncshell.repl.evaluator import Evaluator
    from asyncshell.repl.session import Session

    with ProgressStore.open() as store:
        store.set_position("first-steps", 1)
    load = catalog.load_lessons

    def slow_load(dirs):  # a folder of big lessons
        time.sleep(1.0)
        return load(dirs)

    monkeypatch.setattr(catalog, "load_lessons", slow_load)
    out = io.StringIO()
    console = Console(out, out)
    session = Session(Evaluator(write=console.write), console, interactive=False)

    started = time.perf_counter()
    cli._offer_resume(session)
    assert time.perf_counter() - started < 0.2, "the lessons load in a thread, not on the loop"
    for _ in range(100):
        await asyncio.sleep(0.05)
        if out.getvalue():
            break
    assert "type %learn first-steps to carry on" in out.getvalue()


async def test_a_first_run_loads_no_lesson_for_the_resume_offer(asyncshell_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import io

    from asyncshell import cli
    from asyncshell.course import catalog
    from asyncshell.repl.console import Console
    from asyncshell.repl.evaluator import Evaluator
    from asyncshell.repl.session import Session

    loads: list[object] = []
    monkeypatch.setattr(catalog, "load_lessons", lambda dirs: loads.append(dirs))  # would fail if called
    out = io.StringIO()
    console = Console(out, out)
    session = Session(Evaluator(write=console.write), console, interactive=False)
    cli._offer_resume(session)
    await asyncio.sleep(0.3)
    assert loads == [] and out.getvalue() == ""  # nothing saved yet: nothing to resume, nothing loaded
    assert not (asyncshell_home / "progress.sqlite3").exists()  # and a first run writes nothing
