"""Where inputs come from: a terminal (prompt_toolkit) or a pipe.

    terminal    the prompt: multi-line editing, highlighting, history, Tab, the starter buffer
    completion  names and attributes from the live namespace, without running the learner's code
    piped       lines from a pipe or file, grouped into inputs as a paste would be
"""
