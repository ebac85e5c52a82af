"""Each endpoint as a learner's aiohttp client code sees it: status, body, headers, errors."""

from __future__ import annotations

import hashlib
import re
import struct
import time
import zlib

import pytest

from asyncshell.practice_server import content


async def get_json(client, path: str, status: int = 200):
    resp = await client.get(path)
    assert resp.status == status, await resp.text()
    return await resp.json()


# --- delay and the ?delay every endpoint takes ----------------------------------

async def test_delay_sleeps_then_says_how_long(client):
    started = time.monotonic()
    assert await get_json(client, "/delay/0.2") == {"slept": 0.2}
    assert time.monotonic() - started >= 0.2


async def test_any_endpoint_takes_a_delay_query(client):
    started = time.monotonic()
    await get_json(client, "/json?delay=0.2")
    assert time.monotonic() - started >= 0.2


# --- status ------------------------------------------------------------------------

@pytest.mark.parametrize("code", [200, 301, 404, 418, 500, 503, 599])
async def test_status_answers_with_that_code(client, code):
    assert await get_json(client, f"/status/{code}", status=code) == {"status": code}


async def test_status_without_body(client):
    resp = await client.get("/status/204")
    assert resp.status == 204
    assert await resp.read() == b""


# --- json --------------------------------------------------------------------------

async def test_json_has_three_items_by_default(client):
    body = await get_json(client, "/json")
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [1, 2, 3]


async def test_json_n_items_is_deterministic(client):
    first = await get_json(client, "/json?n=50")
    assert len(first["items"]) == 50
    assert await get_json(client, "/json?n=50") == first


# --- tiles -------------------------------------------------------------------------

