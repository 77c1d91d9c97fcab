"""Shared by the chat's tests: WebSocket clients for both sides on the real ASGI app."""

import json

from channels.testing import WebsocketCommunicator
from django.conf import settings

ORIGIN = (b"origin", b"http://testserver")


def writer_socket(address: str = "198.51.100.7") -> WebsocketCommunicator:
    from hotline.asgi import application

    socket = WebsocketCommunicator(application, "/ws/chat/", headers=[ORIGIN])
    socket.scope["client"] = (address, 50000)
    return socket


def operator_socket(client) -> WebsocketCommunicator:
    """The operator's socket with the session of a signed-in test ``client``."""
    from hotline.asgi import application

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return WebsocketCommunicator(
        application, "/ws/chat/desk/", headers=[ORIGIN, (b"cookie", cookie.encode())]
    )


async def frame_of(socket: WebsocketCommunicator, kind: str, timeout: float = 3, **match) -> dict:
    """The next frame of type ``kind`` (with the values in ``match``), skipping others:
    queue updates come and go."""
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def close_code(socket: WebsocketCommunicator) -> int | None:
    """The close code a writer's page sees when the server turns it away (None: refused
    at the handshake, which a browser shows only as 1006)."""
    connected, _ = await socket.connect()
    if not connected:
        return None
    output = await socket.receive_output(timeout=3)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def start_writer(address: str = "198.51.100.7", **choices) -> WebsocketCommunicator:
    socket = writer_socket(address)
    connected, code = await socket.connect()
    assert connected, code
    await socket.send_json_to({"type": "start", "language": "nb", "safe": "yes", **choices})
    return socket


async def operator_on(client) -> WebsocketCommunicator:
    socket = operator_socket(client)
    connected, code = await socket.connect()
    assert connected, code
    await frame_of(socket, "available")
    await socket.send_json_to({"type": "available", "on": True})
    assert (await frame_of(socket, "available"))["on"] is True
    return socket


async def accept(operator) -> str:
    await operator.send_json_to({"type": "accept"})
    return (await frame_of(operator, "chat"))["chat"]


async def come_back(token: str, address: str = "203.0.113.9") -> WebsocketCommunicator:
    """A new connection (another network, so another address) resuming with ``token``."""
    socket = writer_socket(address)
    connected, code = await socket.connect()
    assert connected, code
    await socket.send_json_to({"type": "resume", "token": token})
    return socket


async def held_and_dropped(client) -> tuple[WebsocketCommunicator, str, str]:
    """A chat the operator signed in on ``client`` holds, whose writer's connection just
    dropped: the operator's socket, the page's resume token and the chat's id."""
    operator = await operator_on(client)
    writer = await start_writer()
    token = (await frame_of(writer, "resume_token"))["token"]
    chat_id = await accept(operator)
    await writer.disconnect()
    await frame_of(operator, "away")
    return operator, token, chat_id


def send_raw(socket: WebsocketCommunicator, data) -> object:
    return socket.send_to(text_data=data if isinstance(data, str) else json.dumps(data))


def chat_operator(username: str = "operator"):
    """An operator with a site. Its group is made again if a transactional test's flush
    took the role groups (made by a data migration) away."""
    from django.contrib.auth.models import Group

    from hotline.accounts.roles import Role
    from tests.factories import make_site, make_user

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    user = make_user(Role.OPERATOR, username=username)
    make_site(f"Chatsenter {username}", user)
    return user
