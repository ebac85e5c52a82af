"""What the loop is doing and what went wrong: teaching features on the live loop.

    rewrite, script_loop  tutorial code that runs as pasted (asyncio.run, run_until_complete)
    explain, mistakes     short explanations of classic mistakes, and their names for lessons
    watchdog, advice      the blocking detector and what it says
    tasktable             %tasks: the learner's tasks and where each waits
    timeline, timeline_render  %timeline: what ran when, as text or SVG
    commands              the %tasks, %cancel, %timeline and %blocking handlers
"""
