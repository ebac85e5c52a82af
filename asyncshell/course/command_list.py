"""The lesson %commands by name, for lazy registration: data only, so reading it costs nothing at start-up."""

from __future__ import annotations

#: (name, summary, usage, target) for ``registry.lazy``, in the order %help should make sense of them.
COMMANDS: tuple[tuple[str, str, str, str], ...] = tuple(
    (name, summary, usage, f"asyncshell.course.commands:{function}")
    for name, summary, usage, function in (
        ("lessons", "list the lessons and how far you got", "%lessons", "lessons"),
        ("learn", "start a lesson, or carry on where you left it", "%learn [ID]", "learn"),
        ("next", "go on to the next step (Enter on an empty line does too)", "%next", "next_step"),
        ("back", "go back a step in the lesson", "%back", "back"),
        ("run", "run the example on screen in your namespace", "%run", "run_example"),
        ("answer", "answer the quiz on screen", "%answer N... | TEXT", "answer"),
        ("check", "check your code against the exercise", "%check", "check"),
        ("edit", "open the exercise in $EDITOR; saved code runs when it closes", "%edit", "edit"),
        ("hint", "show the exercise's next hint", "%hint", "hint"),
        ("solution", "show a solution (counts as seen, not solved)", "%solution", "solution"),
        ("skip", "skip the step (an exercise's solution runs for you)", "%skip", "skip"),
        ("reset", "put your namespace back as the exercise began", "%reset [yes]", "reset"),
        ("progress", "show your progress in every lesson", "%progress", "progress"),
    )
)
