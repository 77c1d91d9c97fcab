"""Shared chat state: the queue, who holds which chat, blocks and rate counts.

Several ASGI processes (and hosts) must see one queue, so the state lives in Redis when
``CHAT_REDIS_URL`` is set (the same server as the channel layer). Without it, in the demo
and the fast tests, one process keeps it in memory, as the in-memory channel layer does.
Every key expires (nothing outlives the chat's idle limit) but the queue's version
counter, a bare number. There is never message text here (text passes through the
channel layer only).
"""

import asyncio
import time
from typing import Protocol

from django.conf import settings


class Store(Protocol):
    async def hset(self, key: str, mapping: dict[str, str], ttl: int) -> None: ...
    async def hgetall(self, key: str) -> dict[str, str]: ...
    async def hgetall_refresh(self, key: str, ttl: int) -> dict[str, str]: ...
    async def delete(self, *keys: str) -> None: ...
    async def zadd(self, key: str, member: str, score: float, ttl: int) -> None: ...
    async def zrem(self, key: str, member: str) -> bool: ...
    async def zrank(self, key: str, member: str) -> int | None: ...
    async def zpopmin(self, key: str) -> str | None: ...
    async def zcard(self, key: str) -> int: ...
    async def zoldest(self, key: str) -> float | None: ...
    async def zrangebyscore_count(self, key: str, minimum: float) -> int: ...
    async def zremrangebyscore(self, key: str, maximum: float) -> None: ...
    async def sadd(self, key: str, member: str, ttl: int) -> None: ...
    async def srem(self, key: str, member: str) -> None: ...
    async def smembers(self, key: str) -> set[str]: ...
    async def set(self, key: str, value: str, ttl: int, *, only_new: bool = False) -> bool: ...
    async def get(self, key: str) -> str | None: ...
    async def incr(self, key: str, ttl: int, amount: float = 1) -> float: ...
    async def snapshot(
        self, counter: str, zsets: list[str]
    ) -> tuple[int, list[list[tuple[str, float]]]]: ...


class MemoryStore:
    """One process's store: the demo and the fast tests. Operations never await inside,
    so coroutines from different threads' loops cannot interleave within one."""

    def __init__(self) -> None:
        self._data: dict[str, object] = {}
        self._expires: dict[str, float] = {}
        self._counters: dict[str, int] = {}  # versions: they never expire

    def _live(self, key: str):
        deadline = self._expires.get(key)
        if deadline is not None and deadline <= time.monotonic():
            self._data.pop(key, None)
            self._expires.pop(key, None)
        return self._data.get(key)

    def _touch(self, key: str, ttl: int) -> None:
        self._expires[key] = time.monotonic() + ttl

    async def hset(self, key, mapping, ttl):
        current = self._live(key)
        data = dict(current) if isinstance(current, dict) else {}
        data.update(mapping)
        self._data[key] = data
        self._touch(key, ttl)

    async def hgetall(self, key):
        value = self._live(key)
        return dict(value) if isinstance(value, dict) else {}

    async def hgetall_refresh(self, key, ttl):
        value = self._live(key)
        if not isinstance(value, dict):
            return {}
        self._touch(key, ttl)
        return dict(value)

    async def delete(self, *keys):
        for key in keys:
            self._data.pop(key, None)
            self._expires.pop(key, None)

    def _zset(self, key: str) -> dict[str, float]:
        value = self._live(key)
        if not isinstance(value, dict):
            value = {}
            self._data[key] = value
        return value

    async def zadd(self, key, member, score, ttl):
        self._zset(key)[member] = score
        self._touch(key, ttl)

    async def zrem(self, key, member):
        return self._zset(key).pop(member, None) is not None

    def _ordered(self, key: str) -> list[str]:
        zset = self._zset(key)
        return sorted(zset, key=lambda m: (zset[m], m))

    async def zrank(self, key, member):
        ordered = self._ordered(key)
        return ordered.index(member) if member in ordered else None

    async def zpopmin(self, key):
        ordered = self._ordered(key)
        if not ordered:
            return None
        self._zset(key).pop(ordered[0])
        return ordered[0]

    async def zcard(self, key):
        return len(self._zset(key))

    async def zoldest(self, key):
        zset = self._zset(key)
        return min(zset.values()) if zset else None

    async def zrangebyscore_count(self, key, minimum):
        return sum(1 for score in self._zset(key).values() if score >= minimum)

    async def zremrangebyscore(self, key, maximum):
        zset = self._zset(key)
        for member in [m for m, score in zset.items() if score <= maximum]:
            zset.pop(member)

    async def sadd(self, key, member, ttl):
        value = self._live(key)
        members = value if isinstance(value, set) else set()
        members.add(member)
        self._data[key] = members
        self._touch(key, ttl)

    async def srem(self, key, member):
        value = self._live(key)
        if isinstance(value, set):
            value.discard(member)

    async def smembers(self, key):
        value = self._live(key)
        return set(value) if isinstance(value, set) else set()

    async def set(self, key, value, ttl, *, only_new=False):
        if only_new and self._live(key) is not None:
            return False
        self._data[key] = value
        self._touch(key, ttl)
        return True

    async def get(self, key):
        value = self._live(key)
        if isinstance(value, (int, float)):
            return str(value)
        return value if isinstance(value, str) else None

    async def incr(self, key, ttl, amount=1):
        value = self._live(key)
        number = (float(value) if isinstance(value, (str, int, float)) else 0) + amount
        self._data[key] = number
        if key not in self._expires or self._expires[key] <= time.monotonic():
            self._touch(key, ttl)
        return number

    async def snapshot(self, counter, zsets):
        version = self._counters[counter] = self._counters.get(counter, 0) + 1
        return version, [[(m, self._zset(k)[m]) for m in self._ordered(k)] for k in zsets]


