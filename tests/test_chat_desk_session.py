"""The operator's chat socket and the desk's session clocks: chatting is activity, and an
idle or too-old session loses the socket as it loses the desk."""

from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.urls import reverse
from django.utils import timezone

from tests.chat_helpers import chat_operator, frame_of, operator_on, operator_socket
from tests.factories import login_verified

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_chat_store"),
]


@pytest.fixture
def desk(client, settings, monkeypatch):
    """A signed-in operator with a five-minute idle timeout, on a clock moved by hand; the
    socket reads the session again at every frame."""
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    monkeypatch.setattr("hotline.chat.consumers.SESSION_RECHECK_SECONDS", 0)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login_verified(client, chat_operator())
        assert client.get(reverse("about")).status_code == 200
        yield client, clock


def signed_in(client) -> bool:
    return client.get(reverse("about")).status_code == 200


def test_an_operator_who_only_chats_stays_signed_in(desk):
    client, clock = desk

    async def scenario():
        socket = await operator_on(client)
        for _ in range(4):  # 16 minutes of chatting, no page request
            clock.shift(timedelta(minutes=4))
            await socket.send_json_to({"type": "available", "on": True})
            assert (await frame_of(socket, "available"))["on"] is True
        await socket.disconnect()

    async_to_sync(scenario)()
    clock.shift(timedelta(minutes=4))
    assert signed_in(client)


def test_an_idle_operator_loses_the_socket_at_the_next_frame_and_the_desk(desk):
    client, clock = desk

    async def scenario():
        socket = await operator_on(client)
        clock.shift(timedelta(minutes=5, seconds=1))
        await socket.send_json_to({"type": "available", "on": False})
        assert (await socket.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4004}

    async_to_sync(scenario)()
    assert not signed_in(client)


@pytest.mark.parametrize("past", ["idle", "lifetime"])
def test_a_lapsed_session_gets_no_socket(desk, settings, past):
    client, clock = desk
    if past == "lifetime":
        settings.SESSION_IDLE_TIMEOUT_MINUTES = 24 * 60
    clock.shift(
        timedelta(seconds=5 * 60 + 1 if past == "idle" else settings.SESSION_COOKIE_AGE + 1)
    )

    async def scenario():
        assert (await operator_socket(client).connect()) == (False, 4004)

    async_to_sync(scenario)()
