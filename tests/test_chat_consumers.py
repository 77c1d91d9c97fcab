"""The chat's WebSocket protocol, both ends, on the real ASGI application (in-memory layer)."""

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.calls.models import Call
from tests.chat_helpers import (
    accept,
    chat_operator,
    close_code,
    frame_of,
    operator_on,
    operator_socket,
    start_writer,
    writer_socket,
)
from tests.factories import add_location, add_phone, login_verified, make_service, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_chat_store"),
]


@pytest.fixture
def operator(db):
    return chat_operator()


@pytest.fixture
def desk(client, operator):
    return login_verified(client, operator)


def run(scenario):
    async_to_sync(scenario)()


def test_a_writer_queues_and_an_operator_takes_the_chat(desk):
    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer(age_group="18_24")
        queued = await frame_of(writer, "queued")
        assert queued["position"] == 1 and queued["wait_minutes"] >= 1
        assert (await frame_of(operator, "queue", waiting=1))["longest_wait_seconds"] >= 0
        await operator.send_json_to({"type": "accept"})
        chat = await frame_of(operator, "chat")
        assert chat["language"] == "nb" and chat["age_group"] == "18_24"
        await frame_of(writer, "accepted")
        await writer.send_json_to({"type": "message", "text": "Hei, er dere der?"})
        got = await frame_of(operator, "message")
        assert got == {
            "type": "message",
            "from": "writer",
            "text": "Hei, er dere der?",
            "chat": chat["chat"],
        }
        await operator.send_json_to(
            {"type": "message", "chat": chat["chat"], "text": "Ja, jeg er her."}
        )
        assert (await frame_of(writer, "message"))["text"] == "Ja, jeg er her."
        await writer.disconnect()
        await operator.disconnect()

    run(scenario)
    call = Call.objects.get()
    assert call.channel == Call.Channel.CHAT and call.age_group == "18_24"
    assert call.operator is None


def test_the_second_writer_is_second_in_line_and_moves_up(desk):
    async def scenario():
        first = await start_writer("198.51.100.1")
        await frame_of(first, "queued")
        second = await start_writer("198.51.100.2")
        assert (await frame_of(second, "queued"))["position"] == 2
        await first.send_json_to({"type": "end"})
        assert (await frame_of(second, "queued", position=1))["wait_minutes"] >= 1
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_a_newcomer_at_the_back_moves_nobody_and_sends_them_nothing(desk):
    async def scenario():
        first = await start_writer("198.51.100.1")
        assert (await frame_of(first, "queued"))["position"] == 1
        second = await start_writer("198.51.100.2")
        assert (await frame_of(second, "queued"))["position"] == 2
        # The first writer's place and wait did not move: no frame for them.
        assert await first.receive_nothing(timeout=0.3)
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_an_older_queue_snapshot_arriving_late_is_ignored(desk):
    from channels.layers import get_channel_layer

    from hotline.chat.consumers import QUEUE_GROUP
    from hotline.chat.queue import Snapshot

    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        await frame_of(operator, "queue", waiting=1)
        # A snapshot taken before this writer came (three others then waiting), delivered
        # late, as two processes' announcements can cross: ignored.
        stale = Snapshot(version=1, waiting=["a", "b", "c"], oldest=None, operators=[])
        await get_channel_layer().group_send(QUEUE_GROUP, stale.event())
        assert await operator.receive_nothing(timeout=0.3)
        # A newer one is shown.
        newer = Snapshot(version=10**9, waiting=["a", "b"], oldest=None, operators=[])
        await get_channel_layer().group_send(QUEUE_GROUP, newer.event())
        assert (await frame_of(operator, "queue"))["waiting"] == 2
        await writer.disconnect()
        await operator.disconnect()

    run(scenario)


def test_send_a_service_gives_its_public_details_only(desk):
    service = make_service("Krisesenteret i Testby", operator_note="Ring bakdøren")
    add_phone(service, "22 33 44 55")
    add_location(service, "1804", confidential=True)

    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        chat_id = await accept(operator)
        await operator.send_json_to({"type": "service", "chat": chat_id, "service": service.pk})
        sent = (await frame_of(writer, "service"))["service"]
        assert sent["name"] == "Krisesenteret i Testby"
        assert sent["phones"] == ["22 33 44 55"]
        assert "Storgata" not in str(sent) and "bakdøren" not in str(sent)
        assert sent["addresses"] == []
        await operator.send_json_to({"type": "service", "chat": chat_id, "service": 999999})
        assert (await frame_of(operator, "error")) == {
            "type": "error",
            "reason": "invalid",
            "field": "service",
        }
        await writer.disconnect()
        await operator.disconnect()

    run(scenario)
    assert list(Call.objects.get().referrals.all()) == [service]


