"""The chat's two WebSocket ends: the writer (anonymous, /ws/chat/) and the operator (in
the desk, /ws/chat/desk/).

Message text passes from one consumer to the other through the channel layer only: it is
never stored, logged or written anywhere. Logging here names events, never content.
"""

import asyncio
import json
import logging
import secrets
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from hotline.accounts.middleware import lapsed, touch
from hotline.accounts.roles import Role, user_roles
from hotline.chat import hours, queue
from hotline.chat.forms import ChatStartForm
from hotline.chat.payload import public_service
from hotline.chat.protocol import (
    OPERATOR_TYPES,
    WRITER_TYPES,
    AvailableForm,
    BadFrame,
    ChatIdForm,
    MessageForm,
    OperatorMessageForm,
    ResumeForm,
    ServiceForm,
    TransferForm,
    clean,
    parse,
    resume_token,
)
from hotline.chat.records import add_chat_referral, start_chat_call

logger = logging.getLogger(__name__)

QUEUE_GROUP = "chat-queue"
# The ends of chats whose writer stepped away, held until they run (the event loop keeps
# only weak references to tasks).
_AWAITING_RETURN: set[asyncio.Task] = set()
SESSION_RECHECK_SECONDS = 10
# Close codes: the writer's page tells closed, blocked and too many chats apart.
CLOSED, BLOCKED, LIMITED, FORBIDDEN = 4001, 4002, 4003, 4004


def chat_group(chat_id: str) -> str:
    return f"chat-{chat_id}"


def operator_group(user_id: int) -> str:
    return f"chat-operator-{user_id}"


def writer_address(scope) -> str:
    """The writer's address as the proxy saw it (only ever hashed)."""
    if settings.BEHIND_TLS_PROXY:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[-1].strip()
    client = scope.get("client") or ("", 0)
    return str(client[0])


class FrameConsumer(AsyncWebsocketConsumer):
    allowed: set[str] = set()

    async def dispatch(self, message):
        # Channels first closes stale database connections before every handler, a hop
        # to the one thread all sync code shares, for every frame and event. Ours reach
        # the database only through database_sync_to_async, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_frame(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = parse(text_data, bytes_data, self.allowed)
            await getattr(self, f"on_{frame['type']}")(frame)
        except BadFrame as bad:
            await self.send_frame(bad.frame())
        except Exception as error:
            # Never crash the connection on one frame. The log names the error's type
            # only: its message or traceback could quote what was written.
            logger.error("chat frame failed: %s", type(error).__name__)
            await self.send_frame({"type": "error", "reason": "server_error"})


async def announce(layer) -> queue.Snapshot:
    """Push the queue as it now is to every consumer in the queue group: one store read
    per change, whoever made it, however many wait."""
    snapshot = await queue.snapshot()
    await layer.group_send(QUEUE_GROUP, snapshot.event())
    return snapshot


