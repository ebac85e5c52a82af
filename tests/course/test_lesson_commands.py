"""The lesson %commands as a learner meets them: a real Session fed inputs, a small lesson of our own."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from asyncshell.repl.hooks import Terminal
from course.lesson_shell import GREET, SHOUT, Shell, listed_state
from course.stored import attempts
from support import run_inputs

async def _no_editor(path: Path) -> None:
    raise AssertionError("no editor in this test")


async def _no_chooser(question: str, options: list[str]) -> int | None:
    raise AssertionError("no chooser in this test")


async def test_a_whole_lesson_from_text_to_lesson_complete(shell: Shell) -> None:
    out = await shell.type("%learn demo")
    assert "Coroutines are *lazy*." in out and "step 1 of 6" in out
    assert shell.session.hooks.prompt_prefix == "[demo 1/6] "

    out = await shell.type("")  # Enter: on to the example
    assert 'shown = "the example ran"' in out and "%run" in out
    await shell.type("%run")
    assert shell.namespace["shown"] == "the example ran"

    out = await shell.type("", "%answer 1")
    assert "1. Its return value" in out and "Not quite" in out
    assert shell.session.hooks.prompt_prefix == "[demo 3/6] "
    out = await shell.type("%answer 2")
    assert "Right. Nothing runs until it is awaited." in out and out.endswith("Enter to continue.\n")
    assert shell.session.hooks.prompt_prefix == "[demo 3/6] "  # the learner reads why, then moves on
    await shell.type("")
    assert shell.session.hooks.prefill == "async def greet(name):\n    ..."
    assert shell.namespace["greeting"] == "hello"  # setup ran before the learner types

    out = await shell.type("async def greet(name):\n    return name", "%check")
    assert "The check expected: await greet(\"ada\") == \"hello, ada\"" in out and "%hint" in out
    out = await shell.type("%hint", "%hint", "%hint")
    assert "hint 1 of 2: It is a coroutine function." in out
    assert "hint 2 of 2: Use the name `greeting`." in out
    assert "That was the last hint (2 of 2)" in out

    out = await shell.type(GREET, "%check")
    assert "Passed!" in out and "Enter to continue." in out and "step 5 of 6" not in out
    out = await shell.type("")  # a habitual Enter moves on; it runs no starter
    assert "step 5 of 6" in out
    out = await shell.type(SHOUT, "%check", "", "")
    assert "That is all." in out
    assert "Lesson complete: Demo lesson; 6 of 6 steps done." in out
    assert shell.session.hooks.prompt_prefix == "" and shell.session.hooks.on_empty_input is None
    kept = attempts(shell.tutor.store.path, "demo", "greet")  # (lesson, step, at, result, code, detail)
    assert [a[3] for a in kept] == ["fail", "pass"]
    assert "return name" in kept[0][4]


async def test_check_v_adds_where_in_the_check_it_failed(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", "async def greet(name):\n    return name")
    out = await shell.type("%check")
    assert "demo.yaml" not in out and "%check -v shows the check's code" in out
    out = await shell.type("%check -v")
    assert "The check failed at <check:greet>, line 1 (" in out and "demo.yaml:" in out
    assert "    assert await greet(\"ada\") == \"hello, ada\"" in out and "%check -v" not in out
    assert await shell.type("%check now") == "Usage: %check [-v]  (-v also shows where in the check it failed)\n"


async def test_enter_does_not_pass_a_quiz_or_an_exercise(shell: Shell) -> None:
    await shell.type("%learn demo", "", "")
    out = await shell.type("")
    assert "Answer with %answer N" in out and "step 4" not in out
    out = await shell.type("%next")
    assert out.strip().endswith("or %skip the question.")
    out = await shell.type("%answer 4")
    assert "Answer with choice numbers from 1 to 3" in out
    assert shell.status("quiz-1").attempts == 0  # a reply that is no answer is not counted


async def test_back_shows_the_step_before(shell: Shell) -> None:
    await shell.type("%learn demo", "")
    out = await shell.type("%back")
    assert "Coroutines are *lazy*." in out and shell.session.hooks.prompt_prefix == "[demo 1/6] "
    assert "This is the first step" in await shell.type("%back")
    await shell.type("", "", "%answer 2", "", "%back")
    assert shell.session.hooks.prefill == ""  # back on the quiz, the exercise's starter is gone


async def test_back_to_an_answered_quiz_then_enter_goes_on(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", "%back")
    assert shell.session.hooks.prompt_prefix == "[demo 3/6] "
    await shell.type("")
    assert shell.session.hooks.prompt_prefix == "[demo 4/6] "


async def test_skip_runs_the_solution_so_later_steps_have_it(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    out = await shell.type("%skip")
    assert "Skipped" in out and shell.session.hooks.prompt_prefix == "[demo 5/6] "
    assert shell.status("greet").skipped and not shell.status("greet").done
    out = await shell.type(SHOUT, "%check")  # shout awaits the greet the skip defined
    assert "Passed!" in out
    out = await shell.type("", "")
    assert "5 of 6 steps done (1 skipped)" in out


async def test_a_revealed_solution_is_seen_not_solved(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    out = await shell.type("%solution")
    assert 'return f"{greeting}, {name}"' in out
    status = shell.status("greet")
    assert status.revealed and not status.done
    assert shell.session.hooks.prompt_prefix == "[demo 4/6] "  # still on the exercise
    out = await shell.type(GREET, "%check", "%progress")
    assert "1 revealed" in out


async def test_reset_puts_the_namespace_back_as_setup_left_it(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    await shell.type("greeting = 'changed'", "extra = 1", "%reset")
    assert shell.namespace["greeting"] == "changed"  # not without confirming
    assert "%reset yes" in shell.stream.getvalue().splitlines()[-1]
    shell.session.hooks.prefill = ""
    out = await shell.type("%reset yes")
    assert "back as exercise 'greet' began" in out
    assert shell.namespace["greeting"] == "hello" and "extra" not in shell.namespace
    assert shell.session.hooks.prefill.startswith("async def greet")
    assert "only for" not in out
    assert "Usage: %reset yes" in await shell.type("%reset now")


async def test_a_second_session_carries_on_at_the_saved_step(lessons: Path) -> None:
    first = Shell(lessons)
    await first.type("%learn demo", "", "", "%answer 2", "")
    first.tutor.store.close()

    second = Shell(lessons)
    out = await second.type("%learn demo")
    assert "Carrying on with 'Demo lesson' at step 4 of 6" in out
    assert second.session.hooks.prompt_prefix == "[demo 4/6] "
    assert second.namespace["greeting"] == "hello"  # the exercise's setup ran again
    assert "solutions ran" not in out  # no exercise before this one


async def test_carrying_on_in_a_new_session_brings_back_what_earlier_exercises_defined(lessons: Path) -> None:
    first = Shell(lessons)
    await first.type("%learn demo", "", "", "%answer 2", "", "async def greet(name):\n    return 'mine'", "%skip")
    first.tutor.store.close()

    second = Shell(lessons)
    out = await second.type("%learn demo")
    assert "The earlier exercises' solutions ran" in out
    assert second.session.hooks.prefill == ""  # the starter of greet stays with greet
    assert "Passed!" in await second.type(SHOUT, "%check")  # shout builds on greet from step 4


async def test_coming_back_to_a_lesson_in_the_same_session_keeps_the_learners_code(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", GREET, "%check")
    await shell.type("mine = greet", "%learn demo")
    assert shell.namespace["greet"] is shell.namespace["mine"]


async def test_an_unknown_lesson_is_one_line_with_a_suggestion(shell: Shell) -> None:
    out = await shell.type("%learn dmeo")
    assert out == "There is no lesson 'dmeo'. Did you mean %learn demo?\n"
    out = await shell.type("%learn zzzzzz")
    assert out == ("There is no lesson 'zzzzzz'. Type %lessons to see them. A course of your own: asyncshell learn "
                   "--course DIR, or asyncshell course add DIR to find it every time.\n")


async def test_lesson_commands_without_a_lesson_say_how_to_start(shell: Shell) -> None:
    out = await shell.type("%check", "%hint")
    assert out.splitlines() == ["No lesson is running; start one with %learn ID (%lessons lists them)."] * 2


async def test_commands_for_another_kind_of_step_say_so(shell: Shell) -> None:
    await shell.type("%learn demo")
    assert await shell.type("%check") == "%check checks an exercise, and this step is text to read: Enter or %next goes on.\n"
    assert await shell.type("%answer 2") == ("%answer answers a quiz or a prediction, and this step is text to read: "
                                             "Enter or %next goes on.\n")
    await shell.type("")
    assert await shell.type("%hint") == "hints belong to exercises, and this step is an example: %run runs its code, Enter goes on.\n"
    assert await shell.type("%hint now") == "%hint takes no argument.\n"


async def test_lessons_lists_each_with_how_far_it_got(shell: Shell) -> None:
    assert listed_state(await shell.type("%lessons"), "demo") == "not started"
    await shell.type("%learn demo", "", "")
    assert listed_state(await shell.type("%lessons"), "demo") == "2 of 6"
    out = await shell.type("%learn")
    assert "Type %learn ID to start one, for example %learn demo." in out


async def test_finishing_again_starts_from_the_top(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", GREET, "%check", "", SHOUT, "%check", "", "")
    assert listed_state(await shell.type("%lessons"), "demo") == "done"
    out = await shell.type("%learn demo")
    assert "You finished 'Demo lesson' before" in out and shell.session.hooks.prompt_prefix == "[demo 1/6] "


async def test_answer_alone_picks_with_the_arrow_keys_in_a_terminal(lessons: Path) -> None:
    shell = Shell(lessons)
    await shell.type("%learn demo", "", "")
    asked: list[tuple[str, list[str]]] = []

    async def choose(question: str, options: list[str]) -> int | None:
        asked.append((question, options))
        return 1  # the second option: the right one

    assert shell.session is not None
    shell.session.terminal = Terminal(choose=choose, edit=_no_editor)
    out = await shell.type("%answer")
    assert asked == [("What does calling an `async def` function give you?", ["Its return value", "A coroutine object", "A task that is already running"])]
    assert out.startswith("Right.")


async def test_answer_alone_without_a_terminal_says_how_to_answer(lessons: Path) -> None:
    shell = Shell(lessons)
    out = await shell.type("%learn demo", "", "", "%answer")
    assert "Usage: %answer N (the number of your choice" in out


async def test_edit_opens_the_exercise_in_the_editor_and_runs_what_was_saved(lessons: Path, asyncshell_home: Path) -> None:
    shell = Shell(lessons)
    await shell.type("%learn demo", "", "", "%answer 2", "")
    opened: list[str] = []

    async def editor(path: Path) -> None:
        opened.append(path.read_text())
        path.write_text(GREET + "\n")

    assert shell.session is not None
    shell.session.terminal = Terminal(choose=_no_chooser, edit=editor)
    out = await shell.type("%edit")
    assert opened == ["async def greet(name):\n    ...\n"]  # the starter, the first time
    assert "Ran demo-greet.py into your namespace" in out
    assert "Passed!" in await shell.type("%check")
    assert (asyncshell_home / "edits" / "demo-greet.py").read_text() == GREET + "\n"


async def test_edit_of_code_that_does_not_compile_says_nothing_ran(lessons: Path, asyncshell_home: Path) -> None:
    shell = Shell(lessons)
    await shell.type("%learn demo", "", "", "%answer 2", "")

    async def editor(path: Path) -> None:
        path.write_text("async def greet(name):\n    return (\n")

    assert shell.session is not None
    shell.session.terminal = Terminal(choose=_no_chooser, edit=editor)
    out = await shell.type("%edit")
    assert "SyntaxError" in out and "into your namespace" not in out
    assert "Nothing in demo-greet.py ran, because it does not compile; %edit to fix it." in out

    async def half(path: Path) -> None:
        path.write_text("early = 1\nraise ValueError('late')\n")

    shell.session.terminal = Terminal(choose=_no_chooser, edit=half)
    out = await shell.type("%edit")
    assert "demo-greet.py stopped with an error; what ran before it is in your namespace." in out
    assert shell.namespace["early"] == 1


async def test_edit_without_a_terminal_is_one_line(lessons: Path) -> None:
    shell = Shell(lessons)
    await shell.type("%learn demo", "", "", "%answer 2", "")
    out = await shell.type("%edit")
    assert out == "%edit needs a terminal; type or paste your code at the prompt instead.\n"


async def test_learn_alone_carries_on_with_the_last_unfinished_lesson(lessons: Path) -> None:
    first = Shell(lessons)
    await first.type("%learn demo", "", "")
    await first.end()
    again = Shell(lessons)
    out = await again.type("%learn")
    assert "What does calling an `async def` function give you?" in out
    assert again.session is not None and again.session.hooks.prompt_prefix == "[demo 3/6] "


async def test_a_skipped_quiz_shows_its_answer_as_one_reflowed_paragraph(lessons: Path) -> None:
    shell = Shell(lessons)
    out = await shell.type("%learn demo", "", "", "%skip")
    assert "Skipped. The answer: 2. A coroutine object. Nothing runs until it is awaited." in out


async def test_learn_takes_the_number_the_list_shows(shell: Shell) -> None:
    out = await shell.type("%learn 1")
    assert "Demo lesson · step 1 of 6" in out
    assert await shell.type("%learn 2") == "There is no lesson 2; %lessons numbers them from 1 to 1.\n"


async def test_a_blank_enter_says_what_the_step_wants_once_per_step(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    assert "then %check it" in await shell.type("")
    assert await shell.type("", "") == ""
    await shell.type(GREET, "%check")  # on to the next exercise: its own reminder
    assert "then %check it" in await shell.type("")


async def test_back_at_a_solved_exercise_says_so_and_its_solution_is_not_counted_as_seen(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", GREET, "%check", "")
    out = await shell.type("%back")
    assert "You solved this exercise already: Enter goes on, or %check your code again." in out
    assert "Write your code at the prompt" not in out
    out = await shell.type("%solution")
    assert "A solution:" in out and "only to compare with yours" in out
    assert not shell.status("greet").revealed
    out = await shell.type("%back")
    assert "You answered this already: Enter goes on, or answer again." in out


async def test_an_error_from_the_learners_code_in_a_check_gets_the_shells_explanation(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "", "async def greet(name):\n    raise TypeError('odd')")
    assert shell.session is not None
    shell.session.hooks.explain = lambda subject: f"about {subject!r}" if isinstance(subject, TypeError) else None
    out = await shell.type("%check")
    assert "TypeError: odd" in out and "about TypeError('odd')" in out


async def test_coroutines_a_failed_check_left_behind_warn_in_the_check_not_an_input_later(shell: Shell) -> None:
    await shell.type("%learn demo", "", "", "%answer 2", "")
    await shell.type("async def fetch(name):\n    return name",
                     "async def greet(name):\n    return await asyncio.gather([fetch(name)])")
    assert shell.session is not None
    last: list[object] = []

    def keep_last(task: object) -> None:  # as %timeline keeps the input just run
        last[:] = [task]

    shell.session.evaluator.on_input_end.append(keep_last)
    await run_inputs(["%check"], session=shell.session)
    checked = shell.stream.getvalue()
    assert "TypeError: unhashable type: 'list'" in checked
    await run_inputs(["x = 1", "import gc; _ = gc.collect()"], session=shell.session)
    assert "never awaited" not in shell.stream.getvalue()[len(checked):]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_in_a_narrow_terminal_failures_and_the_end_of_a_lesson_wrap_at_words(
        lessons: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    shell = Shell(lessons)
    shell.stream = _Terminal()
    await shell.type("%learn demo", "", "", "%answer 2", "", "async def greet(name):\n    return 'hello ada'")
    out = await shell.type("%check")
    assert "The check expected: await greet(\"ada\")\n== \"hello, ada\"" in out
    out = await shell.type(GREET, "%check", "", SHOUT, "%check", "", "")
    assert "Lesson complete: Demo lesson; 6 of 6\nsteps done." in out


async def test_in_colour_a_failed_checks_sentence_stands_out_not_its_last_value(lessons: Path) -> None:
    shell = Shell(lessons, color=True)
    await shell.type("%learn demo", "", "", "%answer 2", "", "async def greet(name):\n    return 'hello ada'")
    out = await shell.type("%check")
    assert out.startswith("\x1b[1;31mThe check expected: await greet(\"ada\") == \"hello, ada\"\x1b[0m\n")
    assert "\n  await greet(\"ada\") was 'hello ada'\n" in out
