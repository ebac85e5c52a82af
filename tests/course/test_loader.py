"""The loader: every broken lesson file gives one exact, useful line; good files load whatever else is broken."""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncshell.course.loader import MAX_FILE_BYTES, load_lesson
from asyncshell.course.model import Choice, Code, ExerciseStep, Lesson, PredictStep
from asyncshell.course.questions import predict_problem
from asyncshell.errors import LessonError

# Six lines, so the first step starts on line 7.
HEAD = "format: 1\nid: intro\ntitle: T\nsummary: S\norder: 1\nsteps:\n"
TEXT = "  - type: text\n    body: hi\n"
# Lines 7-15 when it follows HEAD: type, id, body, hints, check, (code), solution, (code), (code).
EXERCISE = """\
  - type: exercise
    id: greet
    body: Write greet.
    hints: [one, two]
    check: |
      assert await greet("a") == "hello, a"
    solution: |
      async def greet(name):
          return f"hello, {name}"
"""


def quiz(*lines: str) -> str:
    return HEAD + "  - type: quiz\n    question: q\n" + "".join(f"    {line}\n" for line in lines)


def predict(*lines: str) -> str:
    return HEAD + "  - type: predict\n" + "".join(f"    {line}\n" for line in lines)


BROKEN = [
    # The file as a whole
    pytest.param("", "lesson.yaml:1: the file is empty; a lesson is a mapping of fields", id="empty"),
    pytest.param("- a\n- b\n", "lesson.yaml:1: a lesson must be a mapping of fields, got a list", id="not-mapping"),
    pytest.param("format: 1\nid: intro\ntitle: [unclosed\nsummary: x\n",
                 "lesson.yaml:4: not valid YAML: expected ',' or ']', but got ':'", id="yaml-flow"),
    pytest.param("format: 1\nid: intro\n  title: x\n",
                 "lesson.yaml:3: not valid YAML: mapping values are not allowed here", id="yaml-indent"),
    pytest.param("format: 1\n---\nformat: 1\n", "lesson.yaml:2: not valid YAML: expected a single document "
                 "in the stream, but found another document", id="two-documents"),
    pytest.param("format: 1\ntitle: \x07\n", "lesson.yaml:2: not valid YAML: character U+0007 is not allowed",
                 id="yaml-control-char"),
    pytest.param("format: 1\nid: *nope\n", "lesson.yaml:2: not valid YAML: found undefined alias 'nope'",
                 id="undefined-alias"),
    pytest.param("[" * 5000, "lesson.yaml: not valid YAML: nested too deeply", id="deep-nesting"),
    pytest.param(HEAD.encode() + b"  - type: text\n    body: caf\xe9\n",
                 "lesson.yaml:8: not UTF-8 text (byte 0xe9); save the file as UTF-8", id="not-utf8"),
    pytest.param(b"#" * (MAX_FILE_BYTES + 1),
                 "lesson.yaml: larger than 1,000,000 bytes; a lesson file must be smaller", id="too-big"),
    # format
    pytest.param("id: intro\n", "lesson.yaml:1: format: missing; put 'format: 1' at the top of the lesson",
                 id="no-format"),
    pytest.param("format: 2\nid: intro\nnew_in_v2: 1\n",
                 "lesson.yaml:1: format: this asyncshell reads lesson format 1, not 2; a newer asyncshell may read it",
                 id="newer-format"),
    pytest.param("format: one\n", "lesson.yaml:1: format: expected an integer, got a string", id="format-type"),
    # Lesson fields
    pytest.param(HEAD.replace("title", "titel"),
                 "lesson.yaml:3: titel: unknown key for a lesson; did you mean 'title'?", id="typo-top-key"),
    pytest.param(HEAD.replace("title: T\n", ""), "lesson.yaml:1: title: missing; a lesson needs one",
                 id="missing-title"),
    pytest.param(HEAD.replace("title: T", "title: [a]"), "lesson.yaml:3: title: expected a string, got a list",
                 id="title-list"),
    pytest.param(HEAD.replace("title: T", "title:"), "lesson.yaml:3: title: expected a string, got an empty value",
                 id="title-empty"),
    pytest.param(HEAD.replace("title: T", "title: '  '"), "lesson.yaml:3: title: is empty", id="title-blank"),
    pytest.param(HEAD.replace("title: T", 'title: "a\\eb"'),
                 "lesson.yaml:3: title: contains the control character U+001B; lesson text must be printable",
                 id="escape-in-text"),
    pytest.param(HEAD.replace("title: T", "title: !!python/object:os.system x"),
                 "lesson.yaml:3: title: the tag !!python/object:os.system is refused; "
                 "a lesson holds plain values only (text, numbers, true/false, lists, mappings)",
                 id="python-tag"),
    pytest.param(HEAD.replace("title: T", "1: T"), "lesson.yaml:3: keys must be names, got an integer",
                 id="integer-key"),
    pytest.param(HEAD.replace("order: 1", "order: first"),
                 "lesson.yaml:5: order: expected an integer, got a string", id="order-type"),
    pytest.param(HEAD.replace("order: 1", "order: yes"), "lesson.yaml:5: order: expected an integer, got true/false",
                 id="order-bool"),
    pytest.param(HEAD.replace("order: 1", "order: 0x_"), "lesson.yaml:5: order: '0x_' is not a valid integer",
                 id="order-bad-int"),
    pytest.param(HEAD.replace("id: intro", "id: Intro"), "lesson.yaml:2: id: 'Intro' is not a valid id; use "
                 "lowercase letters, digits and '-', starting with a letter or digit", id="id-pattern"),
    pytest.param(HEAD.replace("order: 1\n", "order: 1\nneeds: [practise_server]\n"),
                 "lesson.yaml:6: needs[0]: unknown need 'practise_server'; did you mean 'practice_server'?",
                 id="unknown-need"),
    pytest.param(HEAD.replace("order: 1\n", "order: 1\nteaches: [never-awaited, never-awaitd]\n"),
                 "lesson.yaml:6: teaches[1]: unknown kind of mistake 'never-awaitd'; did you mean 'never-awaited'?",
                 id="unknown-mistake"),
    pytest.param(HEAD.replace("order: 1\n", "order: 1\nteaches: [not-awaitable, not-awaitable]\n"),
                 "lesson.yaml:6: teaches[1]: 'not-awaitable' is listed twice", id="mistake-twice"),
    pytest.param(HEAD.replace("order: 1\n", "order: 1\nrequires: [basics, intro]\n"),
                 "lesson.yaml:6: requires[1]: a lesson cannot require itself", id="requires-self"),
    pytest.param(HEAD.replace("order: 1\n", "order: 1\nrequires: [basics, basics]\n"),
                 "lesson.yaml:6: requires[1]: 'basics' is listed twice", id="requires-twice"),
    pytest.param(HEAD, "lesson.yaml:6: steps: expected a list, got an empty value", id="no-steps"),
    pytest.param(HEAD.replace("steps:\n", "steps: []\n"), "lesson.yaml:6: steps: a lesson needs at least 1 step, got 0",
                 id="steps-empty"),
    # Steps in general
    pytest.param(HEAD + "  - just text\n",
                 "lesson.yaml:7: steps[0]: a step must be a mapping with a 'type', got a string", id="step-string"),
    pytest.param(HEAD + "  - body: hi\n", "lesson.yaml:7: steps[0].type: missing; say what kind of step this is: "
                 "text, example, quiz, predict, exercise", id="step-no-type"),
    pytest.param(HEAD + "  - type: exersise\n",
                 "lesson.yaml:7: steps[0].type: unknown step type 'exersise'; did you mean 'exercise'?",
                 id="step-type-typo"),
    pytest.param(HEAD + TEXT + "    tittle: x\n", "lesson.yaml:9: steps[0].tittle: unknown key for a text step; "
                 "expected one of: type, id, body", id="unknown-key-no-match"),
    pytest.param(HEAD + TEXT + "    body: again\n", "lesson.yaml:9: steps[0].body: given twice (first on line 8)",
                 id="key-twice"),
    pytest.param(HEAD + '  - type: "text\\n"\n', "lesson.yaml:7: steps[0].type: unknown step type 'text\\n'; "
                 "did you mean 'text'?", id="line-break-in-a-value"),
    pytest.param(HEAD + TEXT + '    "\\e[31m": x\n', "lesson.yaml:9: steps[0].\\x1b[31m: unknown key for a text step; "
                 "expected one of: type, id, body", id="escape-in-a-key"),
    pytest.param(HEAD + TEXT + "  - <<: {type: text}\n",
                 "lesson.yaml:9: steps[1]: keys must be names, got a merge key '<<' (lessons do not support them)",
                 id="merge-key"),
    pytest.param(HEAD + "  - type: text\n    id: quiz-1\n    body: hi\n" + quiz("answer: a", "explanation: e")[len(HEAD):],
                 "lesson.yaml:10: steps[1]: its automatic key 'quiz-1' is already the key of steps[0]; "
                 "give one of them another 'id'", id="automatic-key-taken"),
    # Exercises
    pytest.param(HEAD + EXERCISE.replace("hints:", "hint:"),
                 "lesson.yaml:10: steps[0].hint: unknown key for an exercise step; did you mean 'hints'?",
                 id="typo-hints"),
    pytest.param(HEAD + TEXT + EXERCISE.replace("[one, two]", "[only one]"),
                 "lesson.yaml:12: steps[1].hints: an exercise needs at least 2 hints, got 1", id="one-hint"),
    pytest.param(HEAD + EXERCISE.replace("    check: |\n      assert", "    chek: |\n      assert"),
                 "lesson.yaml:11: steps[0].chek: unknown key for an exercise step; did you mean 'check'?",
                 id="typo-check"),
    pytest.param(HEAD + EXERCISE.replace("    id: greet\n", ""),
                 "lesson.yaml:7: steps[0].id: missing; an exercise step needs one", id="exercise-no-id"),
    pytest.param(HEAD + EXERCISE + EXERCISE,
                 "lesson.yaml:17: steps[1].id: 'greet' is already the key of steps[0]", id="exercise-id-twice"),
    pytest.param(HEAD + EXERCISE.replace('assert await greet("a") == "hello, a"',
                                         'x = 1\n      assert await greet("a") ==\n'),
                 "lesson.yaml:13: steps[0].check: does not compile: invalid syntax", id="check-syntax-line"),
    pytest.param(HEAD + EXERCISE.replace('return f"hello, {name}"', 'return f"hello, {name}"\n        return 1'),
                 "lesson.yaml:16: steps[0].solution: does not compile: unindent does not match any outer "
                 "indentation level", id="solution-indent"),
    pytest.param(HEAD + EXERCISE.replace('assert await greet("a") == "hello, a"',
                                         'assert (await greet("a") == "hello, a", "say hello")'),
                 "lesson.yaml:12: steps[0].check: compiler warning: assertion is always true, perhaps remove "
                 "parentheses?", id="check-assert-tuple"),
    pytest.param(HEAD + EXERCISE.replace("    hints:", "    setup: |\n      import asyncio\n      return\n    hints:"),
                 "lesson.yaml:12: steps[0].setup: does not compile: 'return' outside function",
                 id="setup-return"),
    pytest.param(HEAD + EXERCISE.replace("    hints:", "    starter: |\n      async def greet(name)\n    hints:"),
                 "lesson.yaml:11: steps[0].starter: does not compile: expected ':'", id="starter-syntax"),
    pytest.param(HEAD + EXERCISE.replace("    hints:", "    setup: '   '\n    hints:"),
                 "lesson.yaml:10: steps[0].setup: is empty", id="setup-blank"),
    pytest.param(HEAD + EXERCISE + "    timeout: 0\n",
                 "lesson.yaml:16: steps[0].timeout: must be a number of seconds above 0, got 0", id="timeout-zero"),
    pytest.param(HEAD + EXERCISE + "    timeout: .inf\n",
                 "lesson.yaml:16: steps[0].timeout: must be a number of seconds above 0, got inf", id="timeout-inf"),
    pytest.param(HEAD + EXERCISE + "    timeout: soon\n",
                 "lesson.yaml:16: steps[0].timeout: expected a number, got a string", id="timeout-type"),
    # Examples and text
    pytest.param(HEAD + "  - type: example\n    code: print(\n",
                 "lesson.yaml:8: steps[0].code: does not compile: '(' was never closed", id="example-syntax"),
    pytest.param(HEAD + "  - type: example\n    body: Look.\n",
                 "lesson.yaml:7: steps[0].code: missing; an example step needs one", id="example-no-code"),
    pytest.param(HEAD + "  - type: text\n    body: [a, b]\n",
                 "lesson.yaml:8: steps[0].body: expected a string, got a list", id="text-body-list"),
    # Quizzes
    pytest.param(quiz("choices: [a, b, c]", "answer: 4", "explanation: e"),
                 "lesson.yaml:10: steps[0].answer: 4 is not a choice number; choices are numbered 1 to 3",
                 id="answer-out-of-range"),
    pytest.param(quiz("choices: [a, b]", "answer: [1, 0]", "explanation: e"),
                 "lesson.yaml:10: steps[0].answer[1]: 0 is not a choice number; choices are numbered 1 to 2",
                 id="answer-zero-based"),
    pytest.param(quiz("choices: [a, b]", "answer: [2, 2]", "explanation: e"),
                 "lesson.yaml:10: steps[0].answer[1]: 2 is listed twice", id="answer-twice"),
    pytest.param(quiz("choices: [a, b]", "answer: []", "explanation: e"),
                 "lesson.yaml:10: steps[0].answer: a quiz step needs at least 1 choice number, got 0",
                 id="answer-none"),
    pytest.param(quiz("choices: [a, b]", 'answer: "1"', "explanation: e"),
                 "lesson.yaml:10: steps[0].answer: expected an integer, got a string", id="answer-quoted"),
    pytest.param(quiz("choices: [a]", "answer: 1", "explanation: e"),
                 "lesson.yaml:9: steps[0].choices: a quiz step needs at least 2 choices, got 1", id="one-choice"),
    pytest.param(quiz("choices:", "  - gather", "  - wait", "  - ' Gather'", "answer: 1", "explanation: e"),
                 "lesson.yaml:12: steps[0].choices[2]: the same as choices[0]", id="duplicate-choice"),
    pytest.param(quiz("choices: [a, b]", "answer: 1", "accept: [x]", "explanation: e"),
                 "lesson.yaml:11: steps[0].accept: only for typed answers; a quiz with 'choices' is answered by number",
                 id="accept-with-choices"),
    pytest.param(quiz("answer: [a, b]", "explanation: e"), "lesson.yaml:9: steps[0].answer: a typed answer is one "
                 "string; list other answers that count under 'accept', or add 'choices'", id="typed-answer-list"),
    pytest.param(quiz("answer: a", "accept: [b, '']", "explanation: e"),
                 "lesson.yaml:10: steps[0].accept[1]: is empty", id="accept-empty"),
    pytest.param(quiz("answer: a"), "lesson.yaml:7: steps[0].explanation: missing; a quiz step needs one",
                 id="no-explanation"),
    pytest.param(quiz("choices:", "  - a", "  - txt: b", "answer: 1", "explanation: e"),
                 "lesson.yaml:11: steps[0].choices[1].txt: unknown key for a choice; did you mean 'text'?",
                 id="choice-misspelt-key"),
    pytest.param(quiz("choices:", "  - a", "  - explanation: why", "answer: 1", "explanation: e"),
                 "lesson.yaml:11: steps[0].choices[1].text: missing; a choice needs one", id="choice-without-text"),
    pytest.param(predict("answer: x", "explanation: e"), "lesson.yaml:7: steps[0].code: missing; a predict step needs one",
                 id="predict-no-code"),
    pytest.param(predict("code: print(1)", "choices: [a, b]", "answer: [1, 2]", "explanation: e"),
                 "lesson.yaml:10: steps[0].answer: a predict step has one right output; give the number of its choice",
                 id="predict-two-answers"),
    pytest.param(predict("code: print(1)", "answer: 1", "accept: [one]", "explanation: e"),
                 "lesson.yaml:10: steps[0].accept: unknown key for a predict step; "
                 "expected one of: type, id, body, code, choices, answer, explanation",
                 id="predict-accept"),
    pytest.param(quiz("explanation: e"), "lesson.yaml:7: steps[0].answer: missing; a quiz step needs one",
                 id="no-answer"),
]


