"""What is written in a chat is never stored: after a whole chat, neither a full dump of
the database nor the captured log output holds a phrase sent in it."""

import logging
import os
import shutil
import subprocess
import uuid
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import connection

from hotline.calls.models import Call
from hotline.chat.store import reset_store
from tests.chat_helpers import accept, chat_operator, frame_of, operator_on, start_writer
from tests.factories import login_verified, make_service

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_no_phrase_of_a_chat_is_stored_or_logged(client, caplog):
    reset_store()
    writer_phrase = f"skriver-{uuid.uuid4().hex}"
    operator_phrase = f"operatør-{uuid.uuid4().hex}"
    desk = login_verified(client, chat_operator())
    service = make_service("Overgrepsmottaket")
    caplog.set_level(logging.DEBUG)
    chat_records: list[logging.LogRecord] = []
    chat_logger = logging.getLogger("hotline.chat")
    handler = logging.Handler(logging.DEBUG)
    handler.emit = chat_records.append  # type: ignore[method-assign]
    chat_logger.addHandler(handler)
    # Its own level: importing the ASGI app sets Django up again, which resets the root's.
    chat_logger.setLevel(logging.DEBUG)

    async def scenario():
        operator = await operator_on(desk)
        writer = await start_writer(age_group="16_17", language="en")
        chat_id = await accept(operator)
        await writer.send_json_to({"type": "message", "text": writer_phrase})
        assert (await frame_of(operator, "message"))["text"] == writer_phrase
        await operator.send_json_to({"type": "message", "chat": chat_id, "text": operator_phrase})
        assert (await frame_of(writer, "message"))["text"] == operator_phrase
        await operator.send_json_to({"type": "service", "chat": chat_id, "service": service.pk})
        await frame_of(writer, "service")
        # A bad frame quoting the phrase, too: refused without echoing it anywhere.
        await writer.send_to(text_data='{"type": "' + writer_phrase + '"}')
        await frame_of(writer, "error")
        await operator.send_json_to({"type": "end", "chat": chat_id})
        await frame_of(operator, "ended")
        await writer.disconnect()
        await operator.disconnect()

    try:
        async_to_sync(scenario)()
    finally:
        chat_logger.removeHandler(handler)
        chat_logger.setLevel(logging.NOTSET)
    reset_store()

    assert Call.objects.filter(channel=Call.Channel.CHAT).count() == 1
    dump = StringIO()
    call_command("dumpdata", format="json", stdout=dump)
    texts = [dump.getvalue(), caplog.text]
    if connection.vendor == "postgresql" and shutil.which("pg_dump"):
        settings_dict = connection.settings_dict
        texts.append(
            subprocess.run(  # noqa: S603
                [
                    shutil.which("pg_dump") or "pg_dump",
                    "--data-only",
                    "-h",
                    settings_dict["HOST"] or "127.0.0.1",
                    "-p",
                    str(settings_dict["PORT"] or 5432),
                    "-U",
                    settings_dict["USER"],
                    settings_dict["NAME"],
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""},
            ).stdout
        )
    assert '"calls.call"' in texts[0]  # the dump is real: the chat's call record is in it
    for text in texts:
        assert writer_phrase not in text
        assert operator_phrase not in text
    # Not even the chat's events are logged: a line stamped to the second (say, "ended by
    # quick exit") would be finer than the call record the chat becomes.
    assert [record.getMessage() for record in chat_records] == []
