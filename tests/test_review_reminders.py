"""manage.py review_reminders: once a day, each editor gets the services to review."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command

from hotline.accounts.roles import Role
from services_directory import single_instance
from services_directory.models import Organization, ReviewReminder, Service
from tests.factories import make_service, make_user

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2026, 11, 27)
NOON = datetime(2026, 11, 27, 12, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOON, tick=False):
        yield


def due(name: str, when: date | None, **fields) -> Service:
    service = make_service(name, **fields)
    service.next_review_due = when
    service.save()
    return service


@pytest.fixture
def services():
    return {
        "overdue": due("Overdue & co", TODAY - timedelta(days=1)),
        "never": due("Never reviewed", None),
        "soon": due("Due soon", TODAY + timedelta(days=30)),
        "later": due("Due later", TODAY + timedelta(days=31)),
        "closed": due("Closed down", TODAY - timedelta(days=99), status=Service.Status.INACTIVE),
    }


@pytest.fixture
def editors():
    return {
        "kari": make_user(Role.EDITOR, username="kari", email="kari@example.no"),
        "no_email": make_user(Role.EDITOR, username="ola"),
        "inactive": make_user(
            Role.EDITOR, username="gone", email="gone@example.no", is_active=False
        ),
        "operator": make_user(Role.OPERATOR, username="op", email="op@example.no"),
    }


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("review_reminders", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_active_editor_with_an_address_gets_one_plain_text_mail(services, editors):
    second = make_user(Role.EDITOR, username="per", email="per@example.no")
    out, _err = run()
    assert "Sent 2 review reminders" in out
    assert sorted(message.to for message in mail.outbox) == [["kari@example.no"], [second.email]]
    message = mail.outbox[0]
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])  # no HTML part
    body = message.body
    for name in ("Overdue & co", "Never reviewed", "Due soon"):
        assert body.count(f"- {name} (") == 2  # once in bokmål, once in English
    assert "&amp;" not in body  # plain text, not HTML-escaped
    for name in ("Due later", "Closed down"):
        assert name not in body
    assert "due 26.11.2026" in body  # the overdue date, in the English half
    assert "Overdue & co org" in body
    english = body.split("-----")[1]
    assert "Review overdue:" in english and "Review due within 30 days:" in english
    assert " / " in message.subject  # both languages


def test_a_second_run_the_same_day_sends_nothing(services, editors):
    run()
    out, _err = run()
    assert len(mail.outbox) == 1
    assert "Sent 0 review reminders (1 already sent today)." in out
    assert ReviewReminder.objects.get().sent_on == TODAY
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        run()
    assert len(mail.outbox) == 2


def test_nothing_due_sends_nothing(editors):
    due("Fresh", TODAY + timedelta(days=90))
    out, _err = run()
    assert mail.outbox == []
    assert "Sent 0 review reminders" in out
    assert not ReviewReminder.objects.exists()


def test_a_failed_send_is_retried_on_the_next_run(services, editors, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(CommandError, match="kari"):
        run()
    assert not ReviewReminder.objects.exists()
    monkeypatch.undo()
    run()
    assert len(mail.outbox) == 1


def test_a_second_copy_running_at_the_same_time_does_nothing(services, editors):
    with single_instance.acquire("review_reminders", timedelta(minutes=5)):
        out, err = run()  # exit status 0
    assert "review_reminders is already running" in err
    assert out == ""
    assert mail.outbox == []


def test_organisation_names_are_not_escaped_either(editors):
    organization = Organization.objects.create(name="Vern <for> «alle»")
    due("Tilbud", None, organization=organization)
    run()
    assert "(Vern <for> «alle»)" in mail.outbox[0].body