@pytest.mark.parametrize(("content", "message"), BROKEN)
def test_broken_lesson_gives_one_exact_line(write_lesson, content, message):
    path = write_lesson(content)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value) == message


@pytest.mark.parametrize("bad", ["    await asyncio.sleep(0)", "  await asyncio.sleep(0)"], ids=["at-the-keys-indent", "further-out"])
def test_a_block_line_indented_too_little_is_named_not_the_line_yaml_trips_on(write_lesson, full_lesson, bad):
    text = full_lesson().replace("          await asyncio.sleep(0)\n", bad + "\n")
    path = write_lesson(text)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value) == (
        "lesson.yaml:45: this line is indented less than the '|' block it belongs to (from line 44), so the block "
        "ended above it; indent every line of a block at least as far as its first")


def test_yaml_errors_elsewhere_keep_yamls_own_words(write_lesson, full_lesson):
    path = write_lesson(full_lesson().replace("timeout: 5", "timeout: [5"))
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert "not valid YAML" in str(caught.value)


def test_unreadable_paths_are_lesson_errors(lesson_dir):
    with pytest.raises(LessonError, match=r"^missing\.yaml: cannot read: No such file"):
        load_lesson("missing.yaml")
    (lesson_dir / "folder.yaml").mkdir()
    with pytest.raises(LessonError, match=r"^folder\.yaml: not a regular file$"):
        load_lesson("folder.yaml")