class WriterConsumer(FrameConsumer):
    allowed = WRITER_TYPES
    chat_id: str = ""
    digest: str = ""
    claimed = False
    watchdog: asyncio.TimerHandle | None = None
    ending: asyncio.Task | None = None  # the idle end, held so it is not collected
    seen_version = 0
    shown: tuple[int, int] | None = None
    last_activity = 0.0

    async def connect(self):
        if not hours.is_open(timezone.now()):
            await self.refuse(CLOSED)
            return
        hashes = await queue.address_hashes(writer_address(self.scope))
        self.digest = hashes[0]
        if await queue.is_blocked(hashes):
            await self.refuse(BLOCKED)
            return
        if not await queue.claim_address(self.digest):
            await self.refuse(LIMITED)
            return
        self.claimed = True
        await self.accept()

    async def refuse(self, code: int) -> None:
        """Accept, then close with the reason: a browser shown a refused handshake sees
        only 1006, and the page could not say whether the chat is closed, blocked or
        already open elsewhere (and whether to try to come back)."""
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        # Leaving on purpose (quick exit, "end", a closed page) sends "end" first and
        # ends the chat. A connection that merely drops leaves it waiting for the writer
        # to come back from the same page, for CHAT_RESUME_SECONDS.
        if self.watchdog is not None:
            self.watchdog.cancel()
        if self.chat_id:
            await self.step_away()
        if self.claimed:
            await queue.release_address(self.digest)
            self.claimed = False

    async def on_start(self, frame):
        if self.chat_id:
            raise BadFrame("already_started")
        form = ChatStartForm(frame)
        if not form.is_valid():
            raise BadFrame("invalid", next(iter(form.errors)))
        if await queue.over_limit("start", self.digest, settings.CHAT_STARTS_PER_HOUR, 3600):
            await self.close(code=LIMITED)
            return
        self.chat_id = queue.new_chat_id()
        # The page keeps the secret in memory only, to come back after a dropped
        # connection; the store keeps its hash.
        secret = secrets.token_urlsafe(24)
        facts = {
            "language": form.cleaned_data["language"],
            "age_group": form.cleaned_data["age_group"],
            "safe": form.cleaned_data["safe"],
            "address": self.digest,
            "resume": queue.resume_digest(secret),
        }
        await queue.enqueue(self.chat_id, facts)
        await self.send_frame({"type": "resume_token", "token": resume_token(self.chat_id, secret)})
        await self.join(waiting=True)
        await self.show_place(await announce(self.channel_layer))

    async def on_resume(self, frame):
        if self.chat_id:
            raise BadFrame("already_started")
        chat_id, secret = clean(ResumeForm, frame)["token"]
        chat = await queue.come_back(chat_id, secret)
        if not chat:
            raise BadFrame("cannot_resume")
        if not chat.get("away"):
            # The old connection is dead but not yet noticed (a network switch: the
            # server waits for a ping to go unanswered). This page holds the secret, so
            # it takes over; the old connection closes without stepping away. Sent
            # before this one joins the group, so only the old one hears it.
            await self.channel_layer.group_send(
                chat_group(chat_id), {"type": "chat.event", "event": {"type": "replaced"}}
            )
        self.chat_id = chat_id
        waiting = chat.get("state") == "waiting"
        await self.join(waiting=waiting)
        await self.send_frame({"type": "resumed", "state": chat["state"]})
        if chat.get("away"):
            back = {"type": "back", "from": "writer", "chat": chat_id}
            await self.channel_layer.group_send(
                chat_group(chat_id), {"type": "chat.event", "event": back}
            )
        if waiting:
            await self.show_place(await queue.snapshot())

    async def join(self, waiting: bool) -> None:
        self.last_activity = time.time()
        await self.channel_layer.group_add(chat_group(self.chat_id), self.channel_name)
        if waiting:
            await self.channel_layer.group_add(QUEUE_GROUP, self.channel_name)
        self.arm_watchdog(settings.CHAT_IDLE_SECONDS)

    async def let_go(self) -> str:
        """This connection no longer speaks for its chat (whose id it returns)."""
        chat_id, self.chat_id = self.chat_id, ""
        await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
        await self.channel_layer.group_discard(chat_group(chat_id), self.channel_name)
        return chat_id

    async def step_away(self) -> None:
        chat_id = await self.let_go()
        mark = secrets.token_hex(8)
        if settings.CHAT_RESUME_SECONDS <= 0 or not await queue.step_away(chat_id, mark):
            await end_chat(self.channel_layer, chat_id, "writer_left")
            return
        await self.channel_layer.group_send(
            chat_group(chat_id),
            {"type": "chat.event", "event": {"type": "away", "from": "writer", "chat": chat_id}},
        )
        task = asyncio.ensure_future(end_unless_back(self.channel_layer, chat_id, mark))
        _AWAITING_RETURN.add(task)
        task.add_done_callback(_AWAITING_RETURN.discard)

    async def on_message(self, frame):
        text = clean(MessageForm, frame)["text"]
        chat = await queue.live_chat(self.chat_id) if self.chat_id else {}
        if chat.get("state") != "active":
            raise BadFrame("not_active")
        if await queue.over_limit("message", self.digest, settings.CHAT_MESSAGES_PER_MINUTE, 60):
            raise BadFrame("rate_limited")
        self.last_activity = time.time()
        await self.channel_layer.group_send(
            chat_group(self.chat_id),
            {
                "type": "chat.event",
                "event": {"type": "message", "from": "writer", "text": text, "chat": self.chat_id},
            },
        )

    async def on_end(self, frame):
        if not self.chat_id:
            raise BadFrame("not_started")
        await self.finish("writer_left")

    async def finish(self, reason: str) -> None:
        chat_id, self.chat_id = self.chat_id, ""
        await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
        await end_chat(self.channel_layer, chat_id, reason)
        await self.channel_layer.group_discard(chat_group(chat_id), self.channel_name)

    def arm_watchdog(self, seconds: float) -> None:
        """End the chat after the idle limit. Every message either way passes through this
        consumer, so it keeps the time itself: no store read per writer and minute. A
        timer, not a task: a few hundred bytes less for every open chat."""
        self.watchdog = asyncio.get_running_loop().call_later(seconds, self.check_idle)

    def check_idle(self) -> None:
        self.watchdog = None
        if not self.chat_id:
            return
        left = self.last_activity + settings.CHAT_IDLE_SECONDS - time.time()
        if left > 0:
            self.arm_watchdog(left + 0.05)
            return
        self.ending = asyncio.ensure_future(self.end_idle())

    async def end_idle(self) -> None:
        await self.send_frame({"type": "ended", "reason": "idle"})
        await self.finish("idle")

    async def show_place(self, snapshot: queue.Snapshot) -> None:
        """Tell the writer their place, when it (or the wait) moved: a newcomer at the
        back of the queue moves nobody's."""
        if snapshot.version <= self.seen_version:
            return
        self.seen_version = snapshot.version
        place = snapshot.place(self.chat_id)
        if place is None:
            return
        shown = (place, snapshot.wait_minutes(place))
        if shown != self.shown:
            self.shown = shown
            await self.send_frame({"type": "queued", "position": place, "wait_minutes": shown[1]})

    # Events from the channel layer.

    async def queue_changed(self, event):
        if self.chat_id:
            await self.show_place(queue.Snapshot.from_event(event))

    async def chat_event(self, event):
        frame = event["event"]
        if frame["type"] == "replaced":
            await self.let_go()  # the chat lives on in the new connection
            if self.watchdog is not None:
                self.watchdog.cancel()
            await self.close()
            return
        if frame.get("from") == "writer":
            return  # the page shows what it sent itself
        self.last_activity = time.time()
        if frame["type"] == "accepted":
            await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
        if frame["type"] == "requeued":
            # The operator's announcement may have passed before this joined the group.
            await self.channel_layer.group_add(QUEUE_GROUP, self.channel_name)
            self.shown = None
            await self.show_place(await queue.snapshot())
            return
        if frame["type"] == "ended":
            self.chat_id = ""
            await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
        await self.send_frame({k: v for k, v in frame.items() if k != "chat"})


