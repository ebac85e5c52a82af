"""Fixtures for the practice server tests: an in-process client, a real server, a waiter."""

from __future__ import annotations

import asyncio
import time
from typing import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from asyncshell.practice_server import PracticeServer, make_app

Waiter = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture
async def client(aiohttp_client) -> TestClient:
    """The practice app behind pytest-aiohttp's test server, as the shell would run it."""
    return await aiohttp_client(make_app(), server_kwargs={"access_log": None})


@pytest.fixture
async def server() -> AsyncIterator[PracticeServer]:
    """A real PracticeServer, started on a free port and always stopped."""
    practice = PracticeServer()
    await practice.start()
    try:
        yield practice
    finally:
        await practice.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def wait_until() -> Waiter:
    """Poll a condition on the loop instead of sleeping a guessed amount of time."""

    async def wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"condition still false after {timeout} s")
            await asyncio.sleep(0.01)

    return wait
