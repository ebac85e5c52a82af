"""The aiohttp application: routes, each wrapped in the bookkeeping that delays, counts and explains errors.

The bookkeeping wraps each route's handler when the app is built rather than
being an aiohttp middleware: a middleware also makes aiohttp add a layer of
its own to every request, and the two together cost more than everything
else the practice server does per request (see bench/practice_server_throughput.py).
Unknown paths and wrong methods land on a catch-all route, wrapped the same way.

The wrapper sends each response itself (prepare + write_eof) instead of
leaving that to aiohttp after it returns: only then are the bytes really on
the wire to be counted, and only then can a client that hung up be told apart
from one that got its answer.  aiohttp sees an already-sent response and does
nothing more with it.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from aiohttp import web

from asyncshell.practice_server import handlers, params
from asyncshell.practice_server.stats import StatsRecorder

_CATCH_ALL = "/{path:.*}"


def make_app(recorder: StatsRecorder | None = None) -> web.Application:
    """A fresh practice app, counting into ``recorder`` (a new one if not given)."""
    recorder = recorder if recorder is not None else StatsRecorder()
    app = web.Application()
    app[handlers.RECORDER] = recorder
    app[handlers.GATE] = handlers.Gate()
    started: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()
    app[handlers.STARTED] = started
    for endpoint in handlers.ENDPOINTS:
        counted = endpoint.path not in handlers.UNCOUNTED_PATHS
        wrapped = _bookkept(endpoint.handler, recorder if counted else None, started)
        if endpoint.method == "GET":
            # add_get also answers HEAD, e.g. to read a file's size before fetching it.
            app.router.add_get(endpoint.path, wrapped)
        else:
            app.router.add_route(endpoint.method, endpoint.path, wrapped)
    # Last, so that it only gets what no endpoint took.
    app.router.add_route("*", _CATCH_ALL, _bookkept(_no_such_endpoint, recorder, started))
    return app


def _bookkept(handler: handlers.Handler, recorder: StatsRecorder | None,
              started: weakref.WeakSet[asyncio.BaseTransport]) -> handlers.Handler:
    """``handler`` with ?delay applied, problems answered in JSON, and (given a recorder) counted.

    One coroutine for all of it: this runs on every request, and each extra
    layer costs about as much as the counting itself.
    """
    sleeps_first = handler not in handlers.OWNS_DELAY

    async def endpoint(request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            started.add(request.transport)
        if recorder is not None:
            recorder.begin(request.path)
        status = None
        try:
            try:
                if sleeps_first and request.query_string:
                    seconds = params.delay(request)
                    if seconds:
                        await asyncio.sleep(seconds)
                response = await handler(request)
            except params.BadParameter as exc:
                response = _error(400, str(exc), parameter=exc.name)
            except handlers.ClientGone as gone:
                response = gone.response
            except web.HTTPException as exc:
                # Whatever aiohttp itself might raise, answered in the same JSON shape.
                response = _error(exc.status, exc.reason)
            if await _send(request, response):
                status = response.status
            return response
        except Exception:
            status = 500  # a bug in a handler; aiohttp logs it and answers 500
            raise
        finally:
            # Also reached on cancellation (the client hung up while we waited);
            # output_size counts only what went out before that.
            if recorder is not None:
                recorder.end(status, request.writer.output_size)

    return endpoint


@handlers.owns_delay  # a wrong path is answered at once, whatever delay it asks for
async def _no_such_endpoint(request: web.Request) -> web.StreamResponse:
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            allowed |= (await resource.resolve(request))[1]
    if allowed:
        methods = ", ".join(sorted(allowed))
        return _error(
            405, f"{request.method} is not allowed on {request.path}; use {methods}",
            headers={"Allow": methods},
        )
    endpoints = {f"{e.method} {e.path}": e.about for e in handlers.ENDPOINTS}
    return _error(404, f"no endpoint at {request.path}", endpoints=endpoints)


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status, headers=headers)


async def _send(request: web.Request, response: web.StreamResponse) -> bool:
    """Finish sending ``response``; False when the client was gone before it all went out."""
    transport = request.transport
    if transport is None or transport.is_closing():
        # A stream whose client left (ClientGone) ends up here too.
        response.force_close()
        return False
    try:
        await response.prepare(request)
        await response.write_eof()
    except ConnectionError:
        response.force_close()
        return False
    return True
