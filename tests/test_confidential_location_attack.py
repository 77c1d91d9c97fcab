"""Issue 21: a shelter's confidential address must not be found from the distances and
orders the desk, the staff API, the acute strip and the shelter overview give, nor from
the public API's validators when only the address changes.

The attack: move a shelter's confidential point ~20 km from its municipality, ask for
its distance from many municipalities, and fit the point by least squares. Each answer
must equal the distance from the municipality's public point, so the fit lands there
and not on the shelter. A control fit on the true distances shows that the same
queries would find the shelter to within metres if they leaked.
"""

import itertools
import re
from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

import pytest
import time_machine
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.desk.wording import km as km_words
from services_directory import places, search_index
from services_directory.geo import distance_km
from services_directory.models import Municipality, OpeningHours, Service, Topic
from tests.factories import (
    BODO,
    NARVIK,
    OSLO,
    add_location,
    add_phone,
    login_verified,
    make_service,
    make_user,
    parse_html,
)

pytestmark = pytest.mark.django_db

API = reverse("api:search")
DESK = reverse("desk:home")
SHELTERS = reverse("desk:shelters")
HSDS_SERVICES = reverse("api:public_hsds_services")
NAME = "Hemmelig krisesenter"
# About 20 km north-east of its municipality's point.
OFFSET = (0.15, 0.25)
# Every n-th municipality by number asks: a spread over the whole country.
EVERY = 6


def around_the_clock(service) -> None:
    for weekday in range(7):
        OpeningHours.objects.create(service=service, weekday=weekday, opens=time(0), closes=time(0))


def shelter(name: str, number: str, secret: tuple[float, float], **fields):
    """A crisis centre, open and reachable by phone around the clock, whose only
    address is confidential and lies at ``secret``, away from its municipality's point."""
    service = make_service(name, types=["krisesenter"], **fields)
    add_phone(service, "75 52 23 00")
    around_the_clock(service)
    location = add_location(service, number, confidential=True)
    location.latitude, location.longitude = secret
    location.save()
    return service


def point(number: str) -> tuple[float, float]:
    m = Municipality.objects.get(number=number)
    return m.latitude, m.longitude


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return distance_km(*a, *b)


def fit(observations: list[tuple[tuple[float, float], float]]) -> tuple[float, float]:
    """The point whose distances from the origins best match the observed ones (least
    squares, Gauss-Newton), started from the origin that is nearest by its answer."""
    lat, lon = min(observations, key=lambda item: item[1])[0]
    step = 1e-5
    for _ in range(50):
        a = b = c = e = f = 0.0
        for origin, observed in observations:
            here = km(origin, (lat, lon))
            d_lat = (km(origin, (lat + step, lon)) - here) / step
            d_lon = (km(origin, (lat, lon + step)) - here) / step
            residual = observed - here
            a, b, c = a + d_lat * d_lat, b + d_lat * d_lon, c + d_lon * d_lon
            e, f = e + d_lat * residual, f + d_lon * residual
        determinant = a * c - b * b
        move_lat, move_lon = (c * e - b * f) / determinant, (a * f - b * e) / determinant
        lat, lon = lat + move_lat, lon + move_lon
        if abs(move_lat) + abs(move_lon) < 1e-9:
            break
    return lat, lon


def role_clients() -> dict[Role, Client]:
    clients = {}
    for role in (Role.OPERATOR, Role.EDITOR, Role.SUPERVISOR):
        client = Client()
        user = make_user(role, username=f"attacker-{role.value}", is_staff=role == Role.EDITOR)
        login_verified(client, user)
        clients[role] = client
    return clients


def api_distance(client: Client, number: str, name: str = NAME, **params) -> float | None:
    response = client.get(API, {"municipality": number, "limit": 100, **params})
    assert response.status_code == 200
    (hit,) = [hit for hit in response.json()["results"] if hit["name"] == name]
    return hit["distance_km"]


def api_order(client: Client, number: str, **params) -> list[str]:
    response = client.get(API, {"municipality": number, "limit": 100, **params})
    assert response.status_code == 200
    return [hit["name"] for hit in response.json()["results"]]


