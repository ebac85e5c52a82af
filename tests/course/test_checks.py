"""%check as the learner meets it: checks run on the live loop against what they typed, and say why they failed."""

from __future__ import annotations

import asyncio

import pytest

from asyncshell.course.checks import run_check
from course.check_support import Learner, exercise


async def test_a_check_that_finishes_passes() -> None:
    learner = Learner()
    await learner.type("async def greet(name):\n    await asyncio.sleep(0)\n    return f'hello, {name}'")
    result = await learner.check('assert await greet("ada") == "hello, ada"')
    assert (result.status, result.detail) == ("pass", "passed")
    assert result.passed


async def test_a_failing_assert_shows_the_values_and_where_they_differ_and_its_line_only_for_v() -> None:
    learner = Learner()
    await learner.type("result = [3, 1, 2]")
    result = await learner.check("expected = [1, 2, 3]\nassert result == [1, 2, 3]")
    assert result.status == "fail"
    assert result.message.splitlines() == [
        "The check expected: result == [1, 2, 3]",
        "  result was [3, 1, 2]",
        "  at index 0: 3 != 1",
    ]
    assert result.where.splitlines() == [
        "The check failed at <check:demo>, line 2 (lessons/demo.yaml:21):",
        "    assert result == [1, 2, 3]",
    ]
    assert result.detail == "line 2: result was [3, 1, 2]"
    assert (result.line, result.why) == (2, "result was [3, 1, 2]")  # what validate turns into a file line


async def test_the_authors_sentence_comes_first_then_the_values() -> None:
    learner = Learner()
    await learner.type("calls = ['a', 'b']")
    result = await learner.check('assert len(calls) == 3, "fetch should be called three times"')
    assert result.message.splitlines() == [
        "fetch should be called three times",
        "  len(calls) was 2",
        "  calls was ['a', 'b']",
    ]
    assert "lessons/demo.yaml" not in result.message and "assert" not in result.message
    assert result.detail == "line 1: fetch should be called three times"
    assert result.line == 1


async def test_floats_are_shown_to_three_significant_digits() -> None:
    learner = Learner()
    await learner.type("class T:\n    seconds = 0.30079465800000094\nt = T()\ntimes = [0.1 + 0.2, 1.23456]")
    result = await learner.check('assert t.seconds < 0.25, "too slow"')
    assert result.message.splitlines() == ["too slow", "  t.seconds was 0.301"]  # not t itself: it adds nothing
    result = await learner.check('assert times == [0.3, 1.2], "wrong times"')
    assert "  times was [0.3, 1.23]" in result.message.splitlines()
    assert "  at index 0: 0.30000000000000004 != 0.3" in result.message.splitlines()  # rounded alike: shown in full


@pytest.mark.parametrize(("learners", "test", "lines"), [
    ("result = [1, 2]", "result == [1, 2, 3]", ["result has 1 item fewer than [1, 2, 3], missing: 3"]),
    ("result = [1, 2, 3, 4]", "result == [1, 2, 3]", ["result has 1 item more than [1, 2, 3]: 4"]),
    ("result = {'a': 1, 'x': 0}", "result == {'a': 2, 'b': 3}",
     ["at key 'a': 1 != 2", "result is missing key 'b'", "result has an extra key 'x'"]),
    ("result = 'hello ada'", "result == 'hello, ada'",
     ["first differing character at index 5: ' ' != ',' (after 'hello')"]),
    ("result = 'hello'", "result == 'hello, ada'", ["result is missing ', ada' at the end"]),
    ("result = (1, 2)", "result == [1, 2]", []),  # different types: the values say enough
])
async def test_equality_on_lists_dicts_and_strings_says_where_they_differ(learners: str, test: str, lines: list[str]) -> None:
    learner = Learner()
    await learner.type(learners)
    result = await learner.check(f"assert {test}, 'not the right result'")
    shown = result.message.splitlines()
    assert shown[0] == "not the right result"
    assert [line.strip() for line in shown[2:]] == lines


async def test_values_come_from_the_one_evaluation_that_failed() -> None:
    learner = Learner()
    await learner.type("count = 0\ndef bump():\n    global count\n    count += 1\n    return count\ndef explode():\n    raise RuntimeError('evaluated')")
    result = await learner.check("assert bump() > 5 and explode()")
    assert result.status == "fail"
    assert "  bump() was 1" in result.message.splitlines()
    assert result.message.splitlines()[1:] == ["  bump() was 1"]  # explode() short-circuited: never called, never shown
    assert learner.namespace["count"] == 1
    assert (await learner.check("assert bump() == 2 or explode()")).passed
    assert learner.namespace["count"] == 2