REDIS_CONNECTIONS = 16  # per process and event loop


class RedisStore:
    """The shared store. A redis.asyncio client belongs to one event loop, so there is
    one client per loop (the ASGI server's, and any a sync view runs)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self._clients: dict[int, object] = {}

    def _client(self):
        import redis.asyncio as redis

        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            # A blocking pool: at a burst (every waiting writer's place pushed at once) a
            # coroutine waits for a free connection instead of failing with "Too many
            # connections", which redis-py's default pool raises past its limit.
            pool = redis.BlockingConnectionPool.from_url(
                self.url, decode_responses=True, max_connections=REDIS_CONNECTIONS, timeout=10
            )
            client = redis.Redis(connection_pool=pool)
            self._clients[loop_id] = client
        return client

    def _k(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    async def hset(self, key, mapping, ttl):
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.hset(self._k(key), mapping=mapping)
            pipe.expire(self._k(key), ttl)
            await pipe.execute()

    async def hgetall(self, key):
        return await self._client().hgetall(self._k(key))

    async def hgetall_refresh(self, key, ttl):
        # One round trip, no transaction (nothing to keep atomic: EXPIRE on a key that
        # has gone does nothing), so no MULTI and EXEC to send and parse for every message.
        async with self._client().pipeline(transaction=False) as pipe:
            pipe.hgetall(self._k(key))
            pipe.expire(self._k(key), ttl)
            found, _refreshed = await pipe.execute()
        return found

    async def delete(self, *keys):
        if keys:
            await self._client().delete(*(self._k(k) for k in keys))

    async def zadd(self, key, member, score, ttl):
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.zadd(self._k(key), {member: score})
            pipe.expire(self._k(key), ttl)
            await pipe.execute()

    async def zrem(self, key, member):
        return bool(await self._client().zrem(self._k(key), member))

    async def zrank(self, key, member):
        return await self._client().zrank(self._k(key), member)

    async def zpopmin(self, key):
        popped = await self._client().zpopmin(self._k(key))
        return popped[0][0] if popped else None

    async def zcard(self, key):
        return await self._client().zcard(self._k(key))

    async def zoldest(self, key):
        first = await self._client().zrange(self._k(key), 0, 0, withscores=True)
        return first[0][1] if first else None

    async def zrangebyscore_count(self, key, minimum):
        return await self._client().zcount(self._k(key), minimum, "+inf")

    async def zremrangebyscore(self, key, maximum):
        await self._client().zremrangebyscore(self._k(key), "-inf", maximum)

    async def sadd(self, key, member, ttl):
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.sadd(self._k(key), member)
            pipe.expire(self._k(key), ttl)
            await pipe.execute()

    async def srem(self, key, member):
        await self._client().srem(self._k(key), member)

    async def smembers(self, key):
        return set(await self._client().smembers(self._k(key)))

    async def set(self, key, value, ttl, *, only_new=False):
        return bool(await self._client().set(self._k(key), value, ex=ttl, nx=only_new))

    async def get(self, key):
        return await self._client().get(self._k(key))

    async def incr(self, key, ttl, amount=1):
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.incrbyfloat(self._k(key), amount)
            pipe.expire(self._k(key), ttl, nx=True)
            value, _ = await pipe.execute()
        return float(value)

    async def snapshot(self, counter, zsets):
        # One transaction: the version orders the snapshots as the states they show.
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.incr(self._k(counter))
            for key in zsets:
                pipe.zrange(self._k(key), 0, -1, withscores=True)
            version, *members = await pipe.execute()
        return int(version), [[(m, float(score)) for m, score in z] for z in members]


_store: Store | None = None


def get_store() -> Store:
    global _store
    if _store is None:
        url = settings.CHAT_REDIS_URL
        _store = RedisStore(url, settings.CHAT_KEY_PREFIX) if url else MemoryStore()
    return _store


def reset_store() -> None:
    """Forget the store (tests switch settings)."""
    global _store
    _store = None