STRIP = re.compile(
    r'id="acute-nearest".*?<strong>(?P<name>[^<]*)</strong>'
    r'.*?<span class="muted">\((?P<text>[^)]*)\)</span>',
    re.DOTALL,
)
SHELTER_ROW = re.compile(
    r'<th scope="row">(?P<name>[^<]*?)\s*(?:<span[^>]*>[^<]*</span>)?</th>\s*<td>[^<]*'
    r'(?:<span class="muted">\((?P<text>[^)]*)\)</span>)?</td>'
)


def desk_page(client: Client, number: str, **params) -> str:
    response = client.get(DESK, {"municipality": number, **params})
    assert response.status_code == 200
    return response.content.decode()


def desk_cards(page: str) -> list[tuple[str, str]]:
    """(name, coverage line) of each result card, in order."""
    return [
        (card.one("h2", "hit__name").text(), card.one("span", "hit__coverage").text())
        for card in parse_html(page).find_all("li", "hit")
    ]


def strip(page: str) -> tuple[str, str]:
    match = STRIP.search(page)
    assert match is not None
    return match["name"], match["text"]


def place(municipality: Municipality) -> str:
    """What an operator types in the place box: the name, with its county."""
    return f"{municipality.name} ({municipality.county.name})"


def shelter_rows(client: Client, municipality: Municipality) -> list[tuple[str, str | None]]:
    """(name, distance) of each row of the free-places overview, in order."""
    response = client.get(SHELTERS, {"where": place(municipality)})
    assert response.status_code == 200
    return [(m["name"], m["text"]) for m in SHELTER_ROW.finditer(response.content.decode())]


def asking() -> list[Municipality]:
    """A spread of caller municipalities the place box resolves to themselves."""
    spread = list(Municipality.objects.active().select_related("county").order_by("number"))
    chosen = [m for m in spread[::EVERY] if places.resolve(place(m)).municipality == m]
    assert len(chosen) > 40
    return chosen


# --- The triangulation attack ----------------------------------------------------------


def test_the_triangulation_attack_finds_the_municipality_not_the_shelter():
    town = point(BODO)
    secret = (town[0] + OFFSET[0], town[1] + OFFSET[1])
    assert 15 < km(town, secret) < 25
    shelter(NAME, BODO, secret, municipalities=[BODO])
    clients = role_clients()
    operator = clients[Role.OPERATOR]
    observed: dict[str, list[tuple[tuple[float, float], float]]] = {}
    control = []
    for municipality in asking():
        origin = (municipality.latitude, municipality.longitude)
        public_km, secret_km = km(origin, town), km(origin, secret)
        control.append((origin, round(secret_km, 1)))
        for role, client in clients.items():
            # The attacker's two ways to the shelter: by name, and by walking the list.
            for params in ({"q": "Hemmelig"}, {}):
                found = api_distance(client, municipality.number, **params)
                assert found == round(public_km, 1), (role, municipality.number, params)
                observed.setdefault(f"api {role.value}", []).append((origin, found))
        expected = km_words(public_km)
        page = desk_page(operator, municipality.number, q="Hemmelig")
        ((name, line),) = desk_cards(page)
        assert name == NAME and line.endswith(" · " + expected), municipality.number
        assert strip(page) == (NAME, expected), municipality.number
        assert shelter_rows(operator, municipality) == [(NAME, expected)], municipality.number
    # The same queries answered from the secret point would give the shelter away ...
    assert km(fit(control), secret) < 0.1
    # ... but what they answer fits the municipality's point, kilometres from the shelter.
    for source, found in observed.items():
        landed = fit(found)
        assert km(landed, town) < 0.1, source
        assert km(landed, secret) > 10, source


def test_a_service_with_a_public_address_is_measured_from_it_alone():
    office = make_service("Kontor med skjult adresse", municipalities=[BODO])
    add_location(office, NARVIK)  # public
    hidden = add_location(office, OSLO, confidential=True)
    hidden.latitude += 0.2
    hidden.save()
    client = role_clients()[Role.SUPERVISOR]
    for number in (BODO, NARVIK, OSLO, "1103", "4601", "5501"):
        found = api_distance(client, number, name="Kontor med skjult adresse")
        assert found == round(km(point(number), point(NARVIK)), 1)