def test_transfer_back_to_the_queue_and_to_another_operator(desk, operator):
    from django.test import Client

    other = chat_operator("other")
    other_client = login_verified(Client(), other)
    operator_id = str(operator.pk)

    async def scenario():
        operator = await operator_on(desk)
        colleague = await operator_on(other_client)
        writer = await start_writer()
        chat_id = await accept(operator)
        await frame_of(writer, "accepted")
        await operator.send_json_to({"type": "transfer", "chat": chat_id, "to": "queue"})
        assert (await frame_of(operator, "transferred"))["to"] == "queue"
        assert (await frame_of(writer, "queued"))["position"] == 1
        assert await accept(colleague) == chat_id
        await frame_of(writer, "accepted")
        await colleague.send_json_to({"type": "transfer", "chat": chat_id, "to": operator_id})
        assert (await frame_of(operator, "chat"))["chat"] == chat_id
        await writer.send_json_to({"type": "message", "text": "Fortsatt her"})
        assert (await frame_of(operator, "message"))["text"] == "Fortsatt her"
        # The colleague let go of it: writing to it is refused.
        await colleague.send_json_to({"type": "message", "chat": chat_id, "text": "x"})
        assert (await frame_of(colleague, "error"))["reason"] == "not_yours"
        for socket in (writer, operator, colleague):
            await socket.disconnect()

    run(scenario)


def test_the_operator_ends_the_chat_and_the_writer_sees_it(desk):
    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        chat_id = await accept(operator)
        await operator.send_json_to({"type": "end", "chat": chat_id})
        assert (await frame_of(writer, "ended"))["reason"] == "operator_ended"
        ended = await frame_of(operator, "ended")
        assert ended["chat"] == chat_id and ended["record"] is True
        await writer.send_json_to({"type": "message", "text": "hallo?"})
        assert (await frame_of(writer, "error"))["reason"] == "not_active"
        await writer.disconnect()
        await operator.disconnect()

    run(scenario)


def test_a_blocked_address_cannot_chat_again(desk):
    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer("203.0.113.9")
        chat_id = await accept(operator)
        await operator.send_json_to({"type": "block", "chat": chat_id})
        assert (await frame_of(writer, "ended"))["reason"] == "blocked"
        await writer.disconnect()
        assert await close_code(writer_socket("203.0.113.9")) == 4002
        elsewhere = writer_socket("203.0.113.10")
        assert (await elsewhere.connect())[0] is True
        await elsewhere.disconnect()
        await operator.disconnect()

    run(scenario)


def test_one_chat_at_a_time_per_address(desk):
    async def scenario():
        first = await start_writer("192.0.2.5")
        assert await close_code(writer_socket("192.0.2.5")) == 4003
        await first.disconnect()
        third = writer_socket("192.0.2.5")
        assert (await third.connect())[0] is True
        await third.disconnect()

    run(scenario)


def test_quick_exit_ends_the_chat_on_the_server(desk):
    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        chat_id = await accept(operator)
        # Quick exit says "end", then replaces the page (static/js/chat.js).
        await writer.send_json_to({"type": "end"})
        await writer.disconnect()
        ended = await frame_of(operator, "ended")
        assert ended == {"type": "ended", "reason": "writer_left", "chat": chat_id, "record": True}
        await operator.disconnect()

    run(scenario)


def test_an_idle_chat_ends(desk, settings):
    settings.CHAT_IDLE_SECONDS = 1

    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        await accept(operator)
        assert (await frame_of(writer, "ended", timeout=5))["reason"] == "idle"
        assert (await frame_of(operator, "ended", timeout=5))["reason"] == "idle"
        await writer.disconnect()
        await operator.disconnect()

    run(scenario)


