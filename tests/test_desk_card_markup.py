"""The result cards' markup, written in Python (hotline.desk.card_html): every value
escaped, and every form and link going where the template's did."""

import re

import pytest
from django.urls import resolve, reverse

from hotline.calls.models import Call
from tests.factories import OSLO, add_location, add_phone, make_service, make_site

pytestmark = pytest.mark.django_db
DESK = "/desk/"
HOSTILE = "<script>alert('x')</script> & \"Co\""
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Co&quot;"


def desk(client) -> str:
    response = client.get(DESK, {"municipality": OSLO})
    assert response.status_code == 200
    return response.text


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="hit hit--.*?</li>\n', html, flags=re.S)


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
    assert "<script>" not in html
    [card] = cards(html)
    # The name in the heading and in each hidden label, the note, the phone's
    # description, the description and the public address.
    assert card.count(ESCAPED) >= 7
    assert f'<h2 class="hit__name">{ESCAPED}</h2>' in card
    assert f"<strong>Merknad til operatører:</strong> {ESCAPED}</p>" in card


def test_one_card_a_line_in_ranked_order(operator_client):
    for name in ("Alfa", "Beta", "Gamma"):
        make_service(name, municipalities=[OSLO])
    found = cards(desk(operator_client))
    names = [re.search(r'class="hit__name">(.*?)</h2>', card).group(1) for card in found]
    assert names == ["Alfa", "Beta", "Gamma"]


def test_the_referral_form_posts_with_the_csrf_token_and_comes_back(operator_client, operator):
    service = make_service("Henvisbar", municipalities=[OSLO])
    Call.start(operator, make_site("Testsenter Oslo", operator))
    response = operator_client.get(DESK, {"municipality": OSLO})
    [card] = cards(response.text)
    form = re.search(r'<form method="post" action="([^"]+)" id="refer-(\d+)".*?</form>', card)
    assert form is not None
    assert form.group(1) == reverse("calls:add_referral")
    assert form.group(2) == str(service.pk)
    assert 'name="csrfmiddlewaretoken" value="' in form.group(0)
    assert f'name="next" value="{DESK}?municipality={OSLO}"' in form.group(0)
    # Posted as a browser would, it refers and the card then says so.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    operator_client.handler.enforce_csrf_checks = True
    posted = operator_client.post(
        form.group(1),
        {"service": service.pk, "next": DESK, "csrfmiddlewaretoken": token},
    )
    assert posted.status_code == 302
    [card] = cards(desk(operator_client))
    assert f'<span class="tag tag--open" id="refer-{service.pk}">' in card


def test_the_card_links_resolve_to_their_views(operator_client):
    service = make_service("Skjult", municipalities=[OSLO])
    add_location(service, OSLO, confidential=True)
    [card] = cards(desk(operator_client))
    report = re.search(r'<a class="button[^"]*" href="([^"?]+)\?next=([^"]+)"', card)
    assert resolve(report.group(1)).url_name == "report_error"
    assert resolve(report.group(1)).kwargs == {"pk": service.pk}
    assert report.group(2) == f"/desk/%3Fmunicipality%3D{OSLO}"
    confidential = re.search(r'class="hit__confidential" method="post" action="([^"]+)"', card)
    assert resolve(confidential.group(1)).url_name == "confidential_address"
    assert resolve(confidential.group(1)).kwargs == {"pk": service.pk}


def test_no_results_say_so_instead_of_an_empty_list(operator_client):
    html = desk(operator_client)
    assert cards(html) == []
    assert 'class="hits__empty"' in html
