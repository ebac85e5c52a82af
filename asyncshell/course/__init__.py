"""Lessons: YAML files read into a frozen model, followed at the prompt, checked by what the code does.

    model             frozen dataclasses every other part reads; also the file's schema (no I/O, no YAML)
    fields            the YAML toolkit: safe loading with lines, typed readers, "did you mean"
    loader            one lesson file -> ``Lesson``, every problem one ``LessonError`` (file:line: field: why)
    catalog           many files -> one catalog: unique ids, ``requires`` linked, course after course
    courses           which courses are in use: built in, named, remembered (``course add``), installed packs
    render            lesson Markdown and code -> terminal text (pygments only when colour is on)
    present           a step as the learner reads it: headings, choices, what to type next
    answers           how a typed quiz reply is marked: loosely, numbers as numbers
    assertions        check code's asserts rewritten to show the values that failed
    differences       values as a failed check shows them, and where two that should be equal differ
    helpers           what check code can call: elapsed, track, tracking, running tasks, captured output and warnings
    checks            run an exercise's check on the live loop and say how it went (``CheckResult``)
    exercise          run an exercise (setup, answer, check) and provide what a lesson needs; the learner's workspace
    progress          the progress store's API (SQLite)
    progress_file     where the progress file lives, its schema, opening and recovering it
    standing          how far the learner got, in one vocabulary: tally, lesson table, report
    tutor             the state machine: the learner's place in a lesson and what each %command does
    questions         quizzes and predict steps at the prompt: the code's real output, an answer typed as Python
    coach             the exercise commands at the step the learner is on: check, hint, solution, edit, reset
    commands          the lesson %commands, loaded on first use (``asyncshell.features``)
    teaching          which lesson teaches a kind of mistake, for the explanations
    listing           ``asyncshell lessons``
    course_command    ``asyncshell course add DIR | remove DIR | list``
    progress_command  ``asyncshell progress [--json] [--reset [LESSON]]``
    progress_json     the progress as one JSON document for a teacher (``docs/progress.md``)
    validate          ``asyncshell validate``: every exercise solvable by its solution, unsolved by its starter

Import the module you need; this package imports nothing so that ``model`` stays cheap.
"""
