"""The admin in bokmål: no English from Django's, simple-history's or modeltranslation's
widgets where their own bokmål catalogues lag behind (our locale/ fills the gaps), and no
"Legg til ny tilbud"."""

import json
import re

import pytest
from django.urls import reverse

from hotline.accounts.roles import Role
from tests.factories import (
    OSLO,
    add_location,
    add_phone,
    login_verified,
    make_article,
    make_service,
    make_user,
    open_weekdays,
)

pytestmark = pytest.mark.django_db

# English the admin showed editors in bokmål (issue 22), and its near relations.
ENGLISH = [
    "Select an option",
    "Search ",
    " entries",
    " entry",
    "None",
    "by selecting them",
    "Show counts",
    "Hide counts",
    "Add link",
    "Change or view list link",
    "Filter by",
    "Skip to main content",
    "Toggle theme",
    "Breadcrumbs",
    "Sidebar",
    "Start typing to filter",
    "Choose all",
    "Remove all",
]
# "ny" fits masculine and feminine nouns only: "ny tilbud" is wrong, so no "ny" at all.
BAD_GRAMMAR = ["Legg til ny ", "legge til en ny "]


@pytest.fixture
def admin_client(client):
    user = make_user(Role.EDITOR, username="redaktor", is_staff=True, is_superuser=True)
    login_verified(client, user)
    return client


@pytest.fixture
def pages():
    service = make_service("Krisesenteret", covers_whole_country=True, types=["krisesenter"])
    open_weekdays(service)
    add_phone(service, "22 33 44 55")
    add_location(service, OSLO)
    service.name = "Krisesenteret i Oslo"
    service.save()
    owner = make_user(Role.EDITOR, username="eier")
    article = make_article("Når noen ringer om vold", owner)
    article.title_nb = "Når noen ringer om vold i nære relasjoner"
    article.save()
    organization = service.organization
    return [
        reverse("admin:index"),
        reverse("admin:services_directory_service_changelist"),
        reverse("admin:services_directory_service_changelist") + "?q=krise",
        reverse("admin:services_directory_service_change", args=[service.pk]),
        reverse("admin:services_directory_service_add"),
        reverse("admin:services_directory_service_history", args=[service.pk]),
        reverse("admin:services_directory_organization_changelist"),
        reverse("admin:services_directory_organization_history", args=[organization.pk]),
        reverse("admin:services_directory_topic_changelist"),
        reverse("admin:services_directory_municipality_changelist"),
        reverse("admin:services_directory_sheltercapacity_add"),
        reverse("admin:guide_article_changelist"),
        reverse("admin:guide_article_add"),
        reverse("admin:guide_article_change", args=[article.pk]),
        reverse("admin:guide_article_history", args=[article.pk]),
    ]


def shown(html: str) -> str:
    """What a person or a screen reader meets: text and the attributes read aloud."""
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
    attributes = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', html)
    text = re.sub(r"(?s)<[^>]+>", "\n", html)
    return "\n".join([text, *attributes])


def test_no_english_widget_strings_in_the_bokmal_admin(admin_client, pages):
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="nb"' in response.text, url
        text = shown(response.text)
        for english in ENGLISH:
            assert english not in text, (url, english)
        for wrong in BAD_GRAMMAR:
            assert wrong not in text, (url, wrong)


def test_the_bokmal_admin_says_it_in_bokmal(admin_client, pages):
    changelist = shown(admin_client.get(pages[2]).text)
    assert "Søk i tilbud" in changelist
    assert "Vis antall" in changelist
    assert re.search(r"\d+ oppføring(er)?\b", changelist) or "tilbud" in changelist
    add = shown(admin_client.get(pages[4]).text)
    assert "Legg til tilbud" in add
    assert "– Velg –" in add


def test_the_admins_javascript_speaks_bokmal(admin_client):
    """The filter widgets (counties, municipalities, languages) and the calendar get
    their words from the JavaScript catalogue."""
    response = admin_client.get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    catalog = json.loads(
        re.search(r"const newcatalog = (\{.*?\});\n", response.text, re.S).group(1)
    )
    choose = 'Choose %s by selecting them and then select the "Choose" arrow button.'
    assert catalog[choose] == "Velg %s ved å markere dem og så trykke på pilen «Velg»."
    assert (
        "Fjern" in catalog['Remove %s by selecting them and then select the "Remove" arrow button.']
    )
    assert catalog["abbrev. day Monday\x04Mon"] == "man"
    assert catalog["Choose all %s"] == "Velg alle %s"


def test_the_admin_is_refused_to_operators(client):
    login_verified(client, make_user(Role.OPERATOR, username="operatoren"))
    response = client.get(reverse("admin:services_directory_service_changelist"))
    assert response.status_code in (302, 403)
