"""One request handler per endpoint, and the table that both routes them and lists them in 404s."""

from __future__ import annotations

import asyncio
import json
import weakref
import time
from functools import lru_cache
from typing import Awaitable, Callable, NamedTuple

from aiohttp import web

from asyncshell.practice_server import content, params
from asyncshell.practice_server.stats import StatsRecorder

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LIMITED_HOLD = 0.1  # long enough that a burst of requests really overlaps
DEFAULT_LIMIT = 5
DEFAULT_FILE_SIZE = 1_000_000
# Hashing more than this would hold up the shell's loop for over a millisecond.
INLINE_HASH_LIMIT = 1 << 20
_NO_BODY_STATUSES = frozenset({204, 205, 304})


class Gate:
    """How many /limited requests are being held right now."""

    __slots__ = ("held",)

    def __init__(self) -> None:
        self.held = 0


RECORDER = web.AppKey("practice_recorder", StatsRecorder)
GATE = web.AppKey("practice_limited_gate", Gate)
#: The connections that have sent at least one whole request (the rest get a deadline, see server.py).
STARTED: web.AppKey[weakref.WeakSet[asyncio.BaseTransport]] = web.AppKey("practice_started_connections", weakref.WeakSet)


class ClientGone(Exception):
    """The client hung up mid-stream: not an error, just a response nobody will read."""

    def __init__(self, response: web.StreamResponse) -> None:
        super().__init__("client disconnected")
        self.response = response


#: Handlers that apply ``?delay`` themselves, instead of having the wrapper in app.py sleep first.
OWNS_DELAY: set[Handler] = set()


def owns_delay(handler: Handler) -> Handler:
    """Mark ``handler`` as one of ``OWNS_DELAY``."""
    OWNS_DELAY.add(handler)
    return handler


async def delay(request: web.Request) -> web.StreamResponse:
    seconds, body = _slept(request.match_info["seconds"])
    if seconds:
        await asyncio.sleep(seconds)
    return web.Response(body=body, content_type="application/json")


@lru_cache(maxsize=256)
def _slept(seconds_text: str) -> tuple[float, bytes]:
    # The load tests hammer /delay/0; checking and encoding once per distinct
    # URL keeps that path as cheap as a bare "hello".
    seconds = params.number(seconds_text, "seconds", 0.0, params.MAX_DELAY)
    return seconds, json.dumps({"slept": seconds}).encode()


async def status(request: web.Request) -> web.StreamResponse:
    # 1xx codes are interim answers: a client would wait for a final one forever.
    code = params.integer(request.match_info["code"], "code", 200, 599, where=" (1xx codes cannot end a request)")
    if code in _NO_BODY_STATUSES:
        return web.Response(status=code)
    return web.json_response({"status": code}, status=code)


async def json_document(request: web.Request) -> web.StreamResponse:
    n = params.integer(request.query.get("n"), "n", 0, params.MAX_JSON_ITEMS, default=3)
    return web.json_response(content.json_items(n))


async def tile(request: web.Request) -> web.StreamResponse:
    info = request.match_info
    return web.Response(body=_tile_png(info["z"], info["x"], info["y"]), content_type="image/png")


@lru_cache(maxsize=1024)
def _tile_png(z_text: str, x_text: str, y_text: str) -> bytes:
    # Keyed by the URL's own text, so a tile asked for again (a map lesson does
    # that all the time) skips both the checks and the drawing.
    z = params.integer(z_text, "z", 0, params.MAX_ZOOM)
    top = 2**z - 1
    x = params.integer(x_text, "x", 0, top, where=f" at zoom {z}")
    y = params.integer(y_text, "y", 0, top, where=f" at zoom {z}")
    return content.tile_png(z, x, y)


async def weather(request: web.Request) -> web.StreamResponse:
    lat = params.number(request.query.get("lat"), "lat", -90.0, 90.0)
    lon = params.number(request.query.get("lon"), "lon", -180.0, 180.0)
    return web.json_response(content.weather(lat, lon, time.time()))


async def page(request: web.Request) -> web.StreamResponse:
    name = params.short_name(request.match_info["name"])
    return web.Response(text=content.page_html(name), content_type="text/html")