def test_a_shelter_without_coordinates_is_measured_from_its_municipality():
    shelter(NAME, BODO, (None, None), municipalities=[BODO])
    client = role_clients()[Role.EDITOR]
    assert api_distance(client, OSLO) == round(km(point(OSLO), point(BODO)), 1)


def test_the_public_api_measures_no_confidential_address_at_all(client):
    town = point(BODO)
    shelter(NAME, BODO, (town[0] + OFFSET[0], town[1] + OFFSET[1]), municipalities=[BODO])
    response = client.get(reverse("api:public_services"), {"municipality": OSLO})
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["locations"] == []
    assert result["match"] == {"coverage": "outside", "distance_km": None}


# --- Orders ----------------------------------------------------------------------------


def toward(start: tuple[float, float], goal: tuple[float, float], km_moved: float):
    share = km_moved / km(start, goal)
    return (start[0] + (goal[0] - start[0]) * share, start[1] + (goal[1] - start[1]) * share)


@pytest.fixture
def inverted():
    """Two shelters whose order by their secret points is the reverse of their order by
    their municipalities' points, seen from Oslo: "Nær kommune" lies in a municipality
    a little nearer Oslo, its shelter 20 km further away; "Fjern kommune" the other way.
    Returns the caller's municipality number."""
    caller = point(OSLO)
    by_distance = sorted(
        (m for m in Municipality.objects.active() if m.number != OSLO),
        key=lambda m: km(caller, (m.latitude, m.longitude)),
    )
    # Two municipalities 5-10 km apart in distance from Oslo, some 100 km away.
    near, far = next(
        (a, b)
        for a, b in itertools.pairwise(by_distance)
        if km(caller, (a.latitude, a.longitude)) > 80
        and 5 < km(caller, (b.latitude, b.longitude)) - km(caller, (a.latitude, a.longitude)) < 10
    )
    near_point, far_point = point(near.number), point(far.number)
    near_secret = toward(near_point, caller, -20)
    far_secret = toward(far_point, caller, 20)
    # The true order is the other way round: an order by it would leak.
    assert km(caller, far_secret) < km(caller, near_secret)
    shelter("Nær kommune", near.number, near_secret, covers_whole_country=True)
    shelter("Fjern kommune", far.number, far_secret, covers_whole_country=True)
    return OSLO


@pytest.mark.parametrize(
    "params",
    [{}, {"type": "krisesenter"}, {"q": "kommune"}],
    ids=["all", "filtered", "by-name"],
)
def test_every_order_is_by_the_municipalities_points(inverted, params):
    clients = role_clients()
    expected = ["Nær kommune", "Fjern kommune"]
    for client in clients.values():
        assert api_order(client, inverted, **params) == expected
    page = desk_page(clients[Role.OPERATOR], inverted, **params)
    assert [name for name, _line in desk_cards(page)] == expected
    assert strip(page)[0] == "Nær kommune"
    oslo = Municipality.objects.get(number=inverted)
    rows = shelter_rows(clients[Role.OPERATOR], oslo)
    assert [name for name, _km in rows] == expected


def test_the_order_outside_the_callers_area_is_by_the_municipalities_points(inverted):
    # Not national: both fall outside the caller's area, where the index walks its
    # latitude-sorted points (or, by name, measures the few found) instead of a group.
    Service.objects.filter(name__in=["Nær kommune", "Fjern kommune"]).update(
        covers_whole_country=False
    )
    client = role_clients()[Role.OPERATOR]
    for params in ({}, {"q": "kommune"}):
        assert api_order(client, inverted, **params) == ["Nær kommune", "Fjern kommune"]
        hits = client.get(API, {"municipality": inverted, **params}).json()["results"]
        assert {hit["coverage"] for hit in hits} == {"outside"}


def test_the_attack_needs_a_login(client):
    response = client.get(API, {"municipality": OSLO})
    assert response.status_code == 401
    assert client.get(DESK, {"municipality": OSLO}).status_code == 302
    assert client.get(SHELTERS, {"where": "Oslo"}).status_code == 302


def test_refused_and_wrong_requests(operator_client):
    assert operator_client.post(API, {"municipality": OSLO}).status_code == 405
    response = operator_client.get(API, {"municipality": "99"})
    assert response.status_code == 400
    assert "municipality" in response.json()["errors"]
    assert operator_client.get(SHELTERS, {"where": "Ingensteds"}).status_code == 400
    supervisor = role_clients()[Role.SUPERVISOR]
    assert supervisor.get(DESK, {"municipality": OSLO}).status_code == 403
    assert supervisor.get(SHELTERS).status_code == 403