def test_code_positions_point_into_the_file(write_lesson, full_lesson):
    """A runner reports failing asserts as file:line, so each Code must know where it starts."""
    path = write_lesson(full_lesson())
    lines = path.read_text().splitlines()
    lesson = load_lesson(path)
    for step in lesson.steps:
        for code in (getattr(step, name, None) for name in ("code", "setup", "check", "solution")):
            if code is not None:
                assert lines[code.line - 1].strip() == code.source.splitlines()[0].strip()
        assert lines[step.location.line - 1].strip() == f"- type: {step.type}"


def test_typed_answers_keep_numbers_as_written(write_lesson):
    lesson = load_lesson(write_lesson(HEAD + "  - type: quiz\n    question: q\n    answer: 0.10\n"
                                      "    accept: [10%]\n    explanation: e\n"))
    assert lesson.steps[0].accepted == ("0.10", "10%")


# -- nothing but LessonError, whatever the file holds -----------------------------------------


def _load_or_explain(folder: Path, content: str | bytes) -> Lesson | None:
    path = folder / "fuzz.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    try:
        return load_lesson(path)
    except LessonError as error:
        assert "\n" not in str(error)
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(content=st.text() | st.binary())
def test_any_text_gives_a_lesson_or_a_lesson_error(tmp_path_factory, content):
    _load_or_explain(tmp_path_factory.mktemp("fuzz"), content)


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_lesson_with_any_field_changed_gives_a_lesson_or_a_lesson_error(tmp_path_factory, full_lesson, data):
    """Swap one field anywhere in a valid lesson for any YAML value."""
    lesson = yaml.safe_load(full_lesson())
    where = data.draw(st.sampled_from([lesson] + lesson["steps"]))
    key = data.draw(st.sampled_from(sorted(where) + ["extra"]))
    where[key] = data.draw(_yaml_values)
    _load_or_explain(tmp_path_factory.mktemp("fuzz"), yaml.safe_dump(lesson))


