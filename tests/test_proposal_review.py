"""Editors send services their link and decide on what services propose (issue 24,
part 1): the queue and diff, accepting all or part, editing, rejecting, and the desk."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from hotline.accounts.roles import Role
from hotline.audit.models import AuditEvent
from services_directory.models import ConfirmationLink, Location, Service, ServiceProposal
from services_directory.self_confirmation import PROPOSED_REASON, propose, public_entry
from tests.factories import BODO, login_verified, make_confirming_service, make_user

pytestmark = pytest.mark.django_db


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
def proposal(service):
    """The service proposes a new main number, Saturday hours and a new name in English."""
    link, _token = ConfirmationLink.issue(service)
    seen = public_entry(service)
    proposed = {
        **seen,
        "phones": ["+4791555555"],
        "hours": [*seen["hours"][:5], [["10:00", "14:00"]], []],
        "name_en": "Incest centre Bodø",
    }
    return propose(link, seen, proposed)


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def review_data(proposal, service, accept=None, prefix="review", **changes) -> dict:
    """The editor's form as it opens (the proposal filled in), with ``changes``."""
    entry = {**public_entry(service), **proposal.changes}
    data = {
        f"{prefix}-name_nb": entry["name_nb"],
        f"{prefix}-name_en": entry["name_en"],
        f"{prefix}-description_nb": entry["description_nb"],
        f"{prefix}-description_en": entry["description_en"],
        f"{prefix}-phones": "\n".join(entry["phones"]),
        f"{prefix}-address": entry["address"],
        f"{prefix}-postcode": entry["postcode"],
        f"{prefix}-municipality": entry["municipality"],
        f"{prefix}-languages": entry["languages"],
        f"{prefix}-accessibility": entry["accessibility"],
        f"{prefix}-holiday_policy": entry["holiday_policy"],
        f"{prefix}-holiday_hours": "",
        f"{prefix}-loaded_version": service.version,
        f"{prefix}-accept": accept if accept is not None else ["name", "phones", "hours"],
    }
    for day, spans in enumerate(entry["hours"]):
        data[f"{prefix}-hours_{day}"] = ", ".join(f"{a}–{b}" for a, b in spans)
    data.update({f"{prefix}-{key}": value for key, value in changes.items()})
    return data


def accept_url(proposal) -> str:
    return reverse("directory:accept_proposal", args=[proposal.pk])


def reject_url(proposal) -> str:
    return reverse("directory:reject_proposal", args=[proposal.pk])


# The queue and the diff


def test_the_dashboard_queues_proposals(editor_client, proposal):
    text = text_of(editor_client.get(reverse("directory:dashboard")).text)
    assert "Changes proposed by services (1)" in text
    assert "Open the proposal : Centre against incest Bodø" in text  # named for the service


def test_the_proposal_page_shows_a_side_by_side_diff(editor_client, proposal):
    response = editor_client.get(reverse("directory:proposal", args=[proposal.pk]))
    assert response.status_code == 200
    table = text_of(response.text.split('class="proposal-diff"')[1].split("</table>")[0])
    assert "In the directory now Proposed" in table
    assert "Phone numbers 75 12 34 56 915 55 555" in table
    assert "Saturday: closed" in table and "Saturday: 10:00–14:00" in table
    assert "English: Centre against incest Bodø" in table
    assert "English: Incest centre Bodø" in table
    assert "Address" not in table  # unchanged parts are left out
    assert "Hemmeligveien" not in response.text


# Accepting


def test_accepting_all_saves_through_history_and_the_desk_sees_it_at_once(
    client, editor, proposal, service
):
    operator = make_user(Role.OPERATOR)
    desk = {"where": "Bodø", "topic": "incest"}
    login_verified(client, operator)
    assert "915 55 555" not in client.get(reverse("desk:home"), desk).text  # index built
    version = service.version
    client.logout()
    login_verified(client, editor)
    response = client.post(accept_url(proposal), review_data(proposal, service))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.phone_numbers() == ["915 55 555"]
    assert service.name_en == "Incest centre Bodø"
    assert service.hours_on(timezone.localdate().replace(day=1)) is not None
    assert service.version > version
    assert service.history.first().history_change_reason == PROPOSED_REASON
    assert service.history.first().history_user == editor
    assert service.channels.get().history.first().history_change_reason == PROPOSED_REASON
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.ACCEPTED
    assert proposal.decided_by == editor
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PROPOSAL_DECIDED)
    assert event.actor == editor and event.details["status"] == "accepted"
    # The confidential address is as the editors left it.
    secret = Location.objects.get(service=service, is_confidential=True)
    assert secret.address == "Hemmeligveien 7"
    client.logout()
    login_verified(client, operator)
    assert "915 55 555" in client.get(reverse("desk:home"), desk).text


