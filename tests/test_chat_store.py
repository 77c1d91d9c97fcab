"""The chat's shared store, in memory and in Redis: reading an open chat keeps it alive."""

import asyncio
import os
import uuid

import pytest

from hotline.chat.store import MemoryStore, RedisStore
from tests import servers


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        yield MemoryStore()
        return
    if not servers.redis_reachable():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is not reachable at {servers.TEST_REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {servers.TEST_REDIS_URL}")
    prefix = f"hotline-store-test-{uuid.uuid4().hex[:12]}"
    yield RedisStore(servers.TEST_REDIS_URL, prefix)
    servers.forget_keys(prefix)


def test_reading_a_chat_restarts_its_time_out(store):
    async def scenario():
        await store.hset("chat:a", {"state": "active"}, ttl=1)
        assert await store.hgetall_refresh("chat:a", ttl=60) == {"state": "active"}
        await asyncio.sleep(1.3)  # past the first time-out, within the second
        return await store.hgetall("chat:a")

    assert asyncio.run(scenario()) == {"state": "active"}


def test_without_a_read_the_chat_expires(store):
    async def scenario():
        await store.hset("chat:b", {"state": "active"}, ttl=1)
        await asyncio.sleep(1.3)
        return await store.hgetall("chat:b")

    assert asyncio.run(scenario()) == {}


def test_reading_a_chat_that_has_gone_creates_nothing(store):
    async def scenario():
        found = await store.hgetall_refresh("chat:gone", ttl=60)
        return found, await store.hgetall("chat:gone")

    assert asyncio.run(scenario()) == ({}, {})
