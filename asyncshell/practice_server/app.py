"""The aiohttp application: routes, plus the one middleware that delays, counts and explains errors.

The middleware sends each response itself (prepare + write_eof) instead of
leaving that to aiohttp after it returns; only then are the bytes really on
the wire to be counted, and only then can a client that hung up be told apart
from one that got its answer.  aiohttp sees an already-sent response and does
nothing more with it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from asyncshell.practice_server import handlers, params
from asyncshell.practice_server.stats import StatsRecorder


def make_app(recorder: StatsRecorder | None = None) -> web.Application:
    """A fresh practice app, counting into ``recorder`` (a new one if not given)."""
    app = web.Application(middlewares=[_practice_middleware])
    app[handlers.RECORDER] = recorder if recorder is not None else StatsRecorder()
    app[handlers.GATE] = handlers.Gate()
    for endpoint in handlers.ENDPOINTS:
        if endpoint.method == "GET":
            # add_get also answers HEAD, e.g. to read a file's size before fetching it.
            app.router.add_get(endpoint.path, endpoint.handler)
        else:
            app.router.add_route(endpoint.method, endpoint.path, endpoint.handler)
    return app


@web.middleware
async def _practice_middleware(request: web.Request, handler: handlers.Handler) -> web.StreamResponse:
    if request.path in handlers.UNCOUNTED_PATHS:
        response = await _answer(request, handler)
        await _send(request, response)
        return response
    recorder = request.app[handlers.RECORDER]
    recorder.begin(request.path)
    status = None
    try:
        response = await _answer(request, handler)
        if await _send(request, response):
            status = response.status
        return response
    except Exception:
        status = 500  # a bug in a handler; aiohttp logs it and answers 500
        raise
    finally:
        # Also reached on cancellation (the client hung up while we waited);
        # output_size counts only what went out before that.
        recorder.end(status, request.writer.output_size)


async def _answer(request: web.Request, handler: handlers.Handler) -> web.StreamResponse:
    """The handler's response, with every expected problem turned into a JSON one."""
    try:
        if request.query_string and not getattr(handler, "owns_delay", False):
            seconds = params.delay(request)
            if seconds:
                await asyncio.sleep(seconds)
        return await handler(request)
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    except handlers.ClientGone as gone:
        return gone.response
    except web.HTTPNotFound:
        endpoints = {f"{e.method} {e.path}": e.about for e in handlers.ENDPOINTS}
        return _error(404, f"no endpoint at {request.path}", endpoints=endpoints)
    except web.HTTPMethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.allowed_methods))
        return _error(
            405, f"{request.method} is not allowed on {request.path}; use {allowed}",
            headers={"Allow": allowed},
        )
    except web.HTTPException as exc:
        # Anything else aiohttp itself raises; returning the exception object
        # is deprecated, so answer with a plain response of the same status.
        return _error(exc.status, exc.reason)


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status, headers=headers)


async def _send(request: web.Request, response: web.StreamResponse) -> bool:
    """Finish sending ``response``; False when the client was gone before it all went out."""
    if request.transport is None or request.transport.is_closing():
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