async def end_unless_back(layer, chat_id: str, mark: str) -> None:
    """End the chat as left unless its writer came back (on any process) in time."""
    await asyncio.sleep(settings.CHAT_RESUME_SECONDS)
    if (await queue.get_chat(chat_id)).get("away") == mark:
        await end_chat(layer, chat_id, "writer_left")


async def leave(layer, chat_id: str, secret: str) -> bool:
    """The writer's page left (quick exit, closed) while it had no connection to say so:
    end the chat now rather than after the wait for a return that will not come. The
    resume secret is the credential; False if it names no open chat."""
    if not await queue.with_secret(chat_id, secret):
        return False
    return await end_chat(layer, chat_id, "writer_left")


async def end_chat(layer, chat_id: str, reason: str) -> bool:
    """End ``chat_id`` for both sides; False if it had already ended."""
    if not chat_id:
        return False
    chat = await queue.end(chat_id)
    if not chat:
        return False
    await layer.group_send(
        chat_group(chat_id),
        {"type": "chat.event", "event": {"type": "ended", "reason": reason, "chat": chat_id}},
    )
    await announce(layer)
    # No log line: one stamped to the second, naming a quick exit, would be finer than
    # the call record the chat becomes.
    return True


class OperatorConsumer(FrameConsumer):
    allowed = OPERATOR_TYPES
    user_id: int = 0
    colleague_ids: list[int] | None = None
    colleague_names: list[dict[str, object]] = []
    held_count = 0
    session_checked = float("-inf")
    snapshot: queue.Snapshot | None = None
    last_queue_frame: dict | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(_may_take_chats)(self.scope):
            await self.close(code=FORBIDDEN)
            return
        self.user_id = user.pk
        self.session_checked = time.monotonic()
        await self.accept()
        await self.channel_layer.group_add(QUEUE_GROUP, self.channel_name)
        await self.channel_layer.group_add(operator_group(self.user_id), self.channel_name)
        # A reloaded desk page picks its chats up again.
        for chat_id in await queue.held(self.user_id):
            await self.attach(chat_id)
        await self.send_frame({"type": "available", "on": await queue.is_available(self.user_id)})
        await self.refresh_held()
        await self.send_queue(await queue.snapshot())

    async def disconnect(self, code):
        # The operator's chats stay theirs across a page reload; only the queue forgets
        # them as available until they opt in again.
        if self.user_id:
            await queue.set_available(self.user_id, False)
            await announce(self.channel_layer)

    async def receive(self, text_data=None, bytes_data=None):
        # The session as it is now, not as it was when the socket opened: signed out,
        # expired or no longer an operator ends the socket before the frame is read.
        # Read at most every SESSION_RECHECK_SECONDS: database calls share one thread,
        # and a query before every message of 100 operators slowed them all.
        if time.monotonic() - self.session_checked >= SESSION_RECHECK_SECONDS:
            if not await database_sync_to_async(_still_may_take_chats)(self.scope):
                await self.close(code=FORBIDDEN)
                return
            self.session_checked = time.monotonic()
        await super().receive(text_data, bytes_data)

    async def holding(self, chat_id: str) -> dict[str, str]:
        chat = await queue.live_chat(chat_id)
        if chat.get("state") != "active" or chat.get("operator") != str(self.user_id):
            raise BadFrame("not_yours", "chat")
        return chat

    async def on_available(self, frame):
        on = clean(AvailableForm, frame)["on"]
        await queue.set_available(self.user_id, on)
        await self.send_frame({"type": "available", "on": on})
        await announce(self.channel_layer)

    async def on_accept(self, frame):
        if not await queue.is_available(self.user_id):
            raise BadFrame("not_available")
        if len(await queue.held(self.user_id)) >= settings.CHAT_MAX_CONCURRENT:
            raise BadFrame("at_capacity")
        chat_id = await queue.take_next(self.user_id)
        if chat_id is None:
            raise BadFrame("queue_empty")
        chat = await queue.get_chat(chat_id)
        call = await database_sync_to_async(start_chat_call)(
            self.scope["user"], chat.get("age_group", "")
        )
        if call is None:
            await queue.back_to_queue(chat_id, self.user_id)
            raise BadFrame("no_site")
        await queue.assign(chat_id, self.user_id, str(call.pk))
        await self.attach(chat_id)
        await self.refresh_held()
        await self.channel_layer.group_send(
            chat_group(chat_id), {"type": "chat.event", "event": {"type": "accepted"}}
        )
        await announce(self.channel_layer)

    async def attach(self, chat_id: str) -> None:
        chat = await queue.get_chat(chat_id)
        if chat.get("state") != "active":
            return
        await self.channel_layer.group_add(chat_group(chat_id), self.channel_name)
        await self.send_frame(
            {
                "type": "chat",
                "chat": chat_id,
                "language": chat.get("language", ""),
                "age_group": chat.get("age_group", ""),
                "safe": chat.get("safe", ""),
                "away": bool(chat.get("away")),
            }
        )

    async def reaching(self, chat_id: str) -> dict[str, str]:
        """A chat of this operator's whose writer is here to read what is sent: nothing is
        kept for a writer who stepped away, so nothing is sent while they are."""
        chat = await self.holding(chat_id)
        if chat.get("away"):
            raise BadFrame("writer_away", "chat")
        return chat

    async def on_message(self, frame):
        data = clean(OperatorMessageForm, frame)
        await self.reaching(data["chat"])
        await self.channel_layer.group_send(
            chat_group(data["chat"]),
            {
                "type": "chat.event",
                "event": {
                    "type": "message",
                    "from": "operator",
                    "text": data["text"],
                    "chat": data["chat"],
                },
            },
        )

    async def on_service(self, frame):
        data = clean(ServiceForm, frame)
        chat = await self.reaching(data["chat"])
        payload = await database_sync_to_async(public_service)(data["service"])
        if payload is None:
            raise BadFrame("invalid", "service")
        if chat.get("call"):
            await database_sync_to_async(add_chat_referral)(chat["call"], data["service"])
        await self.channel_layer.group_send(
            chat_group(data["chat"]),
            {
                "type": "chat.event",
                "event": {"type": "service", "service": payload, "chat": data["chat"]},
            },
        )

    async def on_transfer(self, frame):
        data = clean(TransferForm, frame)
        chat_id = data["chat"]
        chat = await self.holding(chat_id)
        if data["to"] == "queue":
            await queue.back_to_queue(chat_id, self.user_id)
            await self.channel_layer.group_discard(chat_group(chat_id), self.channel_name)
            await self.channel_layer.group_send(
                chat_group(chat_id), {"type": "chat.event", "event": {"type": "requeued"}}
            )
            await self.refresh_held()
            await announce(self.channel_layer)
        else:
            target = int(data["to"])
            if (
                target == self.user_id
                or not await queue.is_available(target)
                or len(await queue.held(target)) >= settings.CHAT_MAX_CONCURRENT
            ):
                raise BadFrame("operator_unavailable", "to")
            await queue.release(chat_id, self.user_id)
            await queue.assign(chat_id, target, chat.get("call"))
            await self.channel_layer.group_discard(chat_group(chat_id), self.channel_name)
            await self.channel_layer.group_send(
                operator_group(target), {"type": "chat.assigned", "chat": chat_id}
            )
            await self.refresh_held()
            await self.send_queue()
        await self.send_frame({"type": "transferred", "chat": chat_id, "to": data["to"]})

    async def on_end(self, frame):
        chat_id = clean(ChatIdForm, frame)["chat"]
        await self.holding(chat_id)
        await end_chat(self.channel_layer, chat_id, "operator_ended")

    async def on_block(self, frame):
        chat_id = clean(ChatIdForm, frame)["chat"]
        chat = await self.holding(chat_id)
        if chat.get("address"):
            await queue.block(chat["address"])
        await end_chat(self.channel_layer, chat_id, "blocked")

    async def refresh_held(self) -> None:
        """How many chats this operator holds: read when one of theirs changes hands or
        ends, not on every change of the queue."""
        self.held_count = len(await queue.held(self.user_id))

    async def send_queue(self, snapshot: queue.Snapshot | None = None) -> None:
        """The queue as the newest snapshot shows it, unless this desk was told already."""
        if snapshot is not None:
            if self.snapshot is not None and snapshot.version <= self.snapshot.version:
                return
            self.snapshot = snapshot
        if self.snapshot is None:
            return
        state = self.snapshot.state()
        frame = {
            "type": "queue",
            "waiting": state.waiting,
            "longest_wait_seconds": state.longest_wait_seconds,
            "held": self.held_count,
            "max": settings.CHAT_MAX_CONCURRENT,
            "operators": await self.colleagues(self.snapshot.operators),
        }
        if frame != self.last_queue_frame:
            self.last_queue_frame = frame
            await self.send_frame(frame)

    async def colleagues(self, available: list[int]) -> list[dict[str, object]]:
        """Whom a chat can be transferred to: the others taking chats now. Names are read
        again only when that set changes, not on every change of the queue."""
        ids = [uid for uid in available if uid != self.user_id]
        if ids != self.colleague_ids:
            self.colleague_ids = ids
            self.colleague_names = await database_sync_to_async(_names)(ids)
        return self.colleague_names

    # Events from the channel layer.

    async def queue_changed(self, event):
        await self.send_queue(queue.Snapshot.from_event(event))

    async def chat_assigned(self, event):
        await self.attach(event["chat"])
        await self.refresh_held()
        await self.send_queue()

    async def chat_event(self, event):
        frame = dict(event["event"])
        if frame.get("from") == "operator":
            return  # the desk shows what it sent itself
        if frame["type"] in ("accepted", "requeued", "replaced"):
            return
        chat_id = frame.get("chat") or ""
        if frame["type"] == "ended":
            await self.channel_layer.group_discard(chat_group(chat_id), self.channel_name)
            frame["record"] = True
        await self.send_frame(frame)
        if frame["type"] == "ended":
            await self.refresh_held()
            await self.send_queue()


