"""The desk's side of the chat over HTTP: the panel on the desk page, recording a chat as
a call, and the supervisors' live counts."""

import pytest
from asgiref.sync import async_to_sync

from hotline.accounts.roles import Role
from hotline.calls.models import Call
from hotline.chat import queue
from hotline.guide.models import Article, Audience
from tests.factories import elements, login_verified, make_site, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_chat_store")]


def held_chat(operator, **facts) -> tuple[str, Call]:
    """A chat ``operator`` holds, with its open call record, as the consumer makes it."""
    from hotline.chat.records import start_chat_call

    call = start_chat_call(operator, "18_24")
    assert call is not None
    chat_id = queue.new_chat_id()
    async_to_sync(queue.enqueue)(chat_id, {"language": "nb", "address": "x" * 32})
    async_to_sync(queue.take_next)(operator.pk)
    async_to_sync(queue.assign)(chat_id, operator.pk, str(call.pk))
    return chat_id, call


def test_the_desk_has_the_chat_panel_with_the_ready_texts(operator_client, operator):
    audience = Audience.objects.get(code="chat")
    article = Article.objects.create(
        title="Chat: hilsen", body_nb="Hei!", body_en="Hello!", owner=operator, is_published=True
    )
    article.audiences.add(audience)
    draft = Article.objects.create(title="Utkast", body="x", owner=operator)
    draft.audiences.add(audience)
    html = operator_client.get("/desk/").content.decode()
    assert elements(html, "section", id="chat-desk")[0]["data-socket"] == "/ws/chat/desk/"
    assert elements(html, "script", src="/static/js/chat_desk.js")
    assert '"title": "Chat: hilsen"' in html and '"en": "Hello!"' in html
    assert '"se": "Hei!"' in html  # no Sámi text yet: bokmål
    assert "Utkast" not in html


def test_record_an_ended_chat_closes_its_call(operator_client, operator):
    make_site("Chatsenter", operator)
    chat_id, call = held_chat(operator)
    async_to_sync(queue.end)(chat_id)
    page = operator_client.get("/chat/desk/record/", {"chat": chat_id})
    assert page.status_code == 200
    assert elements(page.content.decode(), "input", name="chat")[0]["value"] == chat_id
    response = operator_client.post(
        "/chat/desk/record/",
        {
            "chat": chat_id,
            "channel": "chat",
            "caller_role": "utsatt",
            "outcome": "support_talk",
            "unmet_reason": "none",
            "age_group": "18_24",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/desk/"
    call.refresh_from_db()
    assert not call.is_open and call.channel == "chat" and call.caller_role == "utsatt"
    assert async_to_sync(queue.get_chat)(chat_id) == {}
    # Recorded once: the chat is gone now.
    assert operator_client.get("/chat/desk/record/", {"chat": chat_id}).status_code == 404


def test_record_refuses_a_missing_answer_naming_the_field(operator_client, operator):
    make_site("Chatsenter", operator)
    chat_id, call = held_chat(operator)
    response = operator_client.post("/chat/desk/record/", {"chat": chat_id, "channel": "chat"})
    assert response.status_code == 400
    assert "Hvem ringer" in response.content.decode() or "caller" in response.content.decode()
    call.refresh_from_db()
    assert call.is_open


def test_record_is_only_for_the_operator_who_held_the_chat(client, operator):
    make_site("Chatsenter", operator)
    chat_id, _call = held_chat(operator)
    other = make_user(Role.OPERATOR, username="annen")
    login_verified(client, other)
    assert client.get("/chat/desk/record/", {"chat": chat_id}).status_code == 404
    assert client.post("/chat/desk/record/", {"chat": chat_id}).status_code == 404


def test_record_with_a_bad_chat_id_is_a_400(operator_client):
    response = operator_client.get("/chat/desk/record/", {"chat": "<script>"})
    assert response.status_code == 400
    assert "Chat" in response.content.decode()
    assert operator_client.get("/chat/desk/record/").status_code == 400


def test_record_is_for_operators_only(supervisor_client):
    from django.test import Client

    assert supervisor_client.get("/chat/desk/record/", {"chat": "a" * 24}).status_code == 403
    assert Client().get("/chat/desk/record/").status_code == 302  # to the login page
    assert supervisor_client.put("/chat/desk/record/").status_code in (403, 405)


def test_supervisors_see_live_counts_only(supervisor_client, operator):
    make_site("Chatsenter", operator)
    held_chat(operator)
    async_to_sync(queue.enqueue)(queue.new_chat_id(), {"language": "en"})
    async_to_sync(queue.set_available)(operator.pk, True)
    response = supervisor_client.get("/chat/live/")
    assert response.status_code == 200
    html = response.content.decode()
    values = [
        v.strip() for v in html.split('id="chat-live"')[1].split("</dl>")[0].split("<dd>")[1:]
    ]
    assert [v.split("</dd>")[0] for v in values][:3] == ["1", "1", "1"]
    partial = supervisor_client.get("/chat/live/", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith("<dl")


def test_live_counts_are_for_supervisors(operator_client):
    assert operator_client.get("/chat/live/").status_code == 403
    assert operator_client.post("/chat/live/").status_code in (403, 405)