def test_choices_may_say_what_picking_them_means(write_lesson) -> None:
    lesson = load_lesson(write_lesson(quiz("choices:", "  - plain", "  - text: '`await` it'",
                                           "    explanation: Why not.", "answer: 1", "explanation: e")))
    (step,) = lesson.steps
    assert step.choices == (Choice(text="plain"), Choice(text="`await` it", explanation="Why not."))


def test_a_predict_step_takes_its_output_as_a_block_a_list_or_a_choice(write_lesson) -> None:
    as_block = load_lesson(write_lesson(predict("code: print(1)", "answer: |", "  one", "  two", "explanation: e")))
    as_list = load_lesson(write_lesson(predict("code: print(1)", "answer: [one, 2]", "explanation: e")))
    chosen = load_lesson(write_lesson(predict("body: Which?", "code: print(1)", "choices: ['1', '2']", "answer: 2",
                                              "explanation: e")))
    assert [lesson.steps[0].right_output for lesson in (as_block, as_list, chosen)] == ["one\ntwo", "one\n2", "2"]
    assert isinstance(chosen.steps[0], PredictStep) and chosen.steps[0].key == "predict-1"
    assert chosen.steps[0].body == "Which?" and as_block.steps[0].body == ""


def test_code_too_deep_for_the_compiler_says_why(write_lesson) -> None:
    check = "x = " + "-" * 100_000 + "1"
    with pytest.raises(LessonError) as caught:
        load_lesson(write_lesson(HEAD + EXERCISE.replace('assert await greet("a") == "hello, a"', check)))
    assert str(caught.value) == ("lesson.yaml:12: steps[0].check: does not compile: "
                                 "nested too deeply for Python's compiler (MemoryError)")