# --- What polling the public API can see ----------------------------------------------


@pytest.fixture
def published(db):
    """A shelter with a public office and a confidential address, and a second service,
    as the public API and a poller see them."""
    service = make_service("Krisesenter med kontor", types=["krisesenter"], municipalities=[BODO])
    add_phone(service, "75 52 23 00")
    add_location(service, BODO)  # the office: public
    add_location(service, BODO, confidential=True)
    make_service("Annen tjeneste", covers_whole_country=True)
    return service


POLLED_AT = datetime(2027, 2, 8, 9, 0, tzinfo=UTC)


def public_urls(service) -> list[str]:
    hsds = str(service.uuid)
    return [
        reverse("api:public_services"),
        reverse("api:public_services") + f"?municipality={OSLO}",
        reverse("api:public_hsds_services"),
        reverse("api:public_hsds_services") + "?modified_after=2000-01-01T00:00:00Z",
        reverse("api:public_hsds_service", kwargs={"id": hsds}),
        reverse("api:public_hsds_service_at_locations"),
    ]


def seen(client: Client, service) -> dict[str, tuple[int, str, str, bytes]]:
    """What a poller keeps of each public answer: status, validators and body, asked at
    one moment: the list's "open now" and its validators also change with the clock."""
    found = {}
    with time_machine.travel(POLLED_AT, tick=False):
        for url in public_urls(service):
            response = client.get(url)
            found[url] = (
                response.status_code,
                response["ETag"],
                response["Last-Modified"],
                response.content,
            )
    return found


def move_the_shelter(service) -> None:
    """What an editor's save of only the confidential address writes: the service row
    (as the admin saves it, with its note) and the location, moved to another town."""
    hidden = service.locations.get(is_confidential=True)
    narvik = Municipality.objects.get(number=NARVIK)
    hidden.address, hidden.postcode, hidden.municipality = "Ny gate 7", "8514", narvik
    hidden.latitude, hidden.longitude = narvik.latitude + 0.1, narvik.longitude
    hidden.save()
    service.refresh_from_db()
    service.operator_note = "Flyttet"
    service.reports_capacity = True
    service.save()


def test_editing_only_the_confidential_address_changes_nothing_public(client, published):
    before = seen(client, published)
    assert {status for status, *_ in before.values()} == {200}
    updated = published.updated_at
    newest = Service.objects.aggregate(newest=Max("public_updated_at"))["newest"]

    def modified_after(moment: datetime) -> list[str]:
        response = client.get(HSDS_SERVICES, {"modified_after": moment.isoformat()})
        return [service["name"] for service in response.json()["contents"]]

    assert modified_after(newest) != []
    move_the_shelter(published)
    published.refresh_from_db()
    assert published.updated_at > updated  # the staff side sees the edit
    assert seen(client, published) == before
    url = reverse("api:public_hsds_service", kwargs={"id": str(published.uuid)})
    etag = before[url][1]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert modified_after(newest + timedelta(milliseconds=1)) == []


def test_the_desk_still_sees_the_moved_shelter(operator_client, published):
    search_index.current_index()
    move_the_shelter(published)
    card = search_index.current_index().cards([published.pk])[published.pk]
    (hidden,) = [location for location in card.locations if location.is_confidential]
    assert (hidden.address, hidden.municipality.number) == ("Ny gate 7", NARVIK)
    page = desk_page(operator_client, BODO, q="kontor")
    assert reverse("desk:confidential_address", args=[published.pk]) in page
    shown = operator_client.post(reverse("desk:confidential_address", args=[published.pk]))
    assert "Ny gate 7" in shown.content.decode()


def rename(service) -> None:
    service.name = "Nytt navn"
    service.save()


def move_the_office(service) -> None:
    office = service.locations.get(is_confidential=False)
    office.address = "Kontorgata 2"
    office.save()


def hide_the_office(service) -> None:
    service.locations.filter(is_confidential=False).update(is_confidential=True)


def add_a_phone(service) -> None:
    add_phone(service, "22 22 55 55")