def test_at_most_the_configured_number_of_chats_at_once(desk, settings):
    settings.CHAT_MAX_CONCURRENT = 1
    settings.CHAT_CHATS_PER_ADDRESS = 5

    async def scenario():
        operator = await operator_on(desk)
        one = await start_writer()
        two = await start_writer()
        await accept(operator)
        await operator.send_json_to({"type": "accept"})
        assert (await frame_of(operator, "error"))["reason"] == "at_capacity"
        for socket in (one, two, operator):
            await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01", "binary"),
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('{"text": "no type"}', "malformed"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "start", "language": "xx", "safe": "yes"}', "invalid"),
        ('{"type": "message", "text": "not yet"}', "not_active"),
        ('{"type": "end"}', "not_started"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(desk, data, reason):
    async def scenario():
        writer = writer_socket()
        await writer.connect()
        if isinstance(data, bytes):
            await writer.send_to(bytes_data=data)
        else:
            await writer.send_to(text_data=data)
        assert (await frame_of(writer, "error"))["reason"] == reason
        # Still alive: a good frame works after the bad one.
        await writer.send_json_to({"type": "start", "language": "en", "safe": "unsure"})
        await frame_of(writer, "queued")
        await writer.disconnect()

    run(scenario)


def test_oversize_frames_and_messages_are_refused(desk, settings):
    settings.CHAT_MAX_MESSAGE_LENGTH = 100

    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        await accept(operator)
        await writer.send_json_to({"type": "message", "text": "x" * 101})
        assert (await frame_of(writer, "error")) == {
            "type": "error",
            "reason": "too_long",
            "field": "text",
        }
        await writer.send_to(text_data='{"type": "message", "text": "' + "y" * 5000 + '"}')
        assert (await frame_of(writer, "error"))["reason"] == "too_large"
        await operator.send_json_to({"type": "message", "chat": "short", "text": "x"})
        assert (await frame_of(operator, "error"))["field"] == "chat"
        await operator.send_to(text_data='{"type": "quit"}')
        assert (await frame_of(operator, "error"))["reason"] == "unknown_type"
        await writer.disconnect()
        await operator.disconnect()

    run(scenario)


def test_only_signed_in_operators_get_the_desk_socket(client):
    chat_operator()
    login_verified(client, make_user(Role.EDITOR, username="editor"))

    async def scenario():
        assert (await operator_socket(client).connect()) == (False, 4004)

    run(scenario)


@pytest.mark.parametrize(
    "lose",
    [
        pytest.param(lambda client, operator: client.logout(), id="signed-out"),
        pytest.param(lambda client, operator: operator.groups.clear(), id="operator-role-lost"),
    ],
)
def test_an_open_desk_socket_ends_at_its_next_frame_once_it_may_no_longer_take_chats(
    client, operator, monkeypatch, lose
):
    from channels.db import database_sync_to_async

    monkeypatch.setattr("hotline.chat.consumers.SESSION_RECHECK_SECONDS", 0)

    login_verified(client, operator)

    async def scenario():
        socket = await operator_on(client)
        await database_sync_to_async(lose)(client, operator)
        await socket.send_json_to({"type": "available", "on": True})
        assert (await socket.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4004}

    run(scenario)


def test_a_foreign_origin_is_refused():
    from channels.testing import WebsocketCommunicator

    from hotline.asgi import application

    async def scenario():
        socket = WebsocketCommunicator(
            application, "/ws/chat/", headers=[(b"origin", b"https://evil.example")]
        )
        assert (await socket.connect())[0] is False

    run(scenario)


def test_the_chat_is_closed_outside_its_hours(settings):
    settings.CHAT_HOURS = "03:00-03:01"

    async def scenario():
        assert await close_code(writer_socket()) == 4001

    from datetime import datetime
    from zoneinfo import ZoneInfo

    if datetime.now(ZoneInfo("Europe/Oslo")).strftime("%H:%M") == "03:00":
        pytest.skip("run inside the one open minute")
    run(scenario)


def test_new_chats_per_address_are_limited_per_hour(settings):
    settings.CHAT_STARTS_PER_HOUR = 2

    async def scenario():
        for _ in range(2):
            writer = await start_writer("192.0.2.77")
            await frame_of(writer, "queued")
            await writer.send_json_to({"type": "end"})
            await frame_of(writer, "ended")
            await writer.disconnect()
        third = await start_writer("192.0.2.77")
        assert (await third.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4003}
        # Coming back to a chat is no new chat, and another address is not limited.
        other = await start_writer("192.0.2.78")
        await frame_of(other, "queued")
        await other.disconnect()

    # The counts go by the clock's hour and minute: a frozen clock never crosses one.
    with time_machine.travel(timezone.now(), tick=False):
        run(scenario)


def test_messages_per_address_are_limited_per_minute(desk, settings):
    settings.CHAT_MESSAGES_PER_MINUTE = 3

    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer()
        await accept(operator)
        await frame_of(writer, "accepted")
        for n in range(3):
            await writer.send_json_to({"type": "message", "text": f"m{n}"})
            assert (await frame_of(operator, "message"))["text"] == f"m{n}"
        await writer.send_json_to({"type": "message", "text": "one too many"})
        assert (await frame_of(writer, "error"))["reason"] == "rate_limited"
        await writer.disconnect()
        await operator.disconnect()

    with time_machine.travel(timezone.now(), tick=False):
        run(scenario)
