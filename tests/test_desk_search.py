"""The operator desk's search screen: /desk/ and its place autocomplete."""

from datetime import time

import pytest
from django.urls import reverse

from services_directory.models import ErrorReport, OpeningHours, Topic
from tests.factories import OSLO, add_location, add_phone, make_service, make_site, parse_html

URL = reverse("desk:home")
PLACES = reverse("desk:places")


def hit_names(response) -> list[str]:
    return [name.text() for name in parse_html(response.text).find_all("h2", "hit__name")]


def test_empty_desk_shows_the_search_and_the_acute_strip(operator_client):
    response = operator_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for number in ('href="tel:112"', 'href="tel:113"', 'href="tel:110"', 'href="tel:116117"'):
        assert number in html
    assert 'name="where"' in html and "autofocus" in html
    assert 'id="acute-nearest"' in html
    assert hit_names(response) == []


def test_search_by_place_ranks_the_local_service_first(operator_client, directory):
    response = operator_client.get(URL, {"where": "Bodø", "topic": "voldtekt"})
    assert response.status_code == 200
    assert hit_names(response) == [
        "Local centre",
        "Regional near",
        "Regional far",
        "National line",
        "Oslo centre",
        "Oslo line",
    ]
    first = parse_html(response.text).one("ol", "hits").find_all("li", "hit")[0]
    assert "hit--local" in first.classes
    phone = first.one("a", "phone")
    assert (phone.attrs["href"], phone.text()) == ("tel:+4775555555", "75 55 55 55")


def test_the_same_ranking_as_the_api(operator_client, directory):
    api = operator_client.get(reverse("api:search"), {"postcode": "8006", "limit": 100}).json()
    desk = operator_client.get(URL, {"where": "8006", "limit": 100})
    assert hit_names(desk) == [r["name"] for r in api["results"]]


def test_htmx_gets_only_the_results_and_the_nearest_open_service(operator_client, directory):
    response = operator_client.get(URL, {"where": "Bodø"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="live"')
    assert 'id="acute-nearest" class="acute__nearest" hx-swap-oob="true"' in html


def test_acute_strip_names_the_nearest_service_open_now(operator_client, directory):
    # Only the national line is open around the clock and has a phone in this directory;
    # the local centre's weekday hours may or may not cover the moment the test runs.
    local = directory["local"]
    OpeningHours.objects.filter(service=local).delete()
    for weekday in range(7):
        OpeningHours.objects.create(service=local, weekday=weekday, opens=time(0), closes=time(0))
    html = operator_client.get(URL, {"where": "Bodø"}).content.decode()
    start = html.index('id="acute-nearest"')
    strip = html[start : html.index("</p>", start)]
    assert "Local centre" in strip and "tel:+4775555555" in strip


def test_ambiguous_place_offers_both_municipalities(operator_client, db):
    response = operator_client.get(URL, {"where": "Herøy"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "where=Her%C3%B8y+%28Nordland%29" in html
    assert "where=Her%C3%B8y+%28M%C3%B8re+og+Romsdal%29" in html


def test_a_suggestion_keeps_the_rest_of_the_search(operator_client, db):
    response = operator_client.get(URL, {"topic": "voldtekt", "where": "Herøy", "open": "1"})
    html = response.content.decode()
    assert 'href="?topic=voldtekt&amp;where=Her%C3%B8y+%28Nordland%29&amp;open=1"' in html


def test_unknown_place_is_a_400_naming_the_field(operator_client, db):
    response = operator_client.get(URL, {"where": "Atlantis"})
    assert response.status_code == 400
    assert "Atlantis" in response.content.decode()
    assert "where" in response.context["form"].errors


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "nope"}, "topic"),
        ({"age": "old"}, "age"),
        ({"at": "yesterday"}, "at"),
        ({"at": "9999-12-31T23:59"}, "at"),  # an OverflowError (500) once
        ({"at": "0001-01-01T00:00"}, "at"),
        ({"age": "١٨"}, "age"),
        ({"where": "99 88 77 66"}, "where"),
        ({"where": "010190 12345"}, "where"),
        ({"q": "22225555"}, "q"),
    ],
)
def test_bad_filters_are_400s(operator_client, db, params, field):
    response = operator_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]