def test_accepting_part_leaves_the_rest(editor_client, proposal, service):
    response = editor_client.post(
        accept_url(proposal), review_data(proposal, service, accept=["phones"])
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.phone_numbers() == ["915 55 555"]
    assert service.name_en == "Centre against incest Bodø"
    assert service.opening_hours.filter(weekday=5).count() == 0
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.PARTLY_ACCEPTED
    assert proposal.accepted_fields == ["phones"]


def test_the_editor_corrects_a_value_before_accepting(editor_client, proposal, service):
    data = review_data(proposal, service, accept=["phones", "hours"], phones="915 55 556")
    data["review-hours_5"] = "11:00–15:00"
    assert editor_client.post(accept_url(proposal), data).status_code == 302
    service.refresh_from_db()
    assert service.phone_numbers() == ["915 55 556"]
    saturday = service.opening_hours.get(weekday=5)
    assert f"{saturday.opens:%H:%M}–{saturday.closes:%H:%M}" == "11:00–15:00"
    assert service.opening_hours.filter(weekday__lt=5).count() == 5


def test_an_accepted_address_moves_the_public_location_only(editor_client, service):
    link, _token = ConfirmationLink.issue(service)
    seen = public_entry(service)
    item = propose(link, seen, {**seen, "address": "Nygata 3", "postcode": "8005"})
    data = review_data(item, service, accept=["address"])
    assert editor_client.post(accept_url(item), data).status_code == 302
    public = Location.objects.get(service=service, is_confidential=False)
    assert (public.address, public.postcode, public.municipality.number) == (
        "Nygata 3",
        "8005",
        BODO,
    )
    assert public.latitude is None  # placed at its municipality until an editor places it
    assert Location.objects.get(service=service, is_confidential=True).address == (
        "Hemmeligveien 7"
    )


def test_a_stale_entry_is_refused_and_nothing_applied(editor_client, proposal, service):
    data = review_data(proposal, service)
    other = Service.objects.get(pk=service.pk)
    other.operator_note = "Another editor saved meanwhile."
    other.save()
    response = editor_client.post(accept_url(proposal), data)
    assert response.status_code == 409
    assert "Someone else saved this service" in text_of(response.text)
    service.refresh_from_db()
    assert service.phone_numbers() == ["75 12 34 56"]
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.PENDING


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"phones": "22 33 44"}, "phones"),
        ({"hours_1": "morning"}, "hours_1"),
        ({"municipality": "0000"}, "municipality"),
        ({"accept": []}, "accept"),
        ({"accept": ["operator_note"]}, "accept"),
        ({"loaded_version": "x"}, "loaded_version"),
    ],
)
def test_bad_input_from_the_editor_is_400_and_nothing_applied(
    editor_client, proposal, service, changes, field
):
    response = editor_client.post(accept_url(proposal), review_data(proposal, service, **changes))
    assert response.status_code == 400
    assert field in response.context["review_form"].errors
    service.refresh_from_db()
    assert service.phone_numbers() == ["75 12 34 56"]
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.PENDING


def test_a_decided_proposal_cannot_be_decided_again(editor_client, proposal, service):
    data = review_data(proposal, service)
    assert editor_client.post(accept_url(proposal), data).status_code == 302
    again = editor_client.post(accept_url(proposal), review_data(proposal, service))
    assert again.status_code == 400
    rejected = editor_client.post(reject_url(proposal), {"reject-reason": "Too late"})
    assert rejected.status_code == 400
    assert "already decided" in text_of(rejected.text) or "Another editor" in text_of(rejected.text)


# Rejecting


