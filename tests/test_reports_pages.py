"""The report pages: who may see them, their filters, htmx, and what they count."""

import ast
import csv
import io
import itertools
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from hotline.calls.models import Call, Site
from hotline.calls.services import close_call
from hotline.demo.users import DEMO_SITE_NAME
from hotline.reports import summary
from hotline.reports.models import (
    ALL_CHANNELS,
    ALL_COUNTIES,
    ALL_SITES,
    CallStat,
    CountedCall,
)
from hotline.reports.periods import OSLO, Quarter, last_complete_sunday
from hotline.reports.summary import BREAKDOWNS, rebuild_summary
from hotline.reports.tables import PAGES
from tests.factories import login_verified, make_call, make_site, make_user

PAGE_NAMES = [page.url_name for page in PAGES]
FIRST, LAST = date(2025, 3, 3), date(2025, 3, 30)  # four whole weeks
RANGE = {"period": "2025-Q1"}  # ISO weeks 1–13 of 2025: March is its last four
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """40 closed calls in March 2025 (30 by phone, 10 by chat; every fifth acute;
    every third with an unmet need), and one call still open."""
    with django_db_blocker.unblock():
        site = make_site("Sidesenteret")
        for i in range(40):
            make_call(
                site,
                FIRST + timedelta(days=i % 14, hours=i % 5),
                channel="chat" if i % 4 == 0 else "phone",
                municipality="0301",
                caller_role="utsatt",
                age_group="25_34",
                gender="female",
                relation="partner",
                topics=["partnervold"],
                acute=i % 5 == 0,
                unmet_reason="no_service" if i % 3 == 0 else "",
            )
        Call.objects.create(site=site, started_hour=datetime(2025, 3, 5, 15, tzinfo=OSLO))
    yield site
    with django_db_blocker.unblock():
        Call.objects.filter(site=site).delete()
        site.delete()
        rebuild_summary()  # the roll-up rows counted these calls too


def tables_by_slug(response) -> dict:
    return {table.slug: table for table in response.context["tables"]}


# Access


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_supervisor_sees_every_page_with_every_table(supervisor_client, site, name):
    response = supervisor_client.get(reverse(name), {**RANGE, "site": site.pk})
    assert response.status_code == 200
    page = next(page for page in PAGES if page.url_name == name)
    tables = response.context["tables"]
    assert [table.slug for table in tables] == [build.__name__ for build in page.tables]
    for table in tables:
        assert f'<h3 id="{table.slug}-title" class="report__title">{table.title}</h3>' in (
            response.text
        )
        # A table whose every figure is withheld is one sentence instead (tested below).
        assert (f">{table.title}</caption>" in response.text) is not table.all_withheld
    assert (
        "Showing Q1 2025: 13 complete weeks, Monday 30. December 2024 to Sunday 30. March 2025."
    ) in " ".join(response.text.split())


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_operators_and_editors_are_refused(client, operator, editor, name):
    for user in (operator, editor):
        login_verified(client, user)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_pages_are_read_only(supervisor_client, name):
    assert supervisor_client.post(reverse(name), RANGE).status_code == 405


@pytest.mark.django_db
def test_an_admin_holds_the_supervisor_role(client):
    login_verified(client, make_user(username="admin", is_superuser=True, is_staff=True))
    assert client.get(reverse("reports:home")).status_code == 200


