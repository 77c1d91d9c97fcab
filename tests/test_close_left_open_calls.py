"""``close_left_open_calls``: a call nobody closed loses its link to the operator too."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from hotline.accounts.roles import Role
from hotline.calls.models import Call
from hotline.reports.summary import CountedCall
from services_directory import single_instance
from services_directory.models import Topic
from tests.factories import make_site, make_user

STARTED = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)


@pytest.fixture
def site(db):
    return make_site()


def open_call(site, when=STARTED, **answers) -> Call:
    operator = make_user(Role.OPERATOR, username=f"operator-{Call.objects.count()}")
    with time_machine.travel(when, tick=False):
        call = Call.start(operator, site)
    if answers:
        call.update_answers(answers)
    return call


def run(*args, at) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with time_machine.travel(at, tick=False):
        call_command("close_left_open_calls", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_call_left_open_is_closed_anonymous_and_counted(site):
    call = open_call(site, channel="chat", topics=[Topic.objects.get(code="voldtekt")])
    out, _err = run(at=STARTED + timedelta(hours=13))
    call.refresh_from_db()
    assert not call.is_open
    assert call.operator is None
    assert call.close_token is None
    assert call.channel == "chat"  # what was recorded stays
    assert list(call.topics.values_list("code", flat=True)) == ["voldtekt"]
    assert CountedCall.objects.filter(call_id=call.pk).exists()
    assert "Closed 1 calls" in out


def test_recent_and_closed_calls_are_left_alone(site):
    recent = open_call(site, when=STARTED + timedelta(hours=10))
    done = open_call(site)
    done.close()
    run(at=STARTED + timedelta(hours=13))
    recent.refresh_from_db()
    assert recent.is_open
    assert recent.operator is not None
    assert Call.objects.filter(is_open=False).count() == 1


def test_hours_is_configurable_and_has_a_floor(site):
    call = open_call(site)
    run("--hours", "3", at=STARTED + timedelta(hours=4))
    call.refresh_from_db()
    assert not call.is_open
    with pytest.raises(CommandError, match="at least 2"):
        run("--hours", "1", at=STARTED)
    with pytest.raises(CommandError):
        run("--hours", "soon", at=STARTED)


def test_a_second_copy_does_nothing(site):
    call = open_call(site)
    later = STARTED + timedelta(hours=13)
    with (
        time_machine.travel(later),
        single_instance.acquire("close_left_open_calls", timedelta(minutes=5)),
    ):
        out, err = run(at=later)
    assert "close_left_open_calls is already running" in err
    assert out == ""
    call.refresh_from_db()
    assert call.is_open