def test_refused_input_is_not_pushed_into_the_browser_history(operator_client, db):
    response = operator_client.get(URL, {"where": "99887766"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Push-Url"] == "false"


def test_guidance_card_for_the_selected_topic(operator_client, db):
    topic = Topic.objects.get(code="tvangsekteskap")
    topic.guidance = "Ask whether the caller can talk freely."
    topic.save()
    html = operator_client.get(URL, {"topic": "tvangsekteskap"}).content.decode()
    assert 'class="guidance guidance--folded"' in html
    assert "Ask whether the caller can talk freely." in html
    html = operator_client.get(URL, {"topic": "voldtekt"}).content.decode()
    assert "guidance--folded" not in html


def test_card_shows_note_confidential_address_languages_and_reports(operator_client, db):
    service = make_service(
        "Shelter", municipalities=[OSLO], operator_note="Ask for the duty officer."
    )
    add_location(service, OSLO, confidential=True)
    add_phone(service, "22 22 22 22")
    service.languages.set(["ar", "en"])
    ErrorReport.objects.create(service=service, kind="phone")
    html = operator_client.get(URL, {"where": "Oslo"}).content.decode()
    assert "Ask for the duty officer." in html
    # The confidential address is behind an audited "show" button, not on the card.
    assert "Storgata 1" not in html
    assert reverse("desk:confidential_address", args=[service.pk]) in html
    [card] = parse_html(html).find_all("li", "hit")
    assert card.one("p", "hit__warning").text().startswith("Det er meldt feil i denne oppføringen")
    assert "arabisk, engelsk" in card.one("dl", "hit__facts").text()


def test_referral_button_only_while_a_call_is_open(operator_client, operator, db):
    from hotline.calls.models import Call

    service = make_service("Referable", municipalities=[OSLO])
    html = operator_client.get(URL, {"where": "Oslo"}).content.decode()
    assert "/referrals/" not in html
    site = make_site("Testsenter Oslo", operator)
    Call.start(operator, site)
    html = operator_client.get(URL, {"where": "Oslo"}).content.decode()
    assert reverse("calls:add_referral") in html
    assert f'name="service" value="{service.pk}"' in html


def test_report_error_link_on_every_card(operator_client, db):
    service = make_service("Reportable", municipalities=[OSLO])
    html = operator_client.get(URL, {"where": "Oslo"}).content.decode()
    assert reverse("directory:report_error", args=[service.pk]) in html


@pytest.mark.parametrize("client_name", ["editor_client", "supervisor_client"])
def test_other_roles_cannot_use_the_desk(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(URL).status_code == 403
    assert client.get(PLACES, {"where": "Bo"}).status_code == 403


def test_desk_is_get_only(operator_client):
    assert operator_client.post(URL).status_code == 405
    assert operator_client.post(PLACES).status_code == 405


def test_place_options_for_the_datalist(operator_client, db):
    response = operator_client.get(PLACES, {"where": "herø"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="Herøy (Nordland)">' in html
    assert '<option value="Herøy (Møre og Romsdal)">' in html


def test_place_options_refuse_personal_numbers(operator_client, db):
    response = operator_client.get(PLACES, {"where": "12345678901"})
    assert response.status_code == 400
    assert "<option" not in response.content.decode()


def test_filters_not_chosen_clean_to_plain_lists(db):
    """Not a ``queryset.none()``: every truth test of one costs a queryset evaluation,
    and the search tests each filter."""
    from hotline.desk.forms import DeskSearchForm

    form = DeskSearchForm({"where": "Oslo"})
    assert form.is_valid(), form.errors
    for name in (*DeskSearchForm.CHIP_FIELDS,):
        assert form.cleaned_data[name] == [], name
        assert type(form.cleaned_data[name]) is list, name
