"""The chat page's beacon (POST /chat/leave/): a quick exit or a closed page while the
connection is down ends the chat at once, not after the wait for a return. The resume
token is the only credential; the answer is the same whether it named a chat or not."""

import logging

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from django.urls import reverse

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
    pytest.mark.usefixtures("fresh_chat_store", "long_wait_for_a_return"),
]
LEAVE = reverse("chat:leave")


@pytest.fixture
def long_wait_for_a_return(settings):
    # Far longer than any test: an end seen here is the beacon's.
    settings.CHAT_RESUME_SECONDS = 600


async def beacon(token: str):
    # As navigator.sendBeacon sends it: a form body, no CSRF token, no cookie.
    return await AsyncClient(enforce_csrf_checks=True).post(LEAVE, {"token": token})


def test_leaving_while_away_ends_a_held_chat_at_once(chat_desk, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        operator, token, chat_id = await held_and_dropped(chat_desk)
        response = await beacon(token)
        assert response.status_code == 204
        assert response.content == b""
        assert not response.cookies
        ended = await frame_of(operator, "ended")
        assert ended == {"type": "ended", "reason": "writer_left", "chat": chat_id, "record": True}
        # The secret is spent: the page cannot come back to the chat it left.
        late = await come_back(token)
        assert (await frame_of(late, "error"))["reason"] == "cannot_resume"
        await late.disconnect()
        await operator.disconnect()
        return token

    token = async_to_sync(scenario)()
    chat_id, _, secret = token.partition(".")
    assert not [r for r in caplog.records if chat_id in r.getMessage() or secret in r.getMessage()]


def test_leaving_from_the_queue_gives_the_place_to_the_next(chat_desk):
    async def scenario():
        first = await start_writer(address="198.51.100.1")
        token = (await frame_of(first, "resume_token"))["token"]
        await frame_of(first, "queued")
        second = await start_writer(address="198.51.100.2")
        assert (await frame_of(second, "queued"))["position"] == 2
        await first.disconnect()

        assert (await beacon(token)).status_code == 204
        assert (await frame_of(second, "queued"))["position"] == 1
        await second.disconnect()

    async_to_sync(scenario)()


def test_a_wrong_secret_ends_nothing_and_is_answered_the_same(chat_desk):
    async def scenario():
        operator, token, chat_id = await held_and_dropped(chat_desk)
        guessed = f"{chat_id}.{'A' * 32}"
        assert (await beacon(guessed)).status_code == 204
        assert (await beacon(f"{'B' * 24}.{'C' * 32}")).status_code == 204  # no such chat
        writer = await come_back(token)
        assert await frame_of(writer, "resumed") == {"type": "resumed", "state": "active"}
        await writer.send_json_to({"type": "message", "text": "Fortsatt her"})
        assert (await frame_of(operator, "message"))["text"] == "Fortsatt her"
        await writer.disconnect()
        await operator.disconnect()

    async_to_sync(scenario)()


def test_leaving_a_chat_that_already_ended_changes_nothing(chat_desk):
    async def scenario():
        operator = await operator_on(chat_desk)
        writer = await start_writer()
        token = (await frame_of(writer, "resume_token"))["token"]
        await accept(operator)
        await writer.send_json_to({"type": "end"})
        await frame_of(operator, "ended")
        assert (await beacon(token)).status_code == 204
        # No second "ended" for the chat_desk to record twice.
        while not await operator.receive_nothing(timeout=0.5):
            assert (await operator.receive_json_from())["type"] != "ended"
        await writer.disconnect()
        await operator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "no-dot-in-this-token-at-all",
        "short.secret",
        "a" * 20 + "." + "b" * 65,
        "a" * 20 + ".with space in it",
        "a" * 20 + "." + "b" * 20 + "\x00",
    ],
)
def test_a_malformed_token_is_refused_naming_the_field(token):
    response = Client(enforce_csrf_checks=True).post(LEAVE, {"token": token})
    assert response.status_code == 400
    assert response.content.decode().startswith("token: ")


def test_without_a_token_the_field_is_named():
    response = Client().post(LEAVE, {})
    assert response.status_code == 400
    assert response.content.decode().startswith("token: ")


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(method):
    assert getattr(Client(), method)(LEAVE).status_code == 405