async def test_an_await_inside_an_assert_is_shown_with_what_it_returned() -> None:
    learner = Learner()
    await learner.type("async def greet(name):\n    return 'hi ' + name")
    result = await learner.check('assert await greet("ada") == "hello, ada", "greet should say hello"')
    assert result.message.splitlines() == ["greet should say hello", '  await greet("ada") was \'hi ada\'',
                                           "  first differing character at index 1: 'i' != 'e' (after 'h')"]


async def test_asserts_in_functions_the_check_defines_explain_themselves_too() -> None:
    learner = Learner()
    await learner.type("async def total(*xs):\n    return sum(xs) + 1")
    result = await learner.check("async def sums_to(n, *xs):\n    got = await total(*xs)\n    assert got == n\nawait sums_to(3, 1, 2)")
    assert result.status == "fail"
    assert result.message.splitlines() == ["The check expected: got == n", "  got was 4", "  n was 3"]
    assert result.where.startswith("The check failed at <check:demo>, line 3 (lessons/demo.yaml:22):")


async def test_an_exception_from_the_learners_code_shows_only_their_frames_and_the_check_line() -> None:
    learner = Learner()
    await learner.type("async def fetch(url):\n    raise ConnectionError(f'no route to {url}')")
    await learner.type("async def main():\n    return await fetch('a')")
    result = await learner.check("result = await main()\nassert result == 1")
    assert result.status == "error"
    first, *rest = result.message.splitlines()
    assert first == "Your code raised an exception during the check:"
    frames = [line.strip() for line in rest if line.strip().startswith("File ")]
    assert frames == [
        'File "<check:demo>", line 1, in <module>',
        'File "<input-2>", line 2, in main',
        'File "<input-1>", line 2, in fetch',
    ]
    assert rest[-1] == "ConnectionError: no route to a"
    assert result.detail == "line 1: your code raised ConnectionError: no route to a"  # the check line that called it


async def test_an_assert_in_the_learners_own_code_is_their_error_not_a_failed_check() -> None:
    learner = Learner()
    await learner.type("def main():\n    assert False, 'my own sanity check'")
    result = await learner.check("main()")
    assert result.status == "error"
    assert result.message.startswith("Your code raised")


async def test_an_error_in_the_check_itself_says_where_in_the_check() -> None:
    learner = Learner()
    await learner.type("def answer():\n    return None")
    result = await learner.check("value = answer()\nassert value[0] == 1")
    assert result.status == "error"
    assert result.message.startswith("The check stopped with an error, often because")
    assert result.message.endswith("TypeError: 'NoneType' object is not subscriptable")
    assert result.where == "The check stopped at <check:demo>, line 2 (lessons/demo.yaml:21)."


async def test_a_name_the_learner_has_not_defined_yet_is_a_friendly_failure() -> None:
    result = await Learner().check("assert await fetch_all(['a']) == ['A']")
    assert result.status == "fail"
    assert result.message == "`fetch_all` is not defined yet — define it at the prompt, then %check again."
    assert result.detail == "line 1: fetch_all is not defined yet"
    assert result.missing == "fetch_all"


async def test_a_name_error_inside_the_learners_code_is_their_error() -> None:
    learner = Learner()
    await learner.type("def main():\n    return undefined_helper()")
    result = await learner.check("main()")
    assert result.status == "error"
    assert result.message.endswith("NameError: name 'undefined_helper' is not defined")


async def test_raising_assertion_error_in_a_check_says_its_message_once() -> None:
    result = await Learner().check("import sys\nif sys:\n    raise AssertionError('use asyncio.gather here')")
    assert result.status == "fail"
    assert result.message == "use asyncio.gather here"
    assert result.where == "The check failed at <check:demo>, line 3 (lessons/demo.yaml:22):"
    assert (result.line, result.detail) == (3, "line 3: use asyncio.gather here")
    result = await Learner().check("raise AssertionError")
    assert (result.message, result.where.splitlines()[1]) == ("The check failed.", "    raise AssertionError")


