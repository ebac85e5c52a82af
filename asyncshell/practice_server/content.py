"""The deterministic things the endpoints serve: tiles, weather, pages, items and file bodies.

Pure functions of their inputs (weather also of the time it is given), with no
aiohttp in sight, so lessons and tests can compute the expected answer.
Seeds come from CRC-32 rather than ``hash()``, which changes between runs.
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from functools import lru_cache
from typing import Iterator

TILE_SIZE = 64
FILE_BLOCK = 64 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

TOPICS = (
    "event-loop", "coroutines", "tasks", "futures", "gather", "task-groups", "timeouts",
    "cancellation", "semaphores", "locks", "events", "conditions", "queues", "streams",
    "subprocesses", "executors", "context-vars", "signals", "debugging", "testing",
)
_SKIES = ("clear", "partly cloudy", "cloudy", "light rain", "fog", "windy")


def _seed(text: str) -> int:
    return zlib.crc32(text.encode())


# --- tiles ------------------------------------------------------------------

def tile_png(z: int, x: int, y: int) -> bytes:
    """A 64x64 RGB PNG: a checkerboard in a colour picked by (z, x, y).

    A dark top and left edge make a mosaic of stitched tiles show its grid.
    """
    seed = _seed(f"{z}/{x}/{y}")
    base = bytes(((seed >> 16) & 0xFF, (seed >> 8) & 0xFF, seed & 0xFF))
    light = bytes((c + 256) // 2 for c in base)
    edge = bytes(c // 3 for c in base)
    cell = TILE_SIZE // 8
    pattern_a = (base * cell + light * cell) * 4
    pattern_b = (light * cell + base * cell) * 4
    rows = [edge * TILE_SIZE]
    for row in range(1, TILE_SIZE):
        pattern = pattern_a if (row // cell) % 2 == 0 else pattern_b
        rows.append(edge + pattern[3:])
    # Each PNG scanline starts with its filter type; 0 means "none".
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", TILE_SIZE, TILE_SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join(
        (PNG_SIGNATURE, _png_chunk(b"IHDR", header), _png_chunk(b"IDAT", zlib.compress(raw, 6)),
         _png_chunk(b"IEND", b""))
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# --- weather ----------------------------------------------------------------

def weather(lat: float, lon: float, now: float) -> dict[str, object]:
    """The reading at (lat, lon) at time ``now`` (seconds since the epoch).

    The temperature drifts on a 15-minute cycle and the sky changes every 10
    minutes, so a poller sees a change every few seconds, not on every request.
    """
    seed = _seed(f"{lat:.2f},{lon:.2f}")
    base = 28.0 - 0.45 * abs(lat) + (seed % 100) / 20.0 - 2.5
    phase = (seed % 360) * math.pi / 180.0
    temperature = round(base + 3.0 * math.sin(2.0 * math.pi * now / 900.0 + phase), 1)
    sky = _SKIES[(seed + int(now // 600)) % len(_SKIES)]
    if temperature < 0.0 and sky == "light rain":
        sky = "light snow"
    return {"lat": lat, "lon": lon, "temperature": temperature, "unit": "celsius", "description": sky}


# --- pages and items --------------------------------------------------------

def page_links(name: str) -> list[str]:
    """The three topic pages ``name`` links to.

    Links only ever point at TOPICS, so a crawler started anywhere stops after
    at most len(TOPICS) + 1 pages.
    """
    seed = _seed(name)
    others = [t for t in TOPICS if t != name]
    picks: list[str] = []
    while len(picks) < 3:
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        topic = others[seed % len(others)]
        if topic not in picks:
            picks.append(topic)
    return picks


def page_html(name: str) -> str:
    """A small HTML page with a title, a sentence and links to other /pages/."""
    title = name.replace("-", " ").replace("_", " ").title()
    items = "\n".join(f'    <li><a href="/pages/{link}">{link}</a></li>' for link in page_links(name))
    return (
        "<!doctype html>\n"
        f"<html>\n<head><title>{title}</title></head>\n<body>\n"
        f"  <h1>{title}</h1>\n"
        f"  <p>This page about {title.lower()} is number {_seed(name) % 1000} of the practice web.</p>\n"
        f"  <ul>\n{items}\n  </ul>\n</body>\n</html>\n"
    )


def json_items(n: int) -> dict[str, object]:
    """``n`` small records, the same every time."""
    items = [
        {"id": i, "name": f"item-{i}", "price": round(1 + (_seed(str(i)) % 9900) / 100, 2)}
        for i in range(1, n + 1)
    ]
    return {"count": n, "items": items}


# --- files ------------------------------------------------------------------

@lru_cache(maxsize=64)
def _file_block(name: str) -> bytes:
    return hashlib.shake_256(name.encode()).digest(FILE_BLOCK)


def file_chunks(name: str, size: int) -> Iterator[bytes]:
    """The body of file ``name`` cut to ``size`` bytes, one 64 KiB block at a time.

    The body repeats one pseudo-random block, so even 50 MB costs 64 KiB of memory.
    """
    block = _file_block(name)
    whole, rest = divmod(size, FILE_BLOCK)
    for _ in range(whole):
        yield block
    if rest:
        yield block[:rest]


@lru_cache(maxsize=128)
def file_sha256(name: str, size: int) -> str:
    """Hex SHA-256 of the body, which has to be known before the first byte is sent."""
    digest = hashlib.sha256()
    for chunk in file_chunks(name, size):
        digest.update(chunk)
    return digest.hexdigest()