def test_rejecting_needs_a_reason_and_changes_nothing(editor_client, editor, proposal, service):
    refused = editor_client.post(reject_url(proposal), {"reject-reason": ""})
    assert refused.status_code == 400
    assert "Give a reason for rejecting the proposal." in text_of(refused.text)
    response = editor_client.post(reject_url(proposal), {"reject-reason": "Number is wrong"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.REJECTED
    assert proposal.reject_reason == "Number is wrong"
    service.refresh_from_db()
    assert service.phone_numbers() == ["75 12 34 56"]
    # The service may propose again.
    link = ConfirmationLink.objects.get()
    seen = public_entry(service)
    assert propose(link, seen, {**seen, "phones": ["+4775999999"]}).status == "pending"


# Refusals


def test_only_editors_decide(client, operator, supervisor, proposal, service):
    for user in (operator, supervisor):
        login_verified(client, user)
        assert client.get(reverse("directory:proposal", args=[proposal.pk])).status_code == 403
        assert client.post(accept_url(proposal), review_data(proposal, service)).status_code == 403
        assert client.post(reject_url(proposal), {"reject-reason": "x"}).status_code == 403
        client.logout()
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.PENDING


def test_methods_and_missing_proposals(editor_client, proposal):
    assert editor_client.get(accept_url(proposal)).status_code == 405
    assert editor_client.get(reject_url(proposal)).status_code == 405
    assert editor_client.post(reverse("directory:proposal", args=[proposal.pk])).status_code == 405
    assert editor_client.get(reverse("directory:proposal", args=[999999])).status_code == 404
    assert (
        editor_client.post(reverse("directory:accept_proposal", args=[999999])).status_code == 404
    )


# Sending the link on demand


def link_page(service) -> str:
    return reverse("directory:confirmation_link", args=[service.pk])


def test_an_editor_sends_a_link_on_demand_and_it_works(editor_client, client, editor, service):
    response = editor_client.post(link_page(service))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["post@smi-bodo.example.no"]
    assert message.subject == (
        "Stemmer oppføringen for Senter mot incest Bodø? "
        "/ Is the entry for Centre against incest Bodø correct?"
    )
    url = re.search(r"https?://\S+/confirm/\?key=\S+", message.body).group(0)
    assert client.get(url.split("testserver", 1)[1]).status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CONFIRMATION_LINK_SENT)
    assert event.actor == editor
    # A second link replaces the first.
    assert editor_client.post(link_page(service)).status_code == 302
    assert client.get(url.split("testserver", 1)[1]).status_code == 404


def test_no_link_without_a_contact_email(editor_client):
    service = make_confirming_service(contact_email="")
    response = editor_client.post(link_page(service))
    assert response.status_code == 400
    assert "Give the service a contact e-mail" in text_of(response.text)
    assert not mail.outbox and not ConfirmationLink.objects.exists()


def test_revoking_a_link(editor_client, client, service):
    _link, token = ConfirmationLink.issue(service)
    revoke = reverse("directory:revoke_confirmation_link", args=[service.pk])
    assert editor_client.get(revoke).status_code == 405
    assert editor_client.post(revoke).status_code == 302
    assert client.get(f"{reverse('confirm:entry')}?key={token}").status_code == 404
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONFIRMATION_LINK_REVOKED).exists()
    again = editor_client.post(revoke, follow=True)
    assert "already revoked" in text_of(again.text)


def test_link_page_refusals(operator, editor_client, service):
    client = login_verified(Client(), operator)
    assert client.get(link_page(service)).status_code == 403
    assert client.post(link_page(service)).status_code == 403
    assert (
        editor_client.get(reverse("directory:confirmation_link", args=[999999])).status_code == 404
    )
    revoke_missing = reverse("directory:revoke_confirmation_link", args=[service.pk])
    assert editor_client.post(revoke_missing).status_code == 404  # never sent
    assert not mail.outbox


def test_the_dashboard_lists_services_that_never_answered(editor_client, service):
    ConfirmationLink.issue(service)
    dashboard = reverse("directory:dashboard")
    assert "Not confirmed by the service (0)" in text_of(editor_client.get(dashboard).text)
    asked = timezone.now() - timedelta(days=30, minutes=1)
    ConfirmationLink.objects.update(requested_at=asked, expires_at=asked + timedelta(days=30))
    text = text_of(editor_client.get(dashboard).text)
    assert "Not confirmed by the service (1)" in text
    assert "Centre against incest Bodø not confirmed" in text
