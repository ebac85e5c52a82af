"""``serve_forever`` (behind ``asyncshell serve``) and what importing the package drags in."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from asyncshell.practice_server import serve_forever

SERVE = "import sys; from asyncshell.practice_server import serve_forever; sys.exit(serve_forever())"


def test_busy_port_is_one_line_and_exit_code_1(capsys):
    lines: list[str] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve_forever(port, write=lines.append) == 1
    assert lines == [
        f"asyncshell serve: port {port} on 127.0.0.1 is already in use; choose another port, or 0 for any free one"
    ]
    assert capsys.readouterr() == ("", "")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serves_until_a_stop_signal_then_exits_0(stop_signal):
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Practice server listening on http://127.0.0.1:"), line
        assert line.rstrip().endswith("(Ctrl-C to stop)")
        url = line.split()[4]
        with urllib.request.urlopen(url + "/json?n=1", timeout=10) as resp:
            assert json.load(resp)["count"] == 1
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0
    assert (out, err) == ("", "")


def test_importing_it_pulls_in_no_other_part_of_the_shell():
    code = (
        "import json, sys, asyncshell.practice_server; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('asyncshell', 'prompt_toolkit')))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(loaded.stdout)
    others = [m for m in modules if not m.startswith("asyncshell.practice_server")]
    assert others == ["asyncshell", "asyncshell.errors"]