# -- the documented example ---------------------------------------------------------------------


def _documented_example() -> str:
    doc = (Path(__file__).parents[2] / "docs" / "lesson-format.md").read_text(encoding="utf-8")
    return doc.split("````yaml\n", 1)[1].split("\n````", 1)[0]


async def _run(code: Code | str, namespace: dict) -> None:
    source = code if isinstance(code, str) else code.source
    result = eval(compile(source, "<lesson>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), namespace)
    if inspect.iscoroutine(result):
        await result


def _passes(exercise: ExerciseStep, answer: str) -> bool:
    async def attempt() -> None:
        learner: dict = {}
        if exercise.setup:
            await _run(exercise.setup, learner)
        await _run(answer, learner)
        await asyncio.wait_for(_run(exercise.check, dict(learner)), exercise.timeout)

    try:
        asyncio.run(attempt())
    except AssertionError:
        return False
    return True


def test_documented_example_loads_and_its_exercise_is_solvable(write_lesson):
    lesson = load_lesson(write_lesson(_documented_example()))
    assert [step.key for step in lesson.steps] == [
        "text-1", "example-1", "quiz-1", "pause-without-blocking", "predict-1", "greet"]
    (exercise,) = lesson.exercises
    assert _passes(exercise, exercise.solution.source)
    assert not _passes(exercise, exercise.starter_source)
    (predict,) = [step for step in lesson.steps if isinstance(step, PredictStep)]
    assert asyncio.run(predict_problem(predict)) is None  # its code prints its answer