def _names(user_ids: list[int]) -> list[dict[str, object]]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")
    return [{"id": user.pk, "name": user.get_username()} for user in users]


def _may_take_chats(scope) -> bool:
    return _operator_session(scope["user"], scope["session"])


def _operator_session(user, session) -> bool:
    """An operator, signed in with both factors when the site asks for two, in a session
    neither idle nor too old by the desk's own clocks."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    if not user.is_authenticated or Role.OPERATOR not in user_roles(user):
        return False
    if lapsed(session, int(time.time())):
        return False
    if not settings.REQUIRE_2FA:
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk


def _still_may_take_chats(scope) -> bool:
    """The same, on the session and user read again (a session signed out or expired
    since loads empty). Asked when the operator sends a frame, which is activity: it
    restarts the session's idle clock as a page request does, so an operator who only
    chats is not signed out at their next search."""
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.base import UpdateError

    session = import_module(settings.SESSION_ENGINE).SessionStore(scope["session"].session_key)
    user = get_user_model().objects.filter(pk=scope["user"].pk, is_active=True).first()
    if user is None or session.get(SESSION_KEY) != str(user.pk):
        return False
    if not _operator_session(user, session):
        return False
    if touch(session, int(time.time())):
        try:
            session.save()
        except UpdateError:  # signed out in the moment between
            return False
    return True