def read_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and decompressed scanlines, checking the signature and every CRC."""
    assert data[:8] == content.PNG_SIGNATURE
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks[kind] = body
        pos += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    return width, height, zlib.decompress(chunks[b"IDAT"])


async def test_tile_is_a_valid_png_that_depends_on_its_coordinates(client):
    resp = await client.get("/tiles/3/2/5.png")
    assert resp.status == 200
    assert resp.content_type == "image/png"
    width, height, pixels = read_png(await resp.read())
    assert (width, height) == (64, 64)
    assert len(pixels) == height * (1 + 3 * width)

    other = await client.get("/tiles/3/5/2.png")
    assert read_png(await other.read())[2] != pixels


# --- weather -------------------------------------------------------------------------

async def test_weather_reading(client):
    body = await get_json(client, "/weather?lat=52.52&lon=13.40")
    assert set(body) == {"lat", "lon", "temperature", "unit", "description"}
    assert isinstance(body["temperature"], float)
    assert -60 < body["temperature"] < 60
    assert body["description"]


def test_weather_is_deterministic_and_drifts_slowly():
    now = 1_700_000_000.0
    assert content.weather(10.0, 20.0, now) == content.weather(10.0, 20.0, now)
    assert content.weather(10.0, 20.0, now) != content.weather(-40.0, 100.0, now)
    one_second = abs(content.weather(10.0, 20.0, now + 1)["temperature"] - content.weather(10.0, 20.0, now)["temperature"])
    assert one_second <= 0.1
    readings = {content.weather(10.0, 20.0, now + minute * 60)["temperature"] for minute in range(15)}
    assert len(readings) > 5, "a poller should see the temperature change within minutes"


# --- pages ---------------------------------------------------------------------------

LINK = re.compile(r'href="(/pages/[^"]+)"')


async def test_page_has_a_title_and_links(client):
    resp = await client.get("/pages/tasks")
    assert resp.content_type == "text/html"
    html = await resp.text()
    assert "<title>Tasks</title>" in html
    assert len(LINK.findall(html)) == 3
    assert await (await client.get("/pages/tasks")).text() == html


async def test_crawling_the_pages_ends(client):
    seen, todo = set(), ["/pages/index"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        resp = await client.get(path)
        assert resp.status == 200
        todo.extend(LINK.findall(await resp.text()))
    assert 2 < len(seen) <= len(content.TOPICS) + 1


# --- files ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 65536, 200_001])
async def test_file_body_matches_its_sha256_header(client, size):
    resp = await client.get(f"/files/data.bin?size={size}")
    assert resp.status == 200
    assert resp.content_length == size
    body = await resp.read()
    assert len(body) == size
    assert resp.headers["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()


async def test_file_head_gives_size_and_hash_without_the_body(client):
    resp = await client.head("/files/big?size=50000000")
    assert resp.status == 200
    assert resp.content_length == 50_000_000
    assert resp.headers["X-Content-SHA256"] == content.file_sha256("big", 50_000_000)
    assert await resp.read() == b""
    assert (await client.get("/json")).status == 200, "the connection is still usable"


async def test_file_default_size_and_names_differ(client):
    a = await (await client.get("/files/a")).read()
    b = await (await client.get("/files/b")).read()
    assert len(a) == len(b) == 1_000_000
    assert a != b


# --- limited (the deterministic concurrency test is with the load tests) -------------

async def test_limited_answers_after_a_short_hold(client):
    started = time.monotonic()
    assert await get_json(client, "/limited/a?limit=2") == {"ok": True, "limit": 2}
    assert time.monotonic() - started >= 0.1


# --- stats, 404, 405 -------------------------------------------------------------------

async def test_stats_count_what_was_served_but_not_themselves(client):
    await client.get("/json")
    await client.get("/json?n=2")
    await client.get("/status/503")
    await client.get("/tiles/9/9/9.png?delay=nope")
    body = await get_json(client, "/stats")
    assert body["total_requests"] == 4
    assert body["requests"] == {"/json": 2, "/status/503": 1, "/tiles/9/9/9.png": 1}
    assert body["statuses"] == {"200": 2, "400": 1, "503": 1}
    assert body["in_flight"] == 0
    assert body["peak_in_flight"] == 1
    assert body["bytes_sent"] > 0
    assert (await get_json(client, "/stats"))["total_requests"] == 4


async def test_stats_reset(client):
    await client.get("/json")
    resp = await client.post("/stats/reset")
    assert (await resp.json())["total_requests"] == 0
    body = await get_json(client, "/stats")
    assert (body["total_requests"], body["requests"], body["bytes_sent"]) == (0, {}, 0)


async def test_unknown_path_lists_the_endpoints(client):
    body = await get_json(client, "/nowhere", status=404)
    assert body["error"] == "no endpoint at /nowhere"
    assert "GET /tiles/{z}/{x}/{y}.png" in body["endpoints"]
    assert "POST /stats/reset" in body["endpoints"]
    assert len(body["endpoints"]) == 11  # the ten, and the index at /


async def test_wrong_method_says_which_to_use(client):
    resp = await client.post("/json")
    assert resp.status == 405
    assert (await resp.json())["error"] == "POST is not allowed on /json; use GET, HEAD"


# --- bad parameters: a 400 naming the parameter, what it must be, and what it got --------

BAD_PARAMETERS = [
    ("/delay/31", "seconds", "seconds must be a number between 0 and 30, got '31'"),
    ("/delay/-1", "seconds", "seconds must be a number between 0 and 30, got '-1'"),
    ("/delay/nan", "seconds", "seconds must be a number between 0 and 30, got 'nan'"),
    ("/json?delay=abc", "delay", "delay must be a number between 0 and 30, got 'abc'"),
    ("/tiles/0/0/0.png?delay=99", "delay", "delay must be a number between 0 and 30, got '99'"),
    ("/status/100", "code", "code must be a whole number between 200 and 599 (1xx codes cannot end a request), got '100'"),
    ("/status/600", "code", "code must be a whole number between 200 and 599 (1xx codes cannot end a request), got '600'"),
    ("/status/abc", "code", "code must be a whole number between 200 and 599 (1xx codes cannot end a request), got 'abc'"),
    ("/json?n=1001", "n", "n must be a whole number between 0 and 1000, got '1001'"),
    ("/tiles/3/8/0.png", "x", "x must be a whole number between 0 and 7 at zoom 3, got '8'"),
    ("/tiles/0/0/1.png", "y", "y must be a whole number between 0 and 0 at zoom 0, got '1'"),
    ("/tiles/19/0/0.png", "z", "z must be a whole number between 0 and 18, got '19'"),
    ("/tiles/a/0/0.png", "z", "z must be a whole number between 0 and 18, got 'a'"),
    ("/weather?lat=10", "lon", "lon is required: a number between -180 and 180"),
    ("/weather?lat=91&lon=0", "lat", "lat must be a number between -90 and 90, got '91'"),
    ("/pages/a%20b", "name", "name must be 1 to 64 letters, digits, '.', '_' or '-', got 'a b'"),
    ("/files/big?size=50000001", "size", "size must be a whole number between 0 and 50000000, got '50000001'"),
    ("/limited/a?limit=0", "limit", "limit must be a whole number between 1 and 1000, got '0'"),
]


@pytest.mark.parametrize("path, parameter, message", BAD_PARAMETERS, ids=[row[0] for row in BAD_PARAMETERS])
async def test_bad_parameters_are_explained(client, path, parameter, message):
    assert await get_json(client, path, status=400) == {"error": message, "parameter": parameter}


async def test_the_root_is_a_readable_index_of_the_endpoints_and_is_not_counted(client):
    resp = await client.get("/")
    assert resp.status == 200 and resp.content_type == "text/plain"
    lines = (await resp.text()).splitlines()
    assert lines[0] == "The asyncshell practice server: endpoints for practising HTTP clients offline."
    assert "  GET /weather                JSON temperature and description; ?lat= and ?lon= required" in lines
    stats = await get_json(client, "/stats")
    assert stats["total_requests"] == 0