async def file(request: web.Request) -> web.StreamResponse:
    name = params.short_name(request.match_info["name"])
    size = params.integer(
        request.query.get("size"), "size", 0, params.MAX_FILE_SIZE, default=DEFAULT_FILE_SIZE
    )
    if size > INLINE_HASH_LIMIT:
        digest = await asyncio.to_thread(content.file_sha256, name, size)
    else:
        digest = content.file_sha256(name, size)
    response = web.StreamResponse(
        headers={"Content-Type": "application/octet-stream", "X-Content-SHA256": digest}
    )
    response.content_length = size
    # aiohttp would send a streamed body even to HEAD, corrupting the connection.
    body = content.file_chunks(name, size) if request.method != "HEAD" else ()
    try:
        await response.prepare(request)
        for chunk in body:
            await response.write(chunk)
    except ConnectionError:
        raise ClientGone(response) from None
    return response


@owns_delay
async def limited(request: web.Request) -> web.StreamResponse:
    # The check comes before the hold, so this handler sleeps ?delay itself.
    limit = params.integer(request.query.get("limit"), "limit", 1, params.MAX_LIMIT, default=DEFAULT_LIMIT)
    hold = params.delay(request, default=LIMITED_HOLD)
    gate = request.app[GATE]
    if gate.held >= limit:
        return web.json_response(
            {"error": f"too many requests in flight on /limited: {gate.held} already, limit={limit}"},
            status=429,
            headers={"Retry-After": "1"},
        )
    gate.held += 1
    try:
        await asyncio.sleep(hold)
    finally:
        gate.held -= 1
    return web.json_response({"ok": True, "limit": limit})


async def stats(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[RECORDER].snapshot().as_dict())


async def stats_reset(request: web.Request) -> web.StreamResponse:
    recorder = request.app[RECORDER]
    recorder.reset()
    return web.json_response(recorder.snapshot().as_dict())


async def index(request: web.Request) -> web.StreamResponse:
    """A page a learner can read in a browser or with ``text()``: every endpoint, one line each."""
    lines = ["The asyncshell practice server: endpoints for practising HTTP clients offline.", ""]
    lines += endpoint_rows()
    lines += ["", f"Every endpoint also takes ?delay=SECONDS (up to {params.MAX_DELAY:g} s) before it answers."]
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


def endpoint_rows() -> list[str]:
    """The endpoints and what each answers, one line each, as the index page and ``%server`` show them."""
    width = max(len(f"{e.method} {e.path}") for e in ENDPOINTS)
    return [f"  {f'{e.method} {e.path}':<{width}}  {e.about}" for e in ENDPOINTS]


class Endpoint(NamedTuple):
    method: str
    path: str
    handler: Handler
    about: str


ENDPOINTS = (
    Endpoint("GET", "/", index, "this list"),
    Endpoint("GET", "/delay/{seconds}", delay, "JSON {slept} after that many seconds (0-30)"),
    Endpoint("GET", "/status/{code}", status, "answers with that HTTP status (200-599)"),
    Endpoint("GET", "/json", json_document, "a small JSON document; ?n= items (0-1000, default 3)"),
    Endpoint("GET", "/tiles/{z}/{x}/{y}.png", tile, "a 64x64 PNG map tile; 0 <= x, y < 2**z, z <= 18"),
    Endpoint("GET", "/weather", weather, "JSON temperature and description; ?lat= and ?lon= required"),
    Endpoint("GET", "/pages/{name}", page, "a small HTML page linking to other /pages/"),
    Endpoint("GET", "/files/{name}", file, "?size= bytes (default 1000000, max 50000000), streamed, "
             "with X-Content-SHA256"),
    Endpoint("GET", "/limited/{anything:.+}", limited, "429 once more than ?limit= (default 5) are in "
             "flight; each holds ?delay= seconds (default 0.1)"),
    Endpoint("GET", "/stats", stats, "what the server has seen (not counting /stats itself)"),
    Endpoint("POST", "/stats/reset", stats_reset, "zero the stats"),
)
# The meta endpoints must not disturb the numbers they report.
UNCOUNTED_PATHS = frozenset({"/", "/stats", "/stats/reset"})
