"""The practice server: a small aiohttp app on 127.0.0.1 for practising client code offline.

Imports only aiohttp, the standard library and ``asyncshell.errors``; the shell
imports this package lazily, when a learner first asks for the server.

    stats     counters and the frozen ServerStats snapshot
    params    reading URL values, their limits, the 400 error
    content   deterministic tiles, weather, pages, items, file bodies
    handlers  one handler per endpoint and the endpoint table
    app       make_app and the wrapper round every route (delay, counting, JSON errors)
    server    PracticeServer on a thread and loop of its own; serve_forever alone
"""

from asyncshell.practice_server.app import make_app
from asyncshell.practice_server.server import PracticeServer, serve_forever
from asyncshell.practice_server.stats import ServerStats

__all__ = ["PracticeServer", "ServerStats", "make_app", "serve_forever"]
