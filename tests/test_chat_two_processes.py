"""The chat across two ASGI processes: the writer on one daphne, the operator on another,
the queue and the messages shared through Redis (CHAT_REDIS_URL)."""

import asyncio
import json
import os
import uuid

import pytest

from tests import servers
from tests.chat_servers import AsgiServer, make_chat_operator, session_cookie

pytestmark = pytest.mark.multiprocess


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    if not servers.redis_reachable():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is not reachable at {servers.TEST_REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {servers.TEST_REDIS_URL}")
    prefix = f"hotline-chat-test-{uuid.uuid4().hex[:12]}"
    with servers.own_database(tmp_path_factory.mktemp("chat2")) as database_url:
        env = servers.base_env(
            DATABASE_URL=database_url,
            REQUIRE_2FA="false",
            CHAT_REDIS_URL=servers.TEST_REDIS_URL,
            CHAT_KEY_PREFIX=prefix,
        )
        servers.manage(env, "migrate", "--verbosity", "0")
        make_chat_operator(env, "kari")
        started = [AsgiServer(env), AsgiServer(env)]
        try:
            for server in started:
                server.wait()
            yield started
        finally:
            for server in started:
                server.stop()
            servers.forget_keys(prefix)
            servers.forget_keys(f"{prefix}-asgi")


async def next_of(socket, kind: str, **match) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


def test_writer_and_operator_on_different_processes(two_servers):
    import websockets

    writer_host, desk_host = two_servers
    cookie = session_cookie(desk_host, "kari")

    async def scenario():
        origin = {"Origin": "http://127.0.0.1"}
        async with (
            websockets.connect(
                f"ws://127.0.0.1:{writer_host.port}/ws/chat/", additional_headers=origin
            ) as writer,
            websockets.connect(
                f"ws://127.0.0.1:{desk_host.port}/ws/chat/desk/",
                additional_headers={**origin, "Cookie": cookie},
            ) as desk,
        ):
            await next_of(desk, "available")
            await desk.send(json.dumps({"type": "available", "on": True}))
            await writer.send(json.dumps({"type": "start", "language": "se", "safe": "yes"}))
            assert (await next_of(writer, "queued"))["position"] == 1
            # The queue written by one process is seen by the other.
            await next_of(desk, "queue", waiting=1)
            await desk.send(json.dumps({"type": "accept"}))
            chat = await next_of(desk, "chat")
            assert chat["language"] == "se"
            await next_of(writer, "accepted")
            for number in range(20):
                await writer.send(json.dumps({"type": "message", "text": f"w{number}"}))
            got = [(await next_of(desk, "message"))["text"] for _ in range(20)]
            assert got == [f"w{number}" for number in range(20)]  # none lost, none reordered
            await desk.send(json.dumps({"type": "message", "chat": chat["chat"], "text": "hei"}))
            assert (await next_of(writer, "message"))["text"] == "hei"
            await desk.send(json.dumps({"type": "end", "chat": chat["chat"]}))
            assert (await next_of(writer, "ended"))["reason"] == "operator_ended"

    asyncio.run(scenario())


def test_a_quiet_chat_outlives_redis_read_timeouts(two_servers):
    """A writer waits in silence longer than redis-py's default read timeout (5 s), which
    once cut the layer's blocking receive and closed every quiet socket."""
    import websockets

    writer_host, desk_host = two_servers
    cookie = session_cookie(desk_host, "kari")

    async def scenario():
        origin = {"Origin": "http://127.0.0.1"}
        async with websockets.connect(
            f"ws://127.0.0.1:{writer_host.port}/ws/chat/", additional_headers=origin
        ) as writer:
            await writer.send(json.dumps({"type": "start", "language": "nb", "safe": "yes"}))
            await next_of(writer, "queued")
            await asyncio.sleep(7)
            async with websockets.connect(
                f"ws://127.0.0.1:{desk_host.port}/ws/chat/desk/",
                additional_headers={**origin, "Cookie": cookie},
            ) as desk:
                await next_of(desk, "available")
                await desk.send(json.dumps({"type": "available", "on": True}))
                await next_of(desk, "queue", waiting=1)
                await desk.send(json.dumps({"type": "accept"}))
                chat = await next_of(desk, "chat")
                await next_of(writer, "accepted")
                await writer.send(json.dumps({"type": "message", "text": "still here"}))
                assert (await next_of(desk, "message"))["text"] == "still here"
                await desk.send(json.dumps({"type": "end", "chat": chat["chat"]}))
                await next_of(writer, "ended")

    asyncio.run(scenario())


def test_a_dropped_writer_comes_back_through_the_other_process(two_servers):
    """The chat waits in Redis, not in the process that lost the writer: the page may
    reconnect to any process behind the proxy."""
    import websockets

    first_host, second_host = two_servers
    cookie = session_cookie(second_host, "kari")

    async def scenario():
        origin = {"Origin": "http://127.0.0.1"}
        async with websockets.connect(
            f"ws://127.0.0.1:{second_host.port}/ws/chat/desk/",
            additional_headers={**origin, "Cookie": cookie},
        ) as desk:
            await next_of(desk, "available")
            await desk.send(json.dumps({"type": "available", "on": True}))
            async with websockets.connect(
                f"ws://127.0.0.1:{first_host.port}/ws/chat/", additional_headers=origin
            ) as writer:
                await writer.send(json.dumps({"type": "start", "language": "nb", "safe": "yes"}))
                token = (await next_of(writer, "resume_token"))["token"]
                await next_of(desk, "queue", waiting=1)
                await desk.send(json.dumps({"type": "accept"}))
                chat = (await next_of(desk, "chat"))["chat"]
                await next_of(writer, "accepted")
            # The first process saw the writer go; the desk, on the second, is told.
            await next_of(desk, "away", chat=chat)
            async with websockets.connect(
                f"ws://127.0.0.1:{second_host.port}/ws/chat/", additional_headers=origin
            ) as writer:
                await writer.send(json.dumps({"type": "resume", "token": token}))
                assert (await next_of(writer, "resumed"))["state"] == "active"
                await next_of(desk, "back", chat=chat)
                await desk.send(json.dumps({"type": "message", "chat": chat, "text": "hei"}))
                assert (await next_of(writer, "message"))["text"] == "hei"
                await writer.send(json.dumps({"type": "end"}))
                assert (await next_of(desk, "ended", chat=chat))["reason"] == "writer_left"

    asyncio.run(scenario())
