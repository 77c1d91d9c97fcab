"""The chat queue and each chat's state, in the shared store (hotline/chat/store.py).

A chat is a random id with a small hash of facts: its state (waiting, active, ended), the
writer's chosen language and age group, when it was queued and last active, the operator
holding it and its call record's id. The writer's address appears only as a hash with a
salt that changes daily (kept two days, so a block of some hours spans midnight).
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from math import ceil

from django.conf import settings
from django.utils import timezone

from hotline.chat.store import get_store

QUEUE = "queue"
OPERATORS = "operators"
ACTIVE = "active"
QUEUE_VERSION = "queue-version"
# Rough handling time of one chat, for the writer's expected wait.
MINUTES_PER_CHAT = 12
DAY = 24 * 3600
# A chat's states while it lasts: in the queue, or held by an operator.
OPEN = ("waiting", "active")


def chat_key(chat_id: str) -> str:
    return f"chat:{chat_id}"


def held_key(user_id: int) -> str:
    return f"held:{user_id}"


def new_chat_id() -> str:
    return secrets.token_urlsafe(18)


def _idle() -> int:
    """How long state lives unless touched: the idle limit, plus a margin in which the
    writer's watchdog ends the chat for both sides first (the expiry is the backstop)."""
    return settings.CHAT_IDLE_SECONDS + 300


async def _salt(day: int) -> str:
    store = get_store()
    await store.set(f"salt:{day}", secrets.token_hex(16), 2 * DAY + 60, only_new=True)
    return await store.get(f"salt:{day}") or ""


