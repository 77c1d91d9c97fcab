"""The services' confirmation e-mails (issue 24, part 1): review_reminders asks each
service whose review has come due, reminds it after 14 days, and the messages really
leave through SMTP."""

import re
import socket
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.test import Client

from services_directory.models import ConfirmationLink, Service
from tests.factories import make_confirming_service

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
NOON = datetime(2026, 11, 27, 12, tzinfo=OSLO)
TODAY = date(2026, 11, 27)
SITE = "https://desk.example.no"


@pytest.fixture(autouse=True)
def frozen_today(settings):
    settings.SITE_URL = SITE
    with time_machine.travel(NOON, tick=False):
        yield


def due(name: str, when: date | None, **fields) -> Service:
    service = make_confirming_service(name, **fields)
    service.next_review_due = when
    service.save()
    return service


def run() -> str:
    out = StringIO()
    call_command("review_reminders", stdout=out, stderr=StringIO())
    return out.getvalue()


def link_in(message) -> str:
    """The path and query of the one link in ``message``."""
    links = set(re.findall(r"https://desk\.example\.no(/confirm/\?key=[\w-]+)", message.body))
    assert len(links) == 1  # the same link in the bokmål and the English half
    return links.pop()


def test_services_due_for_review_are_asked_once(client):
    asked = due("Forfalt senter", TODAY - timedelta(days=1), contact_email="a@example.no")
    due("Ikke forfalt", TODAY + timedelta(days=10), contact_email="b@example.no")
    due("Uten adresse", TODAY - timedelta(days=1), contact_email="")
    due("Nedlagt", TODAY - timedelta(days=1), contact_email="c@example.no", status="inactive")
    out = run()
    assert "Asked 1 services to confirm their entry; reminded 0." in out
    assert [m.to for m in mail.outbox] == [["a@example.no"]]
    message = mail.outbox[0]
    assert message.subject == (
        "Stemmer oppføringen for Forfalt senter? / Is the entry for Forfalt senter correct?"
    )
    assert message.content_subtype == "plain"
    assert client.get(link_in(message)).status_code == 200
    link = ConfirmationLink.objects.get(service=asked)
    assert link.created_by is None  # sent by the command, not an editor
    run()
    assert len(mail.outbox) == 1  # once per review, not every night


def test_no_answer_after_14_days_sends_a_reminder_with_a_new_link():
    due("Forfalt senter", TODAY - timedelta(days=1))
    run()
    first = link_in(mail.outbox[0])
    expires = ConfirmationLink.objects.get().expires_at
    with time_machine.travel(NOON + timedelta(days=13), tick=False):
        run()
    assert len(mail.outbox) == 1
    with time_machine.travel(NOON + timedelta(days=14, minutes=1), tick=False):
        out = run()
        assert "reminded 1" in out
        reminder = mail.outbox[1]
        assert reminder.subject.startswith("Påminnelse: stemmer oppføringen for Forfalt senter?")
        client = Client()
        assert client.get(first).status_code == 404  # replaced
        assert client.get(link_in(reminder)).status_code == 200
        run()
    assert len(mail.outbox) == 2  # one reminder only
    assert ConfirmationLink.objects.get().expires_at == expires  # 30 days from the asking
    with time_machine.travel(NOON + timedelta(days=31), tick=False):
        run()
    assert len(mail.outbox) == 2  # "not confirmed" now waits for an editor


def test_an_answer_stops_the_reminder_and_the_next_review_asks_again():
    due("Forfalt senter", TODAY - timedelta(days=1))
    run()
    path = link_in(mail.outbox[0])
    client = Client()
    assert client.post(path.replace("/confirm/", "/confirm/all-correct/")).status_code == 302
    with time_machine.travel(NOON + timedelta(days=15), tick=False):
        run()
    assert len(mail.outbox) == 1
    next_review = Service.objects.get().next_review_due
    assert next_review == date(2027, 5, 27)
    with time_machine.travel(datetime(2027, 5, 28, 12, tzinfo=OSLO), tick=False):
        run()
    assert len(mail.outbox) == 2


def test_without_site_url_the_command_fails_loudly(settings):
    settings.SITE_URL = ""
    due("Forfalt senter", TODAY - timedelta(days=1))
    with pytest.raises(CommandError, match="SITE_URL"):
        run()
    assert not mail.outbox and not ConfirmationLink.objects.exists()


def test_a_failed_send_keeps_no_link_and_is_retried(monkeypatch):
    due("Forfalt senter", TODAY - timedelta(days=1))

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(CommandError, match="Forfalt senter"):
        run()
    assert not ConfirmationLink.objects.exists()
    monkeypatch.undo()
    run()
    assert len(mail.outbox) == 1


# A real SMTP server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def test_the_messages_leave_through_a_real_smtp_server(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
            }
        }
        settings.DEFAULT_FROM_EMAIL = "ikke-svar@hjelpetelefon.example.no"
        due("Forfalt senter", TODAY - timedelta(days=1), contact_email="post@senter.example.no")
        run()
    finally:
        controller.stop()
    assert mail.outbox == []  # it went by SMTP, not to the test outbox
    assert len(inbox.received) == 1
    envelope = inbox.received[0]
    assert envelope.rcpt_tos == ["post@senter.example.no"]
    assert envelope.mail_from == "ikke-svar@hjelpetelefon.example.no"
    body = envelope.content.decode()
    assert "https://desk.example.no/confirm/?key=" in body
