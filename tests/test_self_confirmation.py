"""A service confirms or corrects its own entry through its personal link (issue 24,
part 1): the page, "All correct", "Propose changes", and every way they refuse."""

import hashlib
import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from hotline.audit.models import AuditEvent
from services_directory.confirm_views import RATE_LIMIT
from services_directory.models import ConfirmationLink, Service, ServiceProposal
from services_directory.self_confirmation import CONFIRMED_REASON
from tests.factories import BODO, make_confirming_service

pytestmark = pytest.mark.django_db
BOGUS = "A" * 43  # well-formed, never issued


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    previous = translation.get_language()
    yield
    translation.activate(previous)


@pytest.fixture
def service():
    return make_confirming_service()


@pytest.fixture
def token(service):
    _link, token = ConfirmationLink.issue(service)
    return token


def url(name: str, token: str) -> str:
    return f"{reverse(name)}?{urlencode({'key': token})}"


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def main_text(response) -> str:
    return text_of(response.text.split("<main")[1].split("</main>")[0])


def proposal_data(**changes) -> dict:
    """The form as the service gets it (its entry unchanged), with ``changes``."""
    data = {
        "name_nb": "Senter mot incest Bodø",
        "name_en": "Centre against incest Bodø",
        "description_nb": "Samtaler for utsatte og pårørende.",
        "description_en": "Talks for survivors and their families.",
        "phones": "75 12 34 56",
        "address": "Storgata 12",
        "postcode": "8006",
        "municipality": BODO,
        "languages": ["en", "nb"],
        "accessibility": ["rullestol"],
        "holiday_policy": "closed",
        "holiday_hours": "",
        **{f"hours_{day}": "08:00–16:00" for day in range(5)},
    }
    data.update(changes)
    return data


# The link


def test_only_a_hash_is_stored_and_a_new_link_replaces_the_old(client, service):
    link, first = ConfirmationLink.issue(service)
    assert link.token_hash == hashlib.sha256(first.encode()).hexdigest()
    assert first not in str(ConfirmationLink.objects.values().get())
    assert link.expires_at - link.requested_at == timedelta(days=30)
    _link, second = ConfirmationLink.issue(service)
    assert ConfirmationLink.objects.count() == 1
    assert client.get(url("confirm:entry", first)).status_code == 404
    assert client.get(url("confirm:entry", second)).status_code == 200


def test_no_link_without_a_contact_email():
    service = make_confirming_service(contact_email="")
    with pytest.raises(ValidationError) as refused:
        ConfirmationLink.issue(service)
    assert refused.value.code == "no_email"
    assert not ConfirmationLink.objects.exists()


# The page


def test_the_page_shows_what_the_public_sees_and_never_the_secret_address(client, token):
    response = client.get(url("confirm:entry", token))
    assert response.status_code == 200
    text = main_text(response)
    for shown in (
        "Senter mot incest Bodø",
        "Centre against incest Bodø",
        "75 12 34 56",
        "Monday: 08:00–16:00",
        "Saturday: closed",
        "Public holidays: closed",
        "Storgata 12 8006 Bodø",
        "Norwegian",
        "English",
        "Wheelchair access",
        "Samtaler for utsatte og pårørende.",
        "Talks for survivors and their families.",
        "All correct",
        "Propose changes",
    ):
        assert shown in text, shown
    assert "Hemmeligveien" not in response.text
    assert "post@smi-bodo" not in response.text  # the contact e-mail is not public either
    assert "no-store" in response["Cache-Control"]  # the key is in the URL
    assert response["Referrer-Policy"] in ("no-referrer", "same-origin")


def test_the_page_grants_nothing_else(client, token):
    client.get(url("confirm:entry", token))
    assert client.get(reverse("desk:home"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("directory:dashboard")).status_code == 302


def test_the_proposal_form_never_holds_the_secret_address(client, token):
    response = client.get(url("confirm:propose", token))
    assert response.status_code == 200
    assert "Hemmeligveien" not in response.text
    assert 'value="Storgata 12"' in response.text


# "All correct"


@pytest.fixture
def made_that_morning():
    """The entry made an hour before the confirmation, not at today's date: its history
    would otherwise come after the confirmation's once today is past March 2027."""
    with time_machine.travel(datetime(2027, 3, 10, 10, tzinfo=UTC), tick=False):
        yield


@time_machine.travel(datetime(2027, 3, 10, 11, tzinfo=UTC), tick=False)
def test_all_correct_records_the_date_moves_the_review_and_audits(
    made_that_morning, client, service
):
    _link, token = ConfirmationLink.issue(service)
    response = client.post(url("confirm:all_correct", token))
    assert response.status_code == 302
    assert response["Location"] == url("confirm:entry", token)
    service.refresh_from_db()
    assert service.confirmed_by_service_at == timezone.now()
    assert service.next_review_due.isoformat() == "2027-09-10"  # six months on
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SERVICE_CONFIRMED)
    assert event.service == service and event.actor is None
    assert service.history.first().history_change_reason == CONFIRMED_REASON
    assert ConfirmationLink.objects.get().answered_at == timezone.now()
    page = client.get(response["Location"])
    assert "We have noted that the entry is correct" in text_of(page.text)


def test_all_correct_is_post_only(client, token):
    assert client.get(url("confirm:all_correct", token)).status_code == 405
    assert client.put(url("confirm:propose", token)).status_code == 405
    assert client.delete(url("confirm:entry", token)).status_code == 405


def test_csrf_stays_on(service, token):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url("confirm:all_correct", token)).status_code == 403
    assert strict.post(url("confirm:propose", token), proposal_data()).status_code == 403
    service.refresh_from_db()
    assert service.confirmed_by_service_at is None


