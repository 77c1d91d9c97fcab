"""A writer whose connection drops comes back to the same chat from the same page, with
the secret the page holds in memory; without it, or too late, the chat ends."""

import pytest
from asgiref.sync import async_to_sync

from tests.chat_helpers import (
    accept,
    come_back,
    frame_of,
    held_and_dropped,
    operator_on,
    start_writer,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_chat_store"),
]


def test_a_dropped_writer_comes_back_to_the_same_chat(chat_desk):
    async def scenario():
        operator = await operator_on(chat_desk)
        writer = await start_writer()
        token = (await frame_of(writer, "resume_token"))["token"]
        chat_id = await accept(operator)
        await frame_of(writer, "accepted")

        await writer.disconnect()  # no "end": the connection dropped
        assert await frame_of(operator, "away") == {
            "type": "away",
            "from": "writer",
            "chat": chat_id,
        }
        # Nothing is kept for an absent writer, so nothing can be sent to them.
        await operator.send_json_to({"type": "message", "chat": chat_id, "text": "Er du der?"})
        assert await frame_of(operator, "error") == {
            "type": "error",
            "reason": "writer_away",
            "field": "chat",
        }

        writer = await come_back(token)
        assert await frame_of(writer, "resumed") == {"type": "resumed", "state": "active"}
        assert (await frame_of(operator, "back"))["chat"] == chat_id
        await operator.send_json_to(
            {"type": "message", "chat": chat_id, "text": "Velkommen tilbake"}
        )
        assert (await frame_of(writer, "message"))["text"] == "Velkommen tilbake"
        await writer.send_json_to({"type": "message", "text": "Takk"})
        assert (await frame_of(operator, "message"))["text"] == "Takk"

        # A page that comes back while the server still holds its old connection (a
        # network switch, not yet noticed) takes over: the old one closes, the chat goes on.
        newer = await come_back(token, address="198.51.100.99")
        assert await frame_of(newer, "resumed") == {"type": "resumed", "state": "active"}
        assert (await writer.receive_output(timeout=3))["type"] == "websocket.close"
        await operator.send_json_to({"type": "message", "chat": chat_id, "text": "Her er jeg"})
        assert (await frame_of(newer, "message"))["text"] == "Her er jeg"
        await newer.send_json_to({"type": "end"})
        assert (await frame_of(operator, "ended"))["reason"] == "writer_left"
        await newer.disconnect()
        await writer.disconnect()
        await operator.disconnect()

    async_to_sync(scenario)()


def test_a_writer_in_the_queue_keeps_their_place_but_is_not_given_out_while_away(chat_desk):
    async def scenario():
        operator = await operator_on(chat_desk)
        first = await start_writer(address="198.51.100.1")
        token = (await frame_of(first, "resume_token"))["token"]
        await frame_of(first, "queued")
        second = await start_writer(address="198.51.100.2")
        assert (await frame_of(second, "queued"))["position"] == 2

        await first.disconnect()
        # While the first writer is away the next chat goes to the operator instead.
        await accept(operator)
        await frame_of(second, "accepted")
        first = await come_back(token)
        assert await frame_of(first, "resumed") == {"type": "resumed", "state": "waiting"}
        assert (await frame_of(first, "queued"))["position"] == 1
        await accept(operator)
        await frame_of(first, "accepted")
        for socket in (first, second, operator):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_writer_who_does_not_come_back_in_time_has_left(chat_desk, settings):
    settings.CHAT_RESUME_SECONDS = 0.3

    async def scenario():
        operator, token, chat_id = await held_and_dropped(chat_desk)
        ended = await frame_of(operator, "ended", timeout=5)
        assert ended == {"type": "ended", "reason": "writer_left", "chat": chat_id, "record": True}

        late = await come_back(token)
        assert (await frame_of(late, "error"))["reason"] == "cannot_resume"
        await late.disconnect()
        await operator.disconnect()

    async_to_sync(scenario)()


def test_without_a_resume_time_a_dropped_connection_ends_the_chat(chat_desk, settings):
    settings.CHAT_RESUME_SECONDS = 0

    async def scenario():
        operator = await operator_on(chat_desk)
        writer = await start_writer()
        await accept(operator)
        await writer.disconnect()
        assert (await frame_of(operator, "ended"))["reason"] == "writer_left"
        await operator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "AAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBB",  # no such chat
        "{chat}.BBBBBBBBBBBBBBBBBBBBBBBB",  # the right chat, the wrong secret
    ],
    ids=["malformed", "unknown-chat", "wrong-secret"],
)
def test_a_chat_cannot_be_resumed_without_its_secret(chat_desk, token):
    async def scenario():
        operator = await operator_on(chat_desk)
        writer = await start_writer()
        real = (await frame_of(writer, "resume_token"))["token"]
        await accept(operator)
        other = await come_back(token.format(chat=real.split(".")[0]))
        error = await frame_of(other, "error")
        assert error["reason"] == ("invalid" if token == "not a token" else "cannot_resume")
        # The writer who is there is untouched.
        await operator.send_json_to({"type": "message", "chat": real.split(".")[0], "text": "Hei"})
        assert (await frame_of(writer, "message"))["text"] == "Hei"
        for socket in (other, writer, operator):
            await socket.disconnect()

    async_to_sync(scenario)()
