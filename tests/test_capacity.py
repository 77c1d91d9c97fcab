"""Free places at shelters: the staff's personal link, the editors' link page, the desk."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from services_directory.capacity_views import RATE_LIMIT
from services_directory.models import CapacityLink, Service, ShelterCapacity
from services_directory.models.capacity import reports_capacity
from services_directory.search import run_search
from tests.factories import Node, login_verified, make_service, parse_html

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
BOGUS = "A" * 43  # well-formed, never issued


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    previous = translation.get_language()
    yield
    translation.activate(previous)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Counters live in the shared cache; other tests must not inherit ours, nor we theirs.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shelter():
    return make_service("Krisesenteret i Bodø", types=["krisesenter"], covers_whole_country=True)


@pytest.fixture
def issued(shelter, editor):
    link, token = CapacityLink.issue(shelter, editor)
    return link, token


def plain(html: str) -> str:
    # timesince() keeps "3 days" together with a no-break space.
    return html.replace("\xa0", " ")


def update_url(token: str) -> str:
    return f"{reverse('capacity:update')}?{urlencode({'key': token})}"


def link_url(service) -> str:
    return reverse("directory:capacity_link", args=[service.pk])


def revoke_url(service) -> str:
    return reverse("directory:revoke_capacity_link", args=[service.pk])


# Model


def test_crisis_centres_and_switched_on_services_report_capacity(shelter):
    other = make_service("Botilbud")
    assert reports_capacity(shelter)
    assert not reports_capacity(other)
    other.reports_capacity = True
    other.save()
    assert reports_capacity(other)


def test_every_report_is_kept_in_history(shelter):
    ShelterCapacity.report(shelter, status="full", women=0, men=0)
    ShelterCapacity.report(shelter, status="places_free", women=2, families=1)
    current = ShelterCapacity.objects.get(service=shelter)  # one current row per service
    assert (current.status, current.women, current.men, current.families) == (
        "places_free",
        2,
        None,  # not reported is not 0
        1,
    )
    history = current.history.order_by("history_date")
    assert [row.status for row in history] == ["full", "places_free"]
    assert history.filter(status="full").count() == 1  # what "how often full" counts


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "full", "women": 2}, "status"),
        ({"status": "places_free", "women": 0, "men": 0}, "status"),
        ({"status": "nonsense"}, "status"),
        ({"status": "call_us", "men": 1000}, "men"),
        ({"status": "call_us", "families": -1}, "families"),
    ],
)
def test_contradictions_and_bad_figures_are_refused(shelter, fields, field):
    with pytest.raises(ValidationError) as error:
        ShelterCapacity.report(shelter, **fields)
    assert field in error.value.message_dict
    assert not ShelterCapacity.objects.exists()


def test_only_a_hash_of_the_token_is_stored(issued):
    link, token = issued
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = repr(list(CapacityLink.objects.values()))
    history = repr(list(CapacityLink.history.values()))
    assert token not in row and token not in history
    assert link.token_hash not in history  # history records who and when, not hashes


def test_a_link_only_for_services_that_report_capacity(editor):
    with pytest.raises(ValidationError):
        CapacityLink.issue(make_service("Rådgivning"), editor)


# The staff's page


def test_link_opens_the_form_without_a_login(client, shelter, issued):
    response = client.get(update_url(issued[1]))
    assert response.status_code == 200
    assert "Krisesenteret i Bodø" in response.text
    assert response.text.count('type="radio"') == 3
    assert 'name="women"' in response.text and 'inputmode="numeric"' in response.text
    assert "csrfmiddlewaretoken" in response.text
    assert 'aria-label="Main menu"' not in response.text  # no staff navigation
    assert "no-store" in response["Cache-Control"]
    assert "/static/css/capacity.css" in response.text


def test_post_saves_and_redirects_back(client, shelter, issued):
    url = update_url(issued[1])
    data = {"status": "places_free", "women": "2", "men": "", "families": "1"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    capacity = ShelterCapacity.objects.get(service=shelter)
    assert (capacity.status, capacity.women, capacity.men, capacity.families) == (
        "places_free",
        2,
        None,
        1,
    )
    page = client.get(url).text
    assert "Thank you – operators now see the new figures." in page
    assert 'value="2"' in page  # the form starts from the current figures
    assert capacity.history.count() == 1


def test_the_link_grants_nothing_else(client, issued):
    client.post(update_url(issued[1]), {"status": "call_us"})
    assert "sessionid" not in client.cookies
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("directory:dashboard")).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "status", "Choose the status right now."),
        ({"status": "open"}, "status", "Choose the status right now."),
        ({"status": "call_us", "women": "-1"}, "women", "greater than or equal to 0"),
        ({"status": "call_us", "men": "1000"}, "men", "less than or equal to 999"),
        ({"status": "call_us", "families": "many"}, "families", "Enter a whole number."),
        ({"status": "full", "women": "3"}, "status", "You chose “full” but entered free places"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, issued, data, field, message):
    response = client.post(update_url(issued[1]), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert message in summary
    assert not ShelterCapacity.objects.exists()


def test_unknown_revoked_and_replaced_tokens_are_the_same_404(client, shelter, editor, issued):
    link, old = issued
    _link, new = CapacityLink.issue(shelter, editor)  # rotate
    closed = make_service("Nedlagt senter", types=["krisesenter"])
    _link, closed_token = CapacityLink.issue(closed, editor)
    closed.status = Service.Status.INACTIVE
    closed.save()
    pages = set()
    for token in (BOGUS, old, "short", "x" * 200, closed_token):
        for response in (
            client.get(update_url(token)),
            client.post(update_url(token), {"status": "full"}),
        ):
            assert response.status_code == 404
            pages.add(response.text.split("<main")[1].split("</main>")[0])
    assert len(pages) == 1  # nothing tells one failure from another
    assert client.get(update_url(new)).status_code == 200
    link.refresh_from_db()
    link.revoke()
    assert client.get(update_url(new)).status_code == 404
    assert not ShelterCapacity.objects.exists()


def test_switching_reporting_off_disables_the_link(client, editor):
    service = make_service("Botilbud", reports_capacity=True)
    _link, token = CapacityLink.issue(service, editor)
    assert client.get(update_url(token)).status_code == 200
    service.reports_capacity = False
    service.save()
    assert client.get(update_url(token)).status_code == 404


def test_csrf_stays_on(issued):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(update_url(issued[1]), {"status": "full"}).status_code == 403
    assert not ShelterCapacity.objects.exists()


def test_other_methods_are_405(client, issued):
    assert client.put(update_url(issued[1])).status_code == 405


# A fixed clock: a minute boundary mid-test would reset the fixed-window counters.
@time_machine.travel(datetime(2027, 2, 3, 12, 0, 5, tzinfo=UTC), tick=False)
def test_rate_limited_per_address(client):
    for _ in range(RATE_LIMIT):
        assert client.get(update_url(BOGUS)).status_code == 404
    # A different token from the same address is refused as well: guessing is slow.
    response = client.get(update_url("B" * 43))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


# A fixed clock: a minute boundary mid-test would reset the fixed-window counters.
@time_machine.travel(datetime(2027, 2, 3, 12, 0, 5, tzinfo=UTC), tick=False)
def test_rate_limited_per_token(client, issued):
    token = issued[1]
    for n in range(RATE_LIMIT):
        response = client.get(update_url(token), REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert response.status_code == 200
    assert client.get(update_url(token), REMOTE_ADDR="10.0.1.1").status_code == 429
    assert (
        client.post(update_url(token), {"status": "full"}, REMOTE_ADDR="10.0.1.2").status_code
        == 429
    )
    assert not ShelterCapacity.objects.exists()


# The editors' link page


def test_editor_creates_a_link_shown_once(editor_client, shelter):
    page = editor_client.get(link_url(shelter))
    assert page.status_code == 200
    assert "No link yet." in page.text
    response = editor_client.post(link_url(shelter))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (url,) = re.findall(r'id="capacity-link-url"[^>]*value="([^"]+)"', response.text)
    assert url.startswith("http://testserver/capacity/?key=")
    token = url.split("?key=", 1)[1]
    assert CapacityLink.service_for_token(token) == shelter
    # Never again: the page afterwards shows the link's state, not the link.
    again = editor_client.get(link_url(shelter)).text
    assert token not in again
    assert "Active link, created" in again


def test_rotating_replaces_the_link(editor_client, shelter, issued):
    _link, old = issued
    response = editor_client.post(link_url(shelter), headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="capacity-link">')
    assert "<html" not in response.text
    assert CapacityLink.service_for_token(old) is None
    assert CapacityLink.objects.count() == 1


def test_revoking(editor_client, shelter, issued):
    _link, token = issued
    response = editor_client.post(revoke_url(shelter))
    assert response.status_code == 302
    assert response["Location"] == link_url(shelter)
    assert CapacityLink.service_for_token(token) is None
    page = editor_client.get(link_url(shelter)).text
    assert "is revoked and no longer works" in page
    assert "Revoked" in page
    # Revoking twice says so, and keeps the first time.
    first = CapacityLink.objects.get().revoked_at
    response = editor_client.post(revoke_url(shelter), headers=HTMX)
    assert response.status_code == 200
    assert "This link was already revoked." in response.text
    assert CapacityLink.objects.get().revoked_at == first
    # A new link can be made after revoking.
    assert editor_client.post(link_url(shelter)).status_code == 200
    assert CapacityLink.objects.get().is_active


def test_link_page_refusals(client, operator, supervisor, editor_client, shelter, issued):
    other = make_service("Rådgivning")
    assert editor_client.get(link_url(other)).status_code == 404
    assert editor_client.post(link_url(other)).status_code == 404
    assert editor_client.get(reverse("directory:capacity_link", args=[999999])).status_code == 404
    assert editor_client.get(revoke_url(shelter)).status_code == 405
    assert (
        editor_client.post(revoke_url(make_service("Nytt", types=["krisesenter"]))).status_code
        == 404
    )
    for user in (operator, supervisor):
        login_verified(client, user)
        assert client.get(link_url(shelter)).status_code == 403
        assert client.post(link_url(shelter)).status_code == 403
        assert client.post(revoke_url(shelter)).status_code == 403
    assert CapacityLink.objects.get().is_active


def test_dashboard_lists_shelters_and_the_service_admin_links_there(editor_client, shelter, issued):
    ShelterCapacity.report(shelter, status="full", when=timezone.now() - timedelta(days=3))
    make_service("Rådgivning")
    text = plain(editor_client.get(reverse("directory:dashboard")).text)
    section = text.split('id="shelters"')[1].split("</section>")[0]
    assert "Krisesenteret i Bodø" in section and "Rådgivning" not in section
    assert "Full, 3 days ago" in section and "out of date" in section
    assert link_url(shelter) in section
    admin = editor_client.get(reverse("admin:services_directory_service_change", args=[shelter.pk]))
    assert link_url(shelter) in admin.text
    assert 'name="reports_capacity"' in admin.text


def test_editor_enters_phoned_in_figures_in_the_admin(editor_client, editor, shelter, issued):
    make_service("Rådgivning")
    add = reverse("admin:services_directory_sheltercapacity_add")
    form = editor_client.get(add).text
    assert "Krisesenteret i Bodø" in form and "Rådgivning" not in form  # shelters only
    response = editor_client.post(add, {"service": shelter.pk, "status": "call_us", "women": "1"})
    assert response.status_code == 302
    capacity = ShelterCapacity.objects.get()
    assert capacity.updated_at is not None
    assert capacity.history.get().history_user == editor
    for name in ("capacitylink", "directorycheck", "sheltercapacity"):
        url = reverse(f"admin:services_directory_{name}_changelist")
        assert editor_client.get(url).status_code == 200
    assert (
        editor_client.get(reverse("admin:services_directory_capacitylink_add")).status_code == 403
    )


def test_editors_have_the_permissions():
    codenames = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    for model in ("sheltercapacity", "capacitylink", "directorycheck"):
        assert {f"view_{model}", f"add_{model}", f"change_{model}"} <= codenames


# The desk


def desk_card(operator_client, name: str) -> Node:
    html = plain(operator_client.get(reverse("desk:home"), {"where": "Oslo", "limit": 50}).text)
    [card] = [
        hit
        for hit in parse_html(html).find_all("li", "hit")
        if hit.one("h2", "hit__name").text() == name
    ]
    return card


def capacity_line(card: Node) -> str:
    line = card.find("p", "hit__capacity")
    return line.text() if line else ""


def test_operators_see_status_places_and_age(operator_client, shelter):
    ShelterCapacity.report(
        shelter, status="places_free", women=2, families=1, when=timezone.now() - timedelta(hours=3)
    )
    capacity = capacity_line(desk_card(operator_client, "Krisesenteret i Bodø"))
    assert "Places free" in capacity
    assert "Free places: women 2, families with children 1" in capacity
    assert "men" not in capacity.replace("women", "")  # unknown is left out, not shown as 0
    assert "updated 3 hours ago" in capacity
    assert "call to check" not in capacity


def test_a_report_under_a_minute_old_says_just_now(operator_client, shelter):
    ShelterCapacity.report(
        shelter, status="full", women=0, when=timezone.now() - timedelta(seconds=20)
    )
    capacity = capacity_line(desk_card(operator_client, "Krisesenteret i Bodø"))
    assert "updated just now" in capacity
    assert "0 minutes" not in capacity


def test_old_reports_are_not_shown_as_fact(operator_client, shelter, settings):
    ShelterCapacity.report(
        shelter, status="places_free", women=4, when=timezone.now() - timedelta(days=2)
    )
    capacity = capacity_line(desk_card(operator_client, "Krisesenteret i Bodø"))
    assert capacity == "Free places: last report 2 days ago – call to check"
    settings.CAPACITY_STALE_HOURS = 1
    ShelterCapacity.report(shelter, status="full", when=timezone.now() - timedelta(hours=2))
    capacity = capacity_line(desk_card(operator_client, "Krisesenteret i Bodø"))
    assert capacity == "Free places: last report 2 hours ago – call to check"


def test_no_capacity_line_without_a_report_or_when_switched_off(operator_client, shelter, editor):
    assert capacity_line(desk_card(operator_client, "Krisesenteret i Bodø")) == ""
    service = make_service("Botilbud", reports_capacity=True, covers_whole_country=True)
    ShelterCapacity.report(service, status="full")
    assert capacity_line(desk_card(operator_client, "Botilbud")).startswith("Full")
    service.reports_capacity = False
    service.save()
    assert capacity_line(desk_card(operator_client, "Botilbud")) == ""


def test_capacity_costs_one_query_per_page_not_per_hit(shelter):
    def queries_for_search() -> int:
        with CaptureQueriesContext(connection) as queries:
            result = run_search({"limit": 50})
        assert all(hit.capacity for hit in result.hits)
        return len(queries)

    ShelterCapacity.report(shelter, status="full")
    queries_for_search()  # warm up anything cached per process
    one = queries_for_search()
    for n in range(3):
        other = make_service(f"Krisesenter {n}", types=["krisesenter"], covers_whole_country=True)
        ShelterCapacity.report(other, status="call_us")
    queries_for_search()  # the directory changed: the index and the cards reload
    assert queries_for_search() == one