async def test_a_check_that_never_finishes_times_out_and_says_where_it_waited() -> None:
    learner = Learner()
    await learner.type("async def main():\n    done = asyncio.Event()\n    await done.wait()")
    result = await learner.check("await main()", timeout=0.2)
    assert result.status == "timeout"
    lines = result.message.splitlines()
    assert lines[:3] == [
        "The check gave up after 0.2 s without finishing.",
        "It was still waiting at <input-1>, line 3, in main:",
        "    await done.wait()",
    ]
    assert "never finishes" in lines[3]
    assert result.detail == "timed out after 0.2 s"
    assert result.line is None  # no one line of the check is to blame
    assert not learner.evaluator.running


async def test_ctrl_c_interrupts_a_waiting_check() -> None:
    learner = Learner()
    await learner.type("async def main():\n    await asyncio.sleep(100)")
    checking = asyncio.ensure_future(learner.check("await main()"))
    await asyncio.sleep(0.05)
    assert learner.evaluator.interrupt()
    result = await asyncio.wait_for(checking, 2)
    assert result.status == "interrupted"
    assert result.message.splitlines()[:3] == [
        "The check was interrupted (Ctrl-C).",
        "It was at <input-1>, line 2, in main:",
        "    await asyncio.sleep(100)",
    ]


async def test_names_the_check_defines_and_its_helpers_stay_out_of_the_learners_namespace() -> None:
    learner = Learner()
    await learner.type("items = [1]\ndef add(x):\n    items.append(x)")
    before = dict(learner.namespace)
    result = await learner.check("mine = 2\nwith tracking('add'):\n    add(mine)\nassert add.calls == [(2,)]", server="the server")
    assert result.passed
    assert learner.namespace == before
    assert learner.namespace["items"] == [1, 2]  # the same objects: changes in place are shared


async def test_extra_helpers_reach_the_check() -> None:
    result = await Learner().check("assert server.port == 8080", server=type("Server", (), {"port": 8081})())
    assert "  server.port was 8081" in result.message.splitlines()


async def test_exit_during_a_check_is_an_error_and_leaves_the_shell_alone() -> None:
    learner = Learner()
    await learner.type("def main():\n    exit(2)")
    result = await learner.check("main()")
    assert result.status == "error"
    assert "exit()" in result.message


async def test_a_check_that_does_not_compile_is_reported_as_the_lessons_bug() -> None:
    learner = Learner()
    result = await run_check(learner.evaluator, exercise("assert (1 +"))
    assert result.status == "error"
    assert "bug in the lesson" in result.message.splitlines()[0]
    assert result.detail.startswith("the check does not compile")


async def test_a_check_too_deep_to_compile_says_why() -> None:
    result = await run_check(Learner().evaluator, exercise("x = " + "-" * 100_000 + "1"))
    assert result.status == "error"
    assert result.detail == "the check does not compile: nested too deeply for Python's compiler (MemoryError)"
    assert result.message.endswith("\nnested too deeply for Python's compiler (MemoryError)")


async def test_code_that_swallows_the_cancellation_at_the_timeout_fails_the_check_and_says_where() -> None:
    learner = Learner()
    await learner.type("running = True\nasync def worker():\n    while running:\n        try:\n"
                       "            await asyncio.sleep(0.05)\n        except:\n            pass")
    result = await asyncio.wait_for(learner.check("await worker()", timeout=0.2), 10)
    assert result.status == "fail" and not result.passed
    assert result.message.startswith("The check gave up after 0.2 s, and your code caught the CancelledError")
    assert "<input-1> line 5: `await asyncio.sleep(0.05)`" in result.message
    assert result.detail.startswith("your code caught CancelledError at <input-1> line 5")
    learner.namespace["running"] = False  # it stops only when it wants to
    await asyncio.wait(learner.evaluator.abandoned, timeout=1)


async def test_a_check_sees_the_tasks_the_learners_code_left_running() -> None:
    learner = Learner()
    await learner.type("async def forever():\n    await asyncio.sleep(100)\n")
    await learner.type("async def start():\n    asyncio.create_task(forever(), name='left-behind')\n")
    result = await learner.check("await start()\nleft = [t.get_name() for t in running_tasks()]\n"
                                 "for t in running_tasks():\n    t.cancel()\n"
                                 "assert not left, f'{left} still running'")
    assert result.status == "fail"
    assert result.message.startswith("['left-behind'] still running")