def add_a_topic(service) -> None:
    service.topics.set(Topic.objects.filter(code="voldtekt"))


def rename_the_organisation(service) -> None:
    organization = service.organization
    organization.name = "Ny organisasjon"
    organization.save()


@pytest.mark.parametrize(
    "edit",
    [rename, move_the_office, hide_the_office, add_a_phone, add_a_topic, rename_the_organisation],
)
def test_a_public_edit_changes_the_validators(client, published, edit):
    before = seen(client, published)
    edit(published)
    after = seen(client, published)
    for url in public_urls(published):
        assert after[url][1] != before[url][1], url  # the ETag
        assert after[url][3] != before[url][3], url  # the body
    published.refresh_from_db()
    detail = reverse("api:public_hsds_service", kwargs={"id": str(published.uuid)})
    stamp = published.public_updated_at.astimezone(UTC)
    assert client.get(detail).json()["last_modified"] == (
        stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def test_a_save_cannot_move_the_public_time_back(published):
    stale = Service.objects.get(pk=published.pk)
    move_the_office(published)  # stamps the service row, which ``stale`` read before
    published.refresh_from_db()
    assert published.public_updated_at > stale.public_updated_at
    stale.operator_note = "Skrevet fra et gammelt skjema"
    stale.save()  # writes its older public_updated_at back
    stale.refresh_from_db()
    assert stale.public_updated_at == published.public_updated_at


def test_the_public_api_refuses_what_it_refuses(client, published):
    assert client.post(reverse("api:public_services")).status_code == 405
    response = client.get(reverse("api:public_hsds_services"), {"modified_after": "igår"})
    assert response.status_code == 400
    assert "modified_after" in response.json()["errors"]
    missing = reverse("api:public_hsds_service", kwargs={"id": str(uuid4())})
    assert client.get(missing).status_code == 404


def admin_post(service, hidden, **location) -> dict:
    """The service's change form as the admin sends it, with only the confidential
    location among the inlines (the others are left as they are)."""
    data = {
        "name_nb": service.name_nb,
        "organization": service.organization_id,
        "status": service.status,
        "is_published": "on",
        "free_of_charge": "on",
        "holiday_policy": service.holiday_policy,
        "service_types": [term.pk for term in service.service_types.all()],
        "coverage_municipalities": [m.pk for m in service.coverage_municipalities.all()],
        "operator_note": service.operator_note,
        "loaded_version": service.version,
        "channels-TOTAL_FORMS": 0,
        "channels-INITIAL_FORMS": 0,
        "opening_hours-TOTAL_FORMS": 0,
        "opening_hours-INITIAL_FORMS": 0,
        "locations-TOTAL_FORMS": 1,
        "locations-INITIAL_FORMS": 1,
        "locations-0-id": hidden.pk,
        "locations-0-service": service.pk,
        "locations-0-is_confidential": "on",
        "locations-0-name": hidden.name,
        "locations-0-address": hidden.address,
        "locations-0-postcode": hidden.postcode,
        "locations-0-municipality": hidden.municipality_id,
        "locations-0-latitude": hidden.latitude,
        "locations-0-longitude": hidden.longitude,
    }
    return data | {f"locations-0-{name}": value for name, value in location.items()}


def test_an_editor_moving_the_shelter_in_the_admin_changes_nothing_public(editor_client, published):
    poller = Client()  # anonymous, as the public API's clients are
    before = seen(poller, published)
    hidden = published.locations.get(is_confidential=True)
    url = reverse("admin:services_directory_service_change", args=[published.pk])
    moved = admin_post(published, hidden, address="Ny gate 7", latitude=hidden.latitude + 0.1)
    saved = reverse("admin:services_directory_service_changelist")
    response = editor_client.post(url, moved)
    assert (response.status_code, response["Location"]) == (302, saved)
    hidden.refresh_from_db()
    assert hidden.address == "Ny gate 7"
    assert seen(poller, published) == before
    # The same form with a public change does move them.
    published.refresh_from_db()
    renamed = admin_post(published, hidden) | {"name_nb": "Nytt navn"}
    assert editor_client.post(url, renamed)["Location"] == saved
    after = seen(poller, published)
    assert all(after[url][1] != before[url][1] for url in public_urls(published))
