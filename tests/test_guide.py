"""The guidance library: /desk/guide/, beside the results and the call, on the dashboard."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hotline.calls.models import Call
from hotline.guide.models import Article, Audience
from services_directory.models import Topic
from tests.factories import login_verified, make_article

pytestmark = pytest.mark.django_db
URL = "/desk/guide/"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def articles(editor):
    return {
        "rape": make_article(
            "Voldtekt: de første døgnene",
            editor,
            topics=["voldtekt"],
            audiences=["utsatt"],
            body_nb="Overgrepsmottaket krever ikke anmeldelse.",
            summary_nb="Gratis, uten anmeldelse.",
        ),
        "relatives": make_article("Når innringeren er pårørende", editor, audiences=["parorende"]),
        "children": make_article("Samtaler med barn", editor, audiences=["under_16"]),
        "draft": make_article(
            "Utkast om menneskehandel", editor, topics=["voldtekt"], published=False
        ),
    }


def titles(response) -> list[str]:
    return [a.title for a in response.context["articles"]]


# The library


def test_operators_see_every_published_article(operator_client, articles):
    response = operator_client.get(URL)
    assert response.status_code == 200
    assert titles(response) == [
        "Når innringeren er pårørende",
        "Samtaler med barn",
        "Voldtekt: de første døgnene",
    ]
    assert "Utkast" not in response.text


def test_search_finds_words_in_the_text_in_any_language(operator_client, articles):
    response = operator_client.get(URL, {"q": "anmeldelse overgrepsmottaket"})
    assert titles(response) == ["Voldtekt: de første døgnene"]
    assert titles(operator_client.get(URL, {"q": "anmeldelse barn"})) == []


def test_filter_by_topic_and_by_caller_role(operator_client, articles):
    assert titles(operator_client.get(URL, {"topic": "voldtekt"})) == [
        "Voldtekt: de første døgnene"
    ]
    assert titles(operator_client.get(URL, {"audience": "under_16"})) == ["Samtaler med barn"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"topic": "no-such-topic"}, "topic"),
        ({"audience": "stranger"}, "audience"),
        ({"q": "99887766"}, "q"),
        ({"q": "x" * 101}, "q"),
        # A NUL byte is a database error on PostgreSQL if it reaches SQL: a 500.
        ({"topic": "voldtekt\x00"}, "topic"),
        ({"audience": "\x00"}, "audience"),
        ({"q": "barn\x00"}, "q"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(operator_client, articles, query, field):
    response = operator_client.get(URL, query)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "99887766" not in summary


def test_htmx_gets_only_the_results(operator_client, articles):
    response = operator_client.get(URL, {"q": "barn"}, headers=HTMX)
    assert response.text.lstrip().startswith('<div id="guide-results"')
    bad = operator_client.get(URL, {"q": "99887766"}, headers=HTMX)
    assert bad.status_code == 400
    assert bad["HX-Push-Url"] == "false"


def test_an_article_page_escapes_its_text(operator_client, editor):
    made = make_article("Test", editor, body_nb="<script>alert(1)</script>\n\nAndre avsnitt")
    response = operator_client.get(reverse("desk:guide_article", args=[made.pk]))
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "<p>Andre avsnitt</p>" in response.text


def test_drafts_and_unknown_articles_are_404(operator_client, articles):
    for pk in (articles["draft"].pk, 999_999):
        assert operator_client.get(reverse("desk:guide_article", args=[pk])).status_code == 404


def test_translated_with_fallback_to_bokmal(operator_client, editor):
    made = make_article("Bokmålstittel", editor, title_en="English title")
    assert "English title" in operator_client.get(URL).text
    untranslated = make_article("Bare bokmål", editor)
    page = operator_client.get(reverse("desk:guide_article", args=[untranslated.pk]))
    assert "Bare bokmål" in page.text
    assert made.title_en == "English title"


def test_every_change_is_kept_in_history(editor):
    made = make_article("Første versjon", editor)
    made.title_nb = "Andre versjon"
    made.save()
    assert [h.title_nb for h in made.history.order_by("history_date")] == [
        "Første versjon",
        "Andre versjon",
    ]


def test_who_may_read_it(client, operator, editor, supervisor, articles):
    pk = articles["rape"].pk
    for user, status in ((operator, 200), (editor, 200), (supervisor, 403)):
        login_verified(client, user)
        assert client.get(URL).status_code == status
        assert client.get(reverse("desk:guide_article", args=[pk])).status_code == status
    client.logout()
    assert client.get(URL).status_code == 302
    login_verified(client, operator)
    assert client.post(URL).status_code == 405


# On the desk


def test_articles_on_a_chosen_topic_show_beside_the_results(operator_client, articles):
    html = operator_client.get(reverse("desk:home"), {"topic": "voldtekt"}).text
    assert reverse("desk:guide_article", args=[articles["rape"].pk]) in html
    assert "Utkast" not in html
    html = operator_client.get(reverse("desk:home"), {"topic": "incest"}).text
    assert reverse("desk:guide_article", args=[articles["rape"].pk]) not in html


def test_articles_for_who_is_calling_show_in_the_call_panel(
    operator_client, operator, operator_site, articles
):
    Call.start(operator, operator_site)
    relatives = reverse("desk:guide_article", args=[articles["relatives"].pk])
    children = reverse("desk:guide_article", args=[articles["children"].pk])
    assert relatives not in operator_client.get(reverse("desk:home")).text
    response = operator_client.post(
        reverse("calls:autosave"), {"caller_role": "parorende"}, headers=HTMX
    )
    assert relatives in response.text and children not in response.text
    response = operator_client.post(
        reverse("calls:autosave"),
        {"caller_role": "parorende", "age_group": "under_16"},
        headers=HTMX,
    )
    assert relatives in response.text and children in response.text


# The editors' dashboard


def test_articles_due_for_review_show_on_the_dashboard_with_their_owner(editor_client, editor):
    today = timezone.localdate()
    overdue = make_article("Forfalt artikkel", editor, review_due=today - timedelta(days=1))
    soon = make_article("Snart forfalt", editor, review_due=today + timedelta(days=10))
    later = make_article("Langt fram", editor, review_due=today + timedelta(days=200))
    html = editor_client.get(reverse("directory:dashboard")).text
    section = html.split('id="articles-due"')[1].split("</section>")[0]
    assert overdue.title in section and soon.title in section
    assert later.title not in section
    assert editor.get_username() in section
    assert section.index(overdue.title) < section.index(soon.title)


def test_reviewed_today_moves_the_review_date(editor_client, editor):
    made = make_article("Forfalt", editor, review_due=timezone.localdate() - timedelta(days=3))
    response = editor_client.post(reverse("guide:reviewed", args=[made.pk]))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.review_due > timezone.localdate() + timedelta(days=300)
    assert editor_client.get(reverse("guide:reviewed", args=[made.pk])).status_code == 405
    assert editor_client.post(reverse("guide:reviewed", args=[999_999])).status_code == 404


def test_only_editors_mark_articles_reviewed(operator_client, editor):
    made = make_article("Forfalt", editor)
    assert operator_client.post(reverse("guide:reviewed", args=[made.pk])).status_code == 403


def test_editors_may_edit_articles_in_the_admin(editor_client, articles):
    response = editor_client.get(reverse("admin:guide_article_change", args=[articles["rape"].pk]))
    assert response.status_code == 200
    assert 'name="title_en"' in response.text  # a translation tab per language


# Demo


def test_the_demo_articles_load_twice_without_duplicates(editor):
    call_command("load_demo_guide", verbosity=0)
    call_command("load_demo_guide", verbosity=0)
    demo = Article.objects.published()
    assert demo.count() == 10  # seven articles, three chat ready texts
    for made in demo:
        assert made.owner == editor
        assert made.title_nb and made.title_en and made.body_nb and made.body_en
        assert made.topics.exists() or made.audiences.exists()
    # Every code the demo names exists (a typo would silently link nothing).
    from hotline.guide.demo import ARTICLES

    for demo in ARTICLES:
        assert Topic.objects.filter(code__in=demo.topics).count() == len(demo.topics)
        assert Audience.objects.filter(code__in=demo.audiences).count() == len(demo.audiences)
    assert set(Audience.objects.values_list("code", flat=True)) == {
        *(code for code, _label in Call.CallerRole.choices if code != "annen"),
        "under_16",
        "chat",  # the chat's ready texts (hotline/chat/migrations)
    }
