"""Guidance library articles beside the desk's results, for the topics chosen or for who
is calling (``audience=``, the caller roles). Who is calling is never stored or logged."""

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.guide.models import Article, Audience
from services_directory.models import Topic
from tests.factories import login_verified, make_article, writes

pytestmark = pytest.mark.django_db
URL = "/desk/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def articles(editor):
    return {
        "rape": make_article("Voldtekt: de første døgnene", editor, topics=["voldtekt"]),
        "relatives": make_article("Når innringeren er pårørende", editor, audiences=["parorende"]),
        "both": make_article(
            "Pårørende etter voldtekt", editor, topics=["voldtekt"], audiences=["parorende"]
        ),
        "draft": make_article(
            "Utkast for pårørende", editor, audiences=["parorende"], published=False
        ),
        "children": make_article("Samtaler med barn", editor, audiences=["under_16"]),
    }


def library(html: str) -> list[str]:
    """The article links in the guidance library box beside the results."""
    match = re.search(r'<aside class="guidance guidance--library".*?</aside>', html, re.S)
    return re.findall(r'href="/desk/guide/(\d+)/"', match.group(0)) if match else []


def pks(*found: Article) -> list[str]:
    return [str(article.pk) for article in found]


def test_the_caller_roles_are_chips_in_bokmal(operator_client, articles):
    html = operator_client.get(URL, {"audience": "parorende"}).text
    assert "<legend>Hvem ringer</legend>" in html
    assert re.search(
        r'<input type="checkbox" name="audience" value="parorende" id="id_audience_\d+" checked>'
        r" <span>Pårørende eller venn</span>",
        html,
    )
    assert 'value="under_16" id="id_audience_4">' in html  # every role, unchosen
    # Under "More filters", closed until a role is chosen (the results stay in view).
    assert '<details class="more-filters" open>' in html
    assert '<details class="more-filters">' in operator_client.get(URL).text


def test_articles_for_who_is_calling_show_beside_the_results(operator_client, articles):
    html = operator_client.get(URL, {"audience": "parorende"}).text
    assert sorted(library(html)) == sorted(pks(articles["relatives"], articles["both"]))
    assert library(operator_client.get(URL, {"where": "Oslo"}).text) == []


def test_topics_or_caller_roles_each_once_and_without_drafts(operator_client, articles):
    html = operator_client.get(
        URL, {"topic": "voldtekt", "audience": ["parorende", "under_16"]}
    ).text
    found = library(html)
    assert sorted(found) == sorted(
        pks(articles["rape"], articles["relatives"], articles["both"], articles["children"])
    )
    assert str(articles["draft"].pk) not in found
    assert "Utkast" not in html


def test_at_most_five_articles(operator_client, editor):
    for n in range(7):
        make_article(f"Artikkel {n}", editor, audiences=["utsatt"])
    html = operator_client.get(URL, {"audience": "utsatt"}).text
    assert len(library(html)) == 5


def test_the_htmx_partial_has_them_too(operator_client, articles):
    response = operator_client.get(URL, {"audience": "parorende"}, headers=HTMX)
    assert response.status_code == 200
    assert '<form id="search"' not in response.text  # the results only
    assert sorted(library(response.text)) == sorted(pks(articles["relatives"], articles["both"]))


@pytest.mark.parametrize("value", ["nope", "parorende\x00", "x" * 500])
def test_an_unknown_caller_role_is_a_400_naming_the_field(operator_client, articles, value):
    response = operator_client.get(URL, {"audience": value, "topic": "voldtekt"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["audience"]
    assert "Hvem ringer:" in response.text
    assert library(response.text) == []


def test_who_may_search_and_how(client, operator, supervisor, articles):
    login_verified(client, supervisor)
    assert client.get(URL, {"audience": "parorende"}).status_code == 403
    client.logout()
    assert client.get(URL, {"audience": "parorende"}).status_code == 302
    login_verified(client, operator)
    assert client.post(URL, {"audience": "parorende"}).status_code == 405


@pytest.mark.parametrize("value", ["parorende", "nope"])
def test_who_is_calling_is_neither_stored_nor_logged(operator_client, caplog, articles, value):
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        response = operator_client.get(URL, {"audience": value}, headers=HTMX)
    assert response.status_code in (200, 400)
    assert writes(queries) == []
    assert value not in caplog.text and "audience" not in caplog.text
    assert all(value not in str(record.args) for record in caplog.records)


def test_the_queryset_method(articles):
    voldtekt = Topic.objects.filter(code="voldtekt")
    found = Article.objects.for_topics_or_audiences(voldtekt, ["under_16"])
    assert sorted(found.values_list("pk", flat=True)) == sorted(
        a.pk for a in (articles["rape"], articles["both"], articles["children"])
    )
    assert list(Article.objects.for_topics_or_audiences(voldtekt, [])) == list(
        Article.objects.for_topics(voldtekt)
    )
    assert not Article.objects.for_topics_or_audiences([], [])


def test_each_process_keeps_the_library_until_it_changes(operator_client, articles, editor):
    """The articles beside the results are read once a process and reread when the
    library's tables stamp a new token: a search costs no article query, and an edit,
    a new article or one taken down shows at once."""
    search = {"where": "Oslo", "topic": "voldtekt"}
    assert library(operator_client.get(URL, search).text) == pks(articles["both"], articles["rape"])
    with CaptureQueriesContext(connection) as queries:
        operator_client.get(URL, search, headers=HTMX)
    assert not [q for q in queries.captured_queries if "guide_article" in q["sql"]]

    Article.objects.filter(pk=articles["rape"].pk).update(is_published=False)
    assert library(operator_client.get(URL, search).text) == pks(articles["both"])
    newer = make_article("Akutt etter voldtekt", editor, topics=["voldtekt"])
    assert library(operator_client.get(URL, search).text) == pks(newer, articles["both"])
    newer.topics.clear()  # the many-to-many tables stamp the token too
    assert library(operator_client.get(URL, search).text) == pks(articles["both"])
    Article.objects.filter(pk=articles["both"].pk).update(title_nb="Å etter voldtekt")
    assert library(operator_client.get(URL, search).text) == pks(articles["both"])
    # The caller roles come with the library, so a relabelled role shows at once too.
    Audience.objects.filter(code="parorende").update(label_nb="Pårørende (ny tekst)")
    assert "<span>Pårørende (ny tekst)</span>" in operator_client.get(URL, search).text