# Filters


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "2025"}, "Quarter", "Select a valid choice."),
        ({"period": "2025-Q5"}, "Quarter", "Select a valid choice."),
        ({"period": "1999-Q4"}, "Quarter", "Select a valid choice."),
        ({"period": "9999-Q1"}, "Quarter", "Select a valid choice."),
        ({"site": "999999"}, "Helpline site", "Select a valid choice."),
        ({"site": "abc"}, "Helpline site", "Select a valid choice."),
        ({"channel": "fax"}, "Channel", "Select a valid choice."),
        ({"county": "99"}, "County", "Select a valid choice."),
        # The date range of old bookmarks is refused by name: reports show quarters only.
        ({"start": "2025-03-03"}, "Quarter", "not from and to dates (start)"),
        ({"end": "0001-01-01"}, "Quarter", "not from and to dates (end)"),
        ({"start": "2025-03-03", "end": "2025-03-30"}, "Quarter", "(start, end)"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(supervisor_client, query, field, message):
    for name in PAGE_NAMES:
        response = supervisor_client.get(reverse(name), query)
        assert response.status_code == 400
        summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
        assert f"{field}:" in summary
        assert message in summary


NASTY = [
    "0001-01-01",
    "9999-12-31",
    "-1",
    "0",
    "99999999999999999999999",
    "1e400",
    "nan",
    "2025-Q1\x00",
    "\x00",
    "' OR 1=1 --",
    "2025-Q1" * 200,
    "Æøå",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["period", "site", "channel", "county", "start", "end"])
def test_no_filter_value_gives_a_server_error(supervisor_client, name):
    """Every filter, with values that overflow, underflow or are not what they claim to
    be: a 400 naming the field, on the pages and on the exports, never a 5xx."""
    for value in NASTY:
        for url in (reverse("reports:home"), reverse("reports:export", args=["channels"])):
            response = supervisor_client.get(url, {name: value})
            assert response.status_code == 400, (name, value, response.status_code)


@pytest.mark.django_db
def test_the_current_quarter_is_not_offered_until_it_is_over(supervisor_client):
    current = Quarter.of_week(date.today())
    response = supervisor_client.get(reverse("reports:home"), {"period": current.slug})
    assert response.status_code == 400
    options = response.context["filterset"].form.fields["period"].choices
    assert next(slug for slug, _label in options) == Quarter.latest_complete().slug


@pytest.mark.django_db
def test_the_default_is_the_latest_complete_quarter(supervisor_client):
    response = supervisor_client.get(reverse("reports:home"))
    period = response.context["period"]
    assert period == Quarter.latest_complete()
    assert period.last <= last_complete_sunday()
    assert period.next.last > last_complete_sunday()  # the next one is not over yet
    assert period.first.weekday() == 0
    assert period.weeks in (12, 13, 14)


@pytest.mark.parametrize(
    ("slug", "first", "last", "weeks"),
    [
        # A quarter holds the weeks whose Thursday falls in it (ISO 8601's rule for years).
        ("2025-Q1", date(2024, 12, 30), date(2025, 3, 30), 13),
        ("2025-Q2", date(2025, 3, 31), date(2025, 6, 29), 13),
        ("2026-Q4", date(2026, 9, 28), date(2027, 1, 3), 14),  # 2026 has 53 ISO weeks
        ("2027-Q1", date(2027, 1, 4), date(2027, 3, 28), 12),  # 1 April is a Thursday
    ],
)
def test_quarters_are_whole_weeks_that_follow_one_another(slug, first, last, weeks):
    quarter = Quarter.parse(slug)
    assert (quarter.first, quarter.last, quarter.weeks) == (first, last, weeks)
    assert quarter.next.first == quarter.last + timedelta(days=1)
    assert Quarter.of_week(quarter.first) == Quarter.of_week(quarter.last) == quarter


def test_no_two_offered_quarters_share_a_day():
    quarters = sorted(Quarter.complete(date(2026, 12, 7)))
    assert quarters[0].slug == "2000-Q1"
    assert quarters[-1].slug == "2026-Q3"
    for earlier, later in itertools.pairwise(quarters):
        assert later.first == earlier.last + timedelta(days=1)


@pytest.mark.django_db
def test_calls_over_time_are_counted_by_week(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    table = tables_by_slug(response)["calls_over_time"]
    assert table.header[0] == "Week"
    assert table.rows[0] == "week 1, 2025"
    assert len(table.rows) == 13
    # The 40 calls fall on 3 to 16 March 2025: weeks 10 and 11, the 10th and 11th rows.
    counts = [row[0].count for row in table.grid.cells]
    assert sum(counts[9:11]) == sum(counts) == 40
    assert min(counts[9:11]) > 0


@pytest.mark.django_db
def test_only_closed_calls_are_counted(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    channels = tables_by_slug(response)["channels"]
    assert channels.grid.total.count == 40  # not the open one
    assert [row[0].count for row in channels.grid.cells] == [30, 10, 0, 0]


@pytest.mark.django_db
def test_filters_narrow_the_counts(supervisor_client, site):
    def total(**query):
        response = supervisor_client.get(
            reverse("reports:home"), {**RANGE, "site": site.pk, **query}
        )
        return tables_by_slug(response)["channels"].grid.total.count

    assert total(channel="chat") == 10
    assert total(county="03") == 40
    assert total(county="56") == 0
    other = make_site("Tomt senter")
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": other.pk})
    assert tables_by_slug(response)["channels"].grid.total.count == 0
    assert "<strong>:</strong>" in response.text


@pytest.mark.django_db
def test_the_threshold_comes_from_the_settings(supervisor_client, settings):
    few = make_site("Lite senter")
    for day in range(3):
        make_call(few, FIRST + timedelta(days=day), channel="chat")
    query = {**RANGE, "site": few.pk}
    response = supervisor_client.get(reverse("reports:home"), query)
    assert tables_by_slug(response)["channels"].body[1].figures[0].suppressed
    settings.REPORTS_MIN_CELL = 3
    response = supervisor_client.get(reverse("reports:home"), query)
    chat = tables_by_slug(response)["channels"].body[1].figures[0]
    assert chat.value is not None
    assert chat.value >= 3


@pytest.mark.django_db
def test_the_share_of_acute_calls_uses_the_published_figures(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:callers"), {**RANGE, "site": site.pk})
    acute = tables_by_slug(response)["acute"]
    shown, total = acute.body[0].figures[0].value, acute.footer.figures[0].value
    assert acute.extra["share"] == pytest.approx(100 * shown / total)
    assert "Share of acute calls:" in response.text


# htmx and links


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_htmx_gets_only_the_results(supervisor_client, site, name):
    response = supervisor_client.get(reverse(name), {**RANGE, "site": site.pk}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"')
    assert "<html" not in response.text
    assert "<caption" in response.text


@pytest.mark.django_db
def test_htmx_with_bad_filters_shows_the_errors_and_keeps_them_out_of_history(
    supervisor_client,
):
    response = supervisor_client.get(reverse("reports:home"), {"channel": "fax"}, headers=HTMX)
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<div id="results"')
    assert "Channel:" in response.text
    assert response["HX-Push-Url"] == "false"


@pytest.mark.django_db
def test_the_page_works_without_htmx_as_a_plain_get_form(supervisor_client):
    response = supervisor_client.get(reverse("reports:callers"))
    form = response.text.split('id="report-filters"')[1].split("</form>")[0]
    assert 'method="get"' in form
    assert f'action="{reverse("reports:callers")}"' in form
    for name in ("period", "site", "channel", "county"):
        assert f'name="{name}"' in form
    assert 'name="start"' not in form


@pytest.mark.django_db
def test_tabs_and_exports_carry_the_filters(supervisor_client, site):
    query = {**RANGE, "site": site.pk, "channel": "chat"}
    response = supervisor_client.get(reverse("reports:unmet"), {**query, "junk": "x"})
    expected = f"period=2025-Q1&amp;site={site.pk}&amp;channel=chat"
    for name in PAGE_NAMES:
        assert f'href="{reverse(name)}?{expected}"' in response.text
    assert f'href="{reverse("reports:export", args=["unmet_by_county"])}?{expected}"' in (
        response.text
    )
    results = response.text.split('id="results"')[1]
    assert "junk" not in results  # only the filters travel
    assert 'aria-current="page">Unmet needs' in response.text


# Charts and tables


@pytest.mark.django_db
def test_charts_are_labelled_svg_beside_accessible_tables(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    text = response.text
    assert text.count('role="img"') == 2  # calls over time, channels
    assert 'aria-label="Column chart: Calls over time' in text
    assert 'aria-label="Bar chart: Channels. The figures are in the table."' in text
    assert text.count("<caption") == 3
    assert 'scope="col"' in text
    assert 'scope="row"' in text


@pytest.mark.django_db
def test_the_heatmap_colours_published_figures_and_greys_hidden_ones(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    heat = tables_by_slug(response)["heatmap"].heat
    levels = {level for _label, cells, _total in heat for _figure, level in cells}
    assert "heat-x" in levels
    assert levels & {"heat-1", "heat-2", "heat-3", "heat-4"}
    assert 'class="heat-x"><abbr class="suppressed" title="withheld">:</abbr>' in response.text


class Elements(HTMLParser):
    """Every element of a page as (tag, attributes, text within it), in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict, list[str]]] = []
        self.open: list[tuple[str, dict, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = (tag, {name: value or "" for name, value in attrs}, [])
        self.found.append(element)
        if tag not in ("br", "img", "input", "meta", "link", "rect", "line", "col"):
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, _attrs, text in self.open:
            text.append(data)

    def select(self, tag: str, css_class: str = "") -> list[tuple[dict, str]]:
        """(attributes, whitespace-normalised text) of each ``tag`` with ``css_class``."""
        return [
            (attrs, " ".join("".join(text).split()))
            for name, attrs, text in self.found
            if name == tag and (not css_class or css_class in attrs.get("class", "").split())
        ]


@pytest.mark.django_db
def test_every_column_of_calls_over_time_is_a_complete_week(supervisor_client, site):
    """The time series has one column per ISO week of the quarter, each over before the
    report could be asked for: no column stands for a part of a week or a month."""
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    period = response.context["period"]
    start = response.text.index('<svg class="chart chart--columns"')
    page = Elements(response.text[start : response.text.index("</svg>", start)])
    (chart,) = [a for a, _t in page.select("svg", "chart--columns")]
    first, last = period.bucket_label(period.first), period.bucket_label(period.last)
    assert f"Calls over time, {first} to {last}." in chart["aria-label"]
    # A column per week: a bar, or ":" where the week's figure is withheld.
    bars = len(page.select("rect", "chart__bar"))
    withheld = [t for _a, t in page.select("text", "chart__value")].count(":")
    assert bars and withheld
    assert bars + withheld == period.weeks == 13
    weeks = tables_by_slug(response)["calls_over_time"].rows
    assert weeks == [period.bucket_label(monday) for monday in period.buckets()]
    assert period.buckets()[-1] + timedelta(days=6) == period.last
    # The default quarter too: its last week is over before the report is asked for.
    latest = supervisor_client.get(reverse("reports:home")).context["period"]
    assert latest.buckets()[-1] + timedelta(days=6) == latest.last <= last_complete_sunday()


@pytest.mark.django_db
def test_the_heatmap_has_a_legend_with_the_figures_of_each_shade(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    page = Elements(response.text)
    (legend,) = [t for _a, t in page.select("div", "heat-legend")]
    assert legend.startswith("Shading: calls in that hour over the quarter")
    assert legend.endswith(": withheld")
    shades = {a["class"].split()[1]: t for a, t in page.select("span", "heat-swatch")}
    assert shades["heat-x"] == ":"
    # Every published cell lies within the range its shade's legend entry gives.
    shaded = [
        (a["class"], t) for a, t in page.select("td") if a.get("class", "").startswith("heat-")
    ]
    published = [(level, int(text)) for level, text in shaded if text != ":"]
    assert published
    for level, value in published:
        low, _dash, high = shades[level].partition("–")
        assert int(low) <= value <= int(high or low), (level, value, shades[level])
    assert [level for level, text in shaded if text == ":"] == ["heat-x"] * (
        len(shaded) - len(published)
    )
    # Shades run lightest first, and no legend entry starts below the threshold.
    lows = [int(t.partition("–")[0]) for level, t in shades.items() if level != "heat-x"]
    assert lows == sorted(lows)
    assert min(lows) >= response.context["k"]


@pytest.mark.django_db
def test_a_heatmap_with_nothing_published_has_no_legend(supervisor_client, site):
    response = supervisor_client.get(
        reverse("reports:home"), {**RANGE, "site": site.pk, "channel": "sms"}
    )
    assert tables_by_slug(response)["heatmap"].heat_legend == []
    assert Elements(response.text).select("div", "heat-legend") == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_narrow_filter_gives_one_sentence_instead_of_tables_of_withheld(
    supervisor_client, site, name
):
    """No sms calls at all: every figure is ":", so each table is one sentence on the
    page, while its CSV export keeps the table."""
    query = {**RANGE, "site": site.pk, "channel": "sms"}
    response = supervisor_client.get(reverse(name), query)
    assert response.status_code == 200
    page = Elements(response.text)
    empty = [t for t in response.context["tables"] if not t.body]  # nothing to list
    shown = [t for _a, t in page.select("table")]
    assert len(shown) == len(empty)
    assert all(
        t.endswith("Nothing reaches the minimum number of calls to be shown.") for t in shown
    )
    assert page.select("svg") == []
    sentences = [t for _a, t in page.select("p", "report__withheld")]
    withheld = [t for t in response.context["tables"] if t.all_withheld]
    assert sentences == ["Too few calls to show this table for these filters."] * len(withheld)
    assert len(withheld) + len(empty) == len(response.context["tables"])
    for table in withheld:
        export = supervisor_client.get(reverse("reports:export", args=[table.slug]), query)
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert rows[0] == table.header
        assert {cell for row in rows[1:] for cell in row[1:]} <= {":", ""}


@pytest.mark.django_db
def test_the_sentence_is_in_bokmal(client, supervisor, site):
    login_verified(client, supervisor)
    client.cookies["django_language"] = "nb"
    response = client.get(reverse("reports:home"), {**RANGE, "site": site.pk, "channel": "sms"})
    assert "For få samtaler til å vise denne tabellen med disse filtrene." in response.text


@pytest.mark.django_db
def test_a_table_with_one_published_figure_is_shown_whole(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    channels = tables_by_slug(response)["channels"]
    assert not channels.all_withheld
    assert any(f.suppressed for line in channels.body for f in line.figures)  # sms, ...
    assert "Too few calls to show this table" not in response.text
    assert len(Elements(response.text).select("table")) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_landmark_has_a_name_of_its_own(supervisor_client, site, name):
    """axe's "landmark-unique": a table's section is named by its heading, the scrolling
    table inside it by "Table: ..." (they used to share the name)."""
    response = supervisor_client.get(reverse(name), {**RANGE, "site": site.pk})
    page = Elements(response.text)
    headings = {a["id"]: t for a, t in page.select("h3")}
    names = [headings[a["aria-labelledby"]] for a, _t in page.select("section")]
    names += [a["aria-label"] for a, _t in page.select("div") if a.get("role") == "region"]
    names += [a["aria-label"] for a, _t in page.select("nav")]
    assert len(names) == len(set(names)), names
    titles = [t.title for t in response.context["tables"] if not t.all_withheld]
    assert [n for n in names if n.startswith("Table: ")] == [f"Table: {t}" for t in titles]


@pytest.mark.django_db
def test_no_inline_script_or_style(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": site.pk})
    assert "style=" not in response.text
    assert "<style" not in response.text
    for script in response.text.split("<script")[1:]:
        assert script.split(">")[0].strip().startswith("src=")


@pytest.mark.django_db
def test_where_help_is_missing_is_spelled_out(supervisor_client, site):
    response = supervisor_client.get(reverse("reports:unmet"), {**RANGE, "site": site.pk})
    gaps = tables_by_slug(response)["unmet_topic_county"].extra["gaps"]
    assert [(county, topic) for _value, county, topic in gaps] == [
        ("Oslo", "Intimate partner violence")
    ]
    assert "Oslo: " in response.text
    assert "calls about “Intimate partner violence” with an unmet need" in response.text


# The summary behind the pages


@pytest.mark.django_db
def test_closing_a_call_twice_counts_it_once(site):
    call = make_call(site, FIRST, channel="sms")
    before = list(CallStat.objects.order_by("pk").values_list("breakdown", "a", "calls"))
    close_call(call)
    after = list(CallStat.objects.order_by("pk").values_list("breakdown", "a", "calls"))
    assert after == before
    assert CountedCall.objects.filter(call=call).count() == 1


@pytest.mark.django_db
def test_a_call_the_summary_cannot_count_stays_open(site, monkeypatch):
    call = Call.objects.create(site=site, started_hour=datetime(2025, 3, 6, 9, tzinfo=OSLO))

    def fail(cells):
        raise RuntimeError("summary unavailable")

    monkeypatch.setattr(summary, "_add", fail)
    with pytest.raises(RuntimeError):
        close_call(call)
    call.refresh_from_db()
    assert call.is_open
    assert not CountedCall.objects.filter(call=call).exists()


def test_the_call_log_models_do_not_import_the_reports():
    """The reports read the call log; only hotline/calls/services.py, where a close is
    counted, knows both."""
    calls = Path(__file__).resolve().parent.parent / "hotline" / "calls"
    for module in calls.rglob("*.py"):
        if module.name == "services.py" or "views" in module.name or "commands" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not [n for n in names if n.startswith("hotline.reports")], module


@pytest.mark.django_db
def test_every_call_is_counted_per_site_and_in_both_roll_ups(site):
    for breakdown in BREAKDOWNS:
        rows = CallStat.objects.filter(breakdown=breakdown)
        rolled = rows.filter(site=ALL_SITES, channel=ALL_CHANNELS)
        sums = {"n": Sum("calls"), "keys": Sum("key_sum")}
        detailed = rows.exclude(site=ALL_SITES).aggregate(**sums)
        if breakdown == "total":
            assert detailed["n"] == Call.objects.closed().count()
        assert rolled.exclude(county=ALL_COUNTIES).aggregate(**sums) == detailed
        assert rolled.filter(county=ALL_COUNTIES).aggregate(**sums) == detailed


@pytest.mark.django_db
def test_the_rebuild_agrees_with_the_summary_kept_as_calls_close(site):
    fields = ("breakdown", "week", "site", "channel", "county", "a", "b", "calls", "key_sum")
    kept = sorted(CallStat.objects.values_list(*fields))
    assert kept
    call_command("rebuild_report_summary", verbosity=0)
    assert sorted(CallStat.objects.values_list(*fields)) == kept
    assert CountedCall.objects.count() == Call.objects.closed().count()


@pytest.mark.django_db
def test_the_rebuild_of_an_empty_log_is_empty():
    Call.objects.all().delete()  # rolled back after the test
    assert rebuild_summary() == 0
    assert not CallStat.objects.exists()


# The demo


@pytest.mark.django_db
def test_demo_calls_fill_the_demo_reports(supervisor_client, settings):
    settings.DEBUG = True  # the demo refuses to run without it
    call_command("load_demo_calls", calls=300, verbosity=0)
    demo = Site.objects.get(name=DEMO_SITE_NAME)
    assert Call.objects.closed().filter(site=demo).count() == 300
    quarter, total = Quarter.latest_complete(), 0
    for _n in range(4):  # the demo fills the last four complete quarters
        query = {"site": demo.pk, "period": quarter.slug}
        response = supervisor_client.get(reverse("reports:home"), query)
        total += tables_by_slug(response)["channels"].grid.total.count
        assert 'class="chart__bar"' in response.text
        quarter = quarter.previous
    assert total == 300
    call_command("load_demo_calls", calls=300, verbosity=0)  # never twice
    assert Call.objects.filter(site=demo).count() == 300


@pytest.mark.django_db
def test_demo_calls_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo_calls", verbosity=0)
