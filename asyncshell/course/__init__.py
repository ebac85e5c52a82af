"""Lessons: the immutable model, the YAML loader, and the terminal renderer for their prose.

    model   frozen dataclasses every other part consumes (no I/O, no YAML)
    loader  lesson files -> model, every problem one ``LessonError`` line (file:line: field: why)
    render  text-step Markdown and code -> terminal text (pygments only when colour is on)

Import the module you need; this package imports nothing so that ``model`` stays cheap.
"""
