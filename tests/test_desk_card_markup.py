"""The result cards' markup (hotline.desk.cards): every value escaped, and every form and
link going where it should. Asserted on the parsed page, not on its bytes."""

import pytest
from django.urls import resolve, reverse

from hotline.calls.models import Call
from tests.factories import (
    OSLO,
    Node,
    add_location,
    add_phone,
    make_service,
    make_site,
    parse_html,
)

pytestmark = pytest.mark.django_db
DESK = "/desk/"
HOSTILE = "<script>alert('x')</script> & \"Co\""


def desk(client, **query) -> str:
    response = client.get(DESK, {"municipality": OSLO, **query})
    assert response.status_code == 200
    return response.text


def cards(html: str) -> list[Node]:
    hits = parse_html(html).one("ol", "hits")
    return hits.find_all("li", "hit")


def test_every_value_a_card_writes_is_escaped(operator_client, operator):
    service = make_service(
        HOSTILE,
        municipalities=[OSLO],
        operator_note=HOSTILE,
        description_nb=HOSTILE,
        free_of_charge=True,
    )
    add_phone(service, "22 33 44 55", HOSTILE)
    location = add_location(service, OSLO)
    location.address = HOSTILE
    location.save()
    Call.start(operator, make_site("Testsenter Oslo", operator))
    html = desk(operator_client)
    [card] = cards(html)
    # Written as text, never as markup: no script element anywhere on the card.
    assert card.find("script") is None
    assert card.one("h2", "hit__name").text() == HOSTILE
    assert card.one("p", "hit__note").text() == f"Merknad til operatører: {HOSTILE}"
    assert card.one("ul", "phones").one("span", "muted").text() == HOSTILE
    assert card.one("div", "hit__about").text() == HOSTILE
    assert card.one("p", "hit__address").text() == f"Adresse: {HOSTILE} Oslo"
    # The name in each hidden label (copy, referral, report) too.
    hidden = [span.text() for span in card.find_all("span", "visually-hidden")]
    assert sum(HOSTILE in text for text in hidden) >= 2


def test_cards_in_ranked_order(operator_client):
    for name in ("Alfa", "Beta", "Gamma"):
        make_service(name, municipalities=[OSLO])
    names = [card.one("h2", "hit__name").text() for card in cards(desk(operator_client))]
    assert names == ["Alfa", "Beta", "Gamma"]


def test_a_card_shows_its_phone_with_a_link_and_a_copy_button(operator_client):
    service = make_service("Ringbar", municipalities=[OSLO])
    add_phone(service, "22 33 44 55", "Døgnvakt")
    [card] = cards(desk(operator_client))
    [phone] = card.one("ul", "phones").find_all("li")
    link = phone.one("a", "phone")
    assert (link.attrs["href"], link.text()) == ("tel:+4722334455", "22 33 44 55")
    copy = phone.one("button", "copy")
    assert copy.attrs["data-copy"] == "22 33 44 55"
    assert copy.text() == "Kopier 22 33 44 55"
    assert card.find("p", "hit__no-phone") is None


def test_the_referral_form_posts_with_the_csrf_token_and_comes_back(operator_client, operator):
    service = make_service("Henvisbar", municipalities=[OSLO])
    Call.start(operator, make_site("Testsenter Oslo", operator))
    [card] = cards(desk(operator_client))
    form = card.one("form", id=f"refer-{service.pk}")
    assert form.attrs["action"] == reverse("calls:add_referral")
    fields = {field.attrs["name"]: field.attrs["value"] for field in form.find_all("input")}
    assert fields["service"] == str(service.pk)
    assert fields["next"] == f"{DESK}?municipality={OSLO}"
    assert fields["csrfmiddlewaretoken"]
    # Posted as a browser would, it refers and the card then says so.
    operator_client.handler.enforce_csrf_checks = True
    posted = operator_client.post(form.attrs["action"], {**fields, "next": DESK})
    assert posted.status_code == 302
    [card] = cards(desk(operator_client))
    assert card.find("form", id=f"refer-{service.pk}") is None
    referred = card.one("span", id=f"refer-{service.pk}")
    assert referred.text() == "Henvist i denne samtalen"


def test_no_referral_form_without_an_open_call(operator_client):
    service = make_service("Uten samtale", municipalities=[OSLO])
    [card] = cards(desk(operator_client))
    assert card.find(id=f"refer-{service.pk}") is None


def test_the_card_links_resolve_to_their_views(operator_client):
    service = make_service("Skjult", municipalities=[OSLO])
    add_phone(service, "22 33 44 55")
    add_location(service, OSLO, confidential=True)
    [card] = cards(desk(operator_client))
    [report] = card.one("div", "hit__actions").find_all("a")
    path, query = report.attrs["href"].split("?")
    assert report.attrs["hx-get"] == report.attrs["href"]
    assert report.attrs["hx-target"] == f"#report-{service.pk}"
    assert card.find("div", id=f"report-{service.pk}") is not None
    assert resolve(path).url_name == "report_error"
    assert resolve(path).kwargs == {"pk": service.pk}
    assert query == f"next=/desk/%3Fmunicipality%3D{OSLO}"
    confidential = card.one("form", "hit__confidential")
    assert confidential.attrs["method"] == "post"
    assert resolve(confidential.attrs["action"]).url_name == "confidential_address"
    assert resolve(confidential.attrs["action"]).kwargs == {"pk": service.pk}


def test_no_results_say_so_instead_of_an_empty_list(operator_client):
    html = desk(operator_client)
    assert cards(html) == []
    assert parse_html(html).one("li", "hits__empty")