async def address_hashes(address: str) -> list[str]:
    """Today's hash of ``address`` first, then yesterday's: a block set before midnight
    still holds after it. The salts are random and expire, so old hashes become
    meaningless even to someone holding the secret key."""
    day = int(time.time() // DAY)
    return [
        hashlib.sha256(f"{await _salt(d)}:{address}".encode()).hexdigest()[:32]
        for d in (day, day - 1)
    ]


async def is_blocked(hashes: list[str]) -> bool:
    store = get_store()
    for digest in hashes:
        if await store.get(f"block:{digest}") is not None:
            return True
    return False


async def block(digest: str) -> None:
    await get_store().set(f"block:{digest}", "1", settings.CHAT_BLOCK_HOURS * 3600)


async def over_limit(kind: str, digest: str, limit: int, window: int) -> bool:
    """Count one event of ``kind`` for the address; whether it passes ``limit`` this window."""
    slot = int(time.time() // window)
    count = await get_store().incr(f"rate:{kind}:{digest}:{slot}", window + 1)
    return count > limit


async def claim_address(digest: str) -> bool:
    """One more open chat from this address, if under CHAT_CHATS_PER_ADDRESS."""
    store = get_store()
    count = await store.incr(f"open:{digest}", _idle())
    if count > settings.CHAT_CHATS_PER_ADDRESS:
        await store.incr(f"open:{digest}", _idle(), -1)
        return False
    return True


async def release_address(digest: str) -> None:
    await get_store().incr(f"open:{digest}", _idle(), -1)


@dataclass
class QueueState:
    waiting: int
    longest_wait_seconds: int


async def enqueue(chat_id: str, facts: dict[str, str], queued_at: float | None = None) -> None:
    now = time.time()
    store = get_store()
    await store.hset(
        chat_key(chat_id),
        {
            **facts,
            "state": "waiting",
            "queued": str(queued_at or now),
            "operator": "",
        },
        _idle(),
    )
    await store.zadd(QUEUE, chat_id, queued_at or now, _idle())


async def get_chat(chat_id: str) -> dict[str, str]:
    return await get_store().hgetall(chat_key(chat_id))


async def live_chat(chat_id: str) -> dict[str, str]:
    """The chat's facts, its idle time-out restarted in the same round trip: every message
    and every service sent keeps an open chat's state from expiring."""
    return await get_store().hgetall_refresh(chat_key(chat_id), _idle())


def expected_wait_minutes(place: int, operators: int) -> int:
    operators = max(1, operators)
    return max(1, ceil(place * MINUTES_PER_CHAT / (operators * settings.CHAT_MAX_CONCURRENT)))


@dataclass(frozen=True)
class Snapshot:
    """The queue as one read sees it, pushed to every consumer in the queue group.

    Each consumer works out its own view (a writer its place, an operator the waiting
    count) from it, so a change costs one store read, not one per waiting writer. The
    version orders snapshots that cross on the way: an older one is ignored.
    """

    version: int
    waiting: list[str]  # chat ids, longest waiting first
    oldest: float | None
    operators: list[int]

    def place(self, chat_id: str) -> int | None:
        try:
            return self.waiting.index(chat_id) + 1
        except ValueError:
            return None

    def wait_minutes(self, place: int) -> int:
        return expected_wait_minutes(place, len(self.operators))

    def state(self) -> QueueState:
        oldest = int(time.time() - self.oldest) if self.oldest is not None else 0
        return QueueState(waiting=len(self.waiting), longest_wait_seconds=max(0, oldest))

    def event(self) -> dict:
        return {
            "type": "queue.changed",
            "version": self.version,
            "waiting": self.waiting,
            "oldest": self.oldest,
            "operators": self.operators,
        }

    @classmethod
    def from_event(cls, event: dict) -> "Snapshot":
        return cls(event["version"], event["waiting"], event["oldest"], event["operators"])


async def snapshot() -> Snapshot:
    version, (waiting, operators) = await get_store().snapshot(QUEUE_VERSION, [QUEUE, OPERATORS])
    return Snapshot(
        version=version,
        waiting=[chat_id for chat_id, _ in waiting],
        oldest=waiting[0][1] if waiting else None,
        operators=[int(uid) for uid, _ in operators],
    )


async def queue_state() -> QueueState:
    store = get_store()
    oldest = await store.zoldest(QUEUE)
    return QueueState(
        waiting=await store.zcard(QUEUE),
        longest_wait_seconds=int(time.time() - oldest) if oldest is not None else 0,
    )


async def set_available(user_id: int, available: bool) -> None:
    store = get_store()
    if available:
        await store.zadd(OPERATORS, str(user_id), time.time(), _idle())
    else:
        await store.zrem(OPERATORS, str(user_id))


async def is_available(user_id: int) -> bool:
    return await get_store().zrank(OPERATORS, str(user_id)) is not None


async def operators_on_chat() -> int:
    return await get_store().zcard(OPERATORS)


async def held(user_id: int) -> set[str]:
    return await get_store().smembers(held_key(user_id))


async def take_next(user_id: int) -> str | None:
    """Pop the longest-waiting chat for the operator; None if the queue is empty. A chat
    whose writer's connection dropped keeps its place but is not given out until they
    are back: an operator would answer no one."""
    store = get_store()
    away: list[tuple[str, float]] = []
    taken = None
    while (chat_id := await store.zpopmin(QUEUE)) is not None:
        chat = await get_chat(chat_id)
        if chat.get("state") != "waiting":
            continue
        if chat.get("away"):
            away.append((chat_id, float(chat.get("queued") or time.time())))
            continue
        await assign(chat_id, user_id)
        await _count_wait(time.time() - float(chat.get("queued") or time.time()))
        taken = chat_id
        break
    for chat_id, queued in away:
        await store.zadd(QUEUE, chat_id, queued, _idle())
    return taken


async def assign(chat_id: str, user_id: int, call_id: str | None = None) -> None:
    store = get_store()
    facts = {"state": "active", "operator": str(user_id)}
    if call_id:
        facts["call"] = call_id
    await store.hset(chat_key(chat_id), facts, _idle())
    await store.sadd(held_key(user_id), chat_id, _idle())
    await store.zadd(ACTIVE, chat_id, time.time(), _idle())


async def release(chat_id: str, user_id: int) -> None:
    await get_store().srem(held_key(user_id), chat_id)
    await get_store().zrem(ACTIVE, chat_id)


async def back_to_queue(chat_id: str, user_id: int) -> None:
    """Transferred back: first in line again, by its original place."""
    chat = await get_chat(chat_id)
    await release(chat_id, user_id)
    facts = {k: v for k, v in chat.items() if k not in ("state", "queued", "operator")}
    await enqueue(chat_id, facts, float(chat.get("queued") or time.time()))


async def end(chat_id: str) -> dict[str, str]:
    """Mark the chat ended; returns its facts as they were. What is kept afterwards is only
    what recording the call needs (operator and call id), for a day."""
    store = get_store()
    chat = await get_chat(chat_id)
    if not chat or chat.get("state") == "ended":
        return {}
    await store.zrem(QUEUE, chat_id)
    if chat.get("operator"):
        await release(chat_id, int(chat["operator"]))
    await store.delete(chat_key(chat_id))
    if chat.get("call"):
        await store.hset(
            chat_key(chat_id),
            {"state": "ended", "operator": chat.get("operator", ""), "call": chat["call"]},
            DAY,
        )
    return chat


def resume_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def step_away(chat_id: str, mark: str) -> bool:
    """The writer's connection dropped: the chat waits for them, marked with ``mark``.
    False if it is no longer open."""
    chat = await get_chat(chat_id)
    if chat.get("state") not in OPEN:
        return False
    await get_store().hset(chat_key(chat_id), {"away": mark}, _idle())
    return True


async def with_secret(chat_id: str, secret: str) -> dict[str, str]:
    """The open chat whose resume secret is ``secret``; {} if it ended or the secret is
    wrong. Only the writer's page holds the secret."""
    chat = await get_chat(chat_id)
    if chat.get("state") not in OPEN or not hmac.compare_digest(
        chat.get("resume", ""), resume_digest(secret)
    ):
        return {}
    return chat


async def come_back(chat_id: str, secret: str) -> dict[str, str]:
    """The writer returns with the chat's resume secret: the chat's facts as they were
    (``away`` empty if the old connection is not known to be gone yet), or {} if it
    ended or the secret is wrong."""
    chat = await with_secret(chat_id, secret)
    if chat:
        await get_store().hset(chat_key(chat_id), {"away": ""}, _idle())
    return chat


async def forget(chat_id: str) -> None:
    await get_store().delete(chat_key(chat_id))


def _today() -> str:
    return timezone.localdate().isoformat()


async def _count_wait(seconds: float) -> None:
    store = get_store()
    await store.incr(f"wait-sum:{_today()}", 2 * DAY, seconds)
    await store.incr(f"wait-count:{_today()}", 2 * DAY, 1)


async def average_wait_today() -> int | None:
    store = get_store()
    count = float(await store.get(f"wait-count:{_today()}") or 0)
    total = float(await store.get(f"wait-sum:{_today()}") or 0)
    return round(total / count) if count else None


async def active_count() -> int:
    return await get_store().zcard(ACTIVE)
