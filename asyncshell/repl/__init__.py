"""The REPL core: runs what the learner types on one live loop; no terminal code, no feature.

    evaluator   compiles and runs an input as a task on the live loop; how it ended (Outcome)
    session     read an input, run it as a %command or Python, show how it went
    hooks       the one contract a feature gets: hooks, features, terminal
    commands    the %command registry (lazy), %help and %quit
    console     how the shell writes: values, errors, notes; wrapped in a terminal
    statements  where an input ends: Enter's decision, piped lines into inputs
    tasks       the learner's tasks; the only reader of asyncio's private attributes
    tracebacks  whose code a frame is (one rule), the traceback a learner sees, where a task waits
    guard       the learner's objects rendered under a time bound
    streams     standard streams the learner's code closed or replaced, put back
    loop        the one event loop: runs the session, routes Ctrl-C, closes within bounds
"""