# Links that do not work: one clear message, nothing applied


def test_expired_revoked_replaced_and_guessed_links_get_the_same_clear_404(client, service):
    _link, expired = ConfirmationLink.issue(service)
    pages = set()

    def refused(token: str) -> None:
        cache.clear()  # the rate limit is tested on its own
        for response in (
            client.get(url("confirm:entry", token)),
            client.post(url("confirm:all_correct", token)),
            client.get(url("confirm:propose", token)),
            client.post(url("confirm:propose", token), proposal_data(phones="75 99 99 99")),
        ):
            assert response.status_code == 404
            assert "This link does not work" in response.text
            pages.add(main_text(response))

    with time_machine.travel(timezone.now() + timedelta(days=30, seconds=1)):
        refused(expired)
    _link, replaced = ConfirmationLink.issue(service)
    _link, current = ConfirmationLink.issue(service)
    refused(replaced)
    for guess in (BOGUS, "short", "x" * 200, ""):
        refused(guess)
    assert client.get(url("confirm:entry", current)).status_code == 200
    ConfirmationLink.objects.get().revoke()
    refused(current)
    assert len(pages) == 1  # nothing tells one failure from another
    service.refresh_from_db()
    assert service.confirmed_by_service_at is None
    assert not ServiceProposal.objects.exists()


def test_a_closed_service_link_stops_working(client, service, token):
    service.status = Service.Status.INACTIVE
    service.save()
    assert client.get(url("confirm:entry", token)).status_code == 404


# A fixed clock: a minute boundary mid-test would reset the fixed-window counters.
@time_machine.travel(datetime(2027, 2, 3, 12, 0, 5, tzinfo=UTC), tick=False)
def test_guessing_is_rate_limited(client, service):
    _link, token = ConfirmationLink.issue(service)
    for _ in range(RATE_LIMIT):
        assert client.get(url("confirm:entry", BOGUS)).status_code == 404
    response = client.get(url("confirm:entry", token))  # even the right one, from here
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


# "Propose changes"


def test_a_proposal_waits_for_an_editor_and_changes_nothing(client, service, token):
    response = client.post(
        url("confirm:propose", token),
        proposal_data(phones="75 12 34 56\n+47 915 55 555", hours_5="10:00-14:00"),
    )
    assert response.status_code == 302
    proposal = ServiceProposal.objects.get()
    assert proposal.status == ServiceProposal.Status.PENDING
    # Only the parts that changed, each part whole.
    assert set(proposal.changes) == {"phones", "hours", "holiday_policy", "holiday_hours"}
    assert proposal.changes["phones"] == ["+4775123456", "+4791555555"]
    assert proposal.changes["hours"][5] == [["10:00", "14:00"]]
    service.refresh_from_db()
    assert service.phone_numbers() == ["75 12 34 56"]  # nothing published
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PROPOSAL_RECEIVED).count() == 1
    page = text_of(client.get(response["Location"]).text)
    assert "An editor at the helpline checks your changes" in page
    assert "is waiting for an editor" in page


def test_hours_accept_24_hours_several_spans_and_holiday_hours(client, token):
    response = client.post(
        url("confirm:propose", token),
        proposal_data(
            hours_0="08.00 - 11:30, 12:00–16:00",
            hours_6="døgnåpent",
            holiday_policy="own",
            holiday_hours="10:00–14:00",
        ),
    )
    assert response.status_code == 302
    changes = ServiceProposal.objects.get().changes
    assert changes["hours"][0] == [["08:00", "11:30"], ["12:00", "16:00"]]
    assert changes["hours"][6] == [["00:00", "00:00"]]
    assert changes["holiday_policy"] == "own"
    assert changes["holiday_hours"] == [["10:00", "14:00"]]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"hours_2": "8 to 4"}, "hours_2", "Write the hours as 08:00–16:00"),
        ({"hours_2": "25:00–26:00"}, "hours_2", "is not a time of day"),
        ({"phones": "75 12 34 56\n22 33 44"}, "phones", "“22 33 44”:"),
        ({"municipality": "9999"}, "municipality", "Unknown municipality"),
        ({"postcode": "80O6"}, "postcode", "A postcode is four digits."),
        ({"languages": ["xx"]}, "languages", "Unknown language"),
        ({"name_nb": ""}, "name_nb", "This field is required."),
        ({"holiday_policy": "own"}, "holiday_hours", "Give the holiday hours"),
        ({"holiday_policy": "sometimes"}, "holiday_policy", "Choose what applies"),
        ({"municipality": "", "address": "Nygata 3"}, "municipality", "Choose the municipality"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_queued(
    client, token, changes, field, message
):
    response = client.post(url("confirm:propose", token), proposal_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    summary = text_of(response.text.split('class="error-summary"')[1].split("</div>")[0])
    assert message in summary
    assert not ServiceProposal.objects.exists()


def test_nothing_changed_is_400(client, token):
    response = client.post(url("confirm:propose", token), proposal_data())
    assert response.status_code == 400
    assert "You changed nothing" in main_text(response)
    assert not ServiceProposal.objects.exists()


def test_a_second_proposal_while_one_is_pending_is_refused(client, token):
    first = client.post(url("confirm:propose", token), proposal_data(phones="75 99 99 99"))
    assert first.status_code == 302
    second = client.post(url("confirm:propose", token), proposal_data(phones="75 88 88 88"))
    assert second.status_code == 400
    assert "Your earlier proposal is still waiting for an editor" in main_text(second)
    assert ServiceProposal.objects.get().changes["phones"] == ["+4775999999"]
