"""The supervisor reports, attacked: can any page or export single out a caller?

Each test is an attempt a curious (or malicious) supervisor could make with nothing but
the pages and the CSV exports: read a small count, derive a hidden one from the totals,
difference two date ranges, or narrow the filters down to one caller. See
docs/disclosure-control.md for the method these tests hold to.
"""

import csv
import io
import itertools
import random
import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from hotline.calls.models import Call, Site
from hotline.reports.disclosure import KEY_MODULUS
from hotline.reports.periods import OSLO, Quarter
from hotline.reports.summary import rebuild_summary
from hotline.reports.tables import PAGES, TABLES
from services_directory.models import Municipality
from tests.factories import make_call, make_site, page_tables

K = 5
# Four weeks in March 2025, and the Monday after them.
FIRST, LAST = date(2025, 3, 3), date(2025, 3, 30)
RANGE = {"period": "2025-Q1"}  # ISO weeks 1–13 of 2025: March is its last four
SMALL = "5636"  # Nesseby, Finnmark: the municipality with four calls
SMALL_NAME = "Nesseby"
FINNMARK = "56"


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def figures(table: list[list[str]]) -> list[str]:
    """The published cells (everything but the header row and the row labels)."""
    return [cell for row in table[1:] for cell in row[1:]]


def withheld_only(table: list[list[str]]) -> bool:
    """Every figure is ":" (blank cells aside)."""
    return {cell for cell in figures(table) if cell} == {":"}


def assert_nothing_small_is_published(table: list[list[str]], k: int = K) -> None:
    for cell in figures(table):
        if cell not in ("", ":"):
            assert int(cell) >= k, table


def assert_no_line_gives_a_hidden_cell_away(table: list[list[str]]) -> None:
    """The attacker's sums: a line whose published total sits beside exactly one ":"
    would give that value away (total minus the rest). Each table's "Total" column adds up
    its row, and its "Total" row adds up each column."""
    header, *rows = table
    has_row_totals = header[-1] in ("Total", "Totalt")
    footer = rows[-1] if rows and rows[-1][0] in ("Total", "Totalt") else None
    body = rows[:-1] if footer else rows
    if has_row_totals:
        for row in [*body, *([footer] if footer else [])]:
            if row[-1] not in ("", ":"):
                assert row[1:-1].count(":") != 1, row
    if footer:
        columns = len(header) - 1
        for j in range(1, columns + 1):
            if footer[j] not in ("", ":"):
                column = [row[j] for row in body]
                assert column.count(":") != 1, (header[j], column, footer[j])


def all_views(client, query: dict) -> dict[str, list[list[list[str]]]]:
    """Every table of every page and every CSV export, for one set of filters."""
    views = {}
    for page in PAGES:
        response = client.get(reverse(page.url_name), query)
        assert response.status_code == 200
        views[page.slug] = page_tables(response.text)
        views[f"{page.slug} html"] = [response.text]
    for table in TABLES:
        response = client.get(reverse("reports:export", args=[table]), query)
        assert response.status_code == 200
        views[f"export {table}"] = [csv_table(response)]
    return views


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _background(site: Site) -> None:
    """Plenty of calls in Oslo and Bergen, so national figures are published."""
    roles = ["utsatt", "utsatt", "parorende", "fagperson"]
    for i in range(60):
        make_call(
            site,
            FIRST + timedelta(days=i % 27),
            channel="phone" if i % 3 else "chat",
            municipality="0301" if i % 2 else "4601",
            caller_role=roles[i % 4],
            age_group="25_34" if i % 2 else "35_49",
            gender="female",
            relation="partner",
            topics=["partnervold"] if i % 2 else ["vold-i-nare-relasjoner"],
            unmet_reason="no_service" if i % 4 == 0 else "",
        )


def _delete_everything(site: Site) -> None:
    Call.objects.filter(site=site).delete()
    site.delete()
    rebuild_summary()  # the roll-up rows counted these calls too


# Each class has its own calls (class-scoped), so a query without a site filter, which
# reads the summary's roll-up rows for all sites and channels, sees only them.
BOTH_LEVELS = pytest.mark.parametrize("level", ["all sites", "this site"])


def _at(level: str, site: Site, query: dict) -> dict:
    return {**query, "site": site.pk} if level == "this site" else dict(query)


@pytest.mark.django_db
class TestFourCallsInAMunicipality:
    """60 calls in Oslo and Bergen, and 4 in Nesseby (Finnmark): sexual assault, 16–17,
    acquaintance, SMS, an unmet need."""

    @pytest.fixture(scope="class")
    @classmethod
    def site(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            site = make_site("Angrepssenteret")
            _background(site)
            for day in (3, 10, 17, 24):
                make_call(
                    site,
                    date(2025, 3, day),
                    channel="sms",
                    municipality=SMALL,
                    caller_role="utsatt",
                    age_group="16_17",
                    gender="female",
                    relation="acquaintance",
                    topics=["seksuelle-overgrep"],
                    unmet_reason="no_service",
                )
        yield site
        with django_db_blocker.unblock():
            _delete_everything(site)

    @BOTH_LEVELS
    @pytest.mark.parametrize(
        "query",
        [RANGE, {**RANGE, "county": FINNMARK}, {**RANGE, "channel": "sms"}],
        ids=["national", "finnmark", "sms"],
    )
    def test_no_page_or_export_shows_them_or_lets_them_be_derived(
        self, supervisor_client, site, level, query
    ):
        views = all_views(supervisor_client, _at(level, site, query))
        for name, tables in views.items():
            if name.endswith(" html"):
                # The municipality is never named: it is pooled into its county.
                assert SMALL_NAME not in tables[0]
                continue
            for table in tables:
                assert_nothing_small_is_published(table)
                assert_no_line_gives_a_hidden_cell_away(table)

    @BOTH_LEVELS
    def test_the_municipality_is_pooled_and_its_county_row_hidden(
        self, supervisor_client, site, level
    ):
        query = _at(level, site, RANGE)
        response = supervisor_client.get(
            reverse("reports:export", args=["unmet_by_municipality"]), query
        )
        rows = {row[0]: row[1:] for row in csv_table(response)}
        assert set(rows["Other municipalities in Finnmark"]) == {":"}
        assert SMALL_NAME not in rows
        response = supervisor_client.get(reverse("reports:export", args=["unmet_by_county"]), query)
        rows = {row[0]: row[1:] for row in csv_table(response)}
        assert set(rows["Finnmark"]) == {":"}

    @BOTH_LEVELS
    def test_their_categories_cannot_be_read_off_any_other_table(
        self, supervisor_client, site, level
    ):
        """SMS, 16–17 and acquaintance are the four calls' own categories: all hidden."""
        checks = {"channels": "SMS", "age_gender": "16–17", "relation": "acquaintance"}
        for table, label in checks.items():
            response = supervisor_client.get(
                reverse("reports:export", args=[table]), _at(level, site, RANGE)
            )
            rows = {row[0]: row[1:] for row in csv_table(response)}
            assert set(rows[label]) == {":"}, (table, rows[label])


def _tables_only(views: dict) -> dict:
    return {name: tables for name, tables in views.items() if not name.endswith(" html")}


def _headline(views: dict) -> str:
    html = views["workload html"][0]
    return re.search(r'report-headline">[^<]*<strong>([^<]*)</strong>', html).group(1)


def _total(table: list[list[str]]) -> int | None:
    """The attacker's reading of a CSV's "Total" row: a number, or None when hidden."""
    value = next(row[1] for row in table if row[0] == "Total")
    return None if value == ":" else int(value)


# Issue 21: six weeks in Finnmark by SMS with 1 to 4 calls each, among weeks of 6.
TARGETS = {
    date(2025, 2, 10): 1,
    date(2025, 3, 17): 3,
    date(2025, 5, 5): 2,
    date(2025, 8, 11): 4,
    date(2025, 11, 3): 1,
    date(2025, 12, 15): 2,
}
YEAR = [Quarter(2025, n) for n in (1, 2, 3, 4)]  # ISO weeks 1 to 52 of 2025
ATTACKED = {"county": FINNMARK, "channel": "sms"}


@pytest.mark.django_db
class TestAveragingAttack:
    """The attack of issue 21: take the totals for [w0, last week] and [w0, the week
    before] for one county and one channel, for 51 start weeks w0, and average their
    differences. Against independent noise per range it recovered 5 of 6 suppressed
    counts. Every week of 2025 holds 6 SMS calls from Finnmark, except six weeks that
    hold 1 to 4 (TARGETS); the keys are drawn from a fixed seed."""

    @pytest.fixture(scope="class")
    @classmethod
    def site(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            site = make_site("Gjennomsnittssenteret")
            alta = Municipality.objects.get(number="5601")
            keys = random.Random(21)  # reproducible keys
            calls = []
            for week in itertools.chain.from_iterable(q.buckets() for q in YEAR):
                for n in range(TARGETS.get(week, 6)):
                    started = datetime(week.year, week.month, week.day, 9 + n, tzinfo=OSLO)
                    calls.append(
                        Call(
                            site=site,
                            started_hour=started + timedelta(days=n % 7),
                            is_open=False,
                            channel="sms",
                            municipality=alta,
                            disclosure_key=keys.randrange(KEY_MODULUS),
                        )
                    )
            Call.objects.bulk_create(calls)
            rebuild_summary()  # bulk_create bypasses close_call, which counts a call
        yield site
        with django_db_blocker.unblock():
            _delete_everything(site)

    def test_the_attack_as_reported_is_refused(self, supervisor_client, site):
        """The exact requests of the report, 102 per suppressed week: date ranges are
        no longer accepted, so each is a 400 naming the field, and nothing is learnt."""
        url = reverse("reports:export", args=["channels"])
        recovered = 0
        for target, count in TARGETS.items():
            last_sunday, sunday_before = target + timedelta(days=6), target - timedelta(days=1)
            differences = []
            for weeks_back in range(1, 52):
                w0 = target - timedelta(weeks=weeks_back)
                totals = []
                for end in (last_sunday, sunday_before):
                    query = {**ATTACKED, "start": w0.isoformat(), "end": end.isoformat()}
                    response = supervisor_client.get(url, query)
                    assert response.status_code == 400
                    assert response.content.decode().startswith("period: ")
                    totals.append(
                        _total(csv_table(response)) if response.status_code == 200 else None
                    )
                if None not in totals:
                    differences.append(totals[0] - totals[1])
            if differences and round(sum(differences) / len(differences)) == count:
                recovered += 1
        assert recovered == 0

    def test_averaging_every_overlapping_pair_of_allowed_periods_recovers_nothing(
        self, supervisor_client, site
    ):
        """The attack adapted to what is still allowed: the attacker takes every period
        the page offers, every pair of them that overlaps, and averages what their
        differences say about each suppressed week; then, for good measure, every way
        a week's count follows from its quarter's published total and other weeks."""
        response = supervisor_client.get(reverse("reports:home"), ATTACKED)
        form = response.text.split('id="report-filters"')[1].split("</form>")[0]
        select = form.split('name="period"')[1].split("</select>")[0]
        offered = [Quarter.parse(v) for v in re.findall(r'<option value="([^"]+)"', select)]
        assert len(offered) > 100  # every quarter since 2000
        assert set(YEAR) <= set(offered)
        overlapping = [
            (a, b)
            for a, b in itertools.combinations(offered, 2)
            if a.first <= b.last and b.first <= a.last
        ]
        assert overlapping == []  # nothing to difference, so nothing to average

        url = reverse("reports:export", args=["calls_over_time"])
        estimates: dict[date, list[int]] = {target: [] for target in TARGETS}
        for quarter in YEAR:
            for query in ({**ATTACKED}, {**ATTACKED, "site": site.pk}):
                query["period"] = quarter.slug
                asked = [supervisor_client.get(url, query).content for _n in range(3)]
                assert asked[0] == asked[1] == asked[2]  # the same on every asking
                table = list(csv.reader(io.StringIO(asked[0].decode("utf-8-sig"))))
                weeks = dict(zip(quarter.buckets(), [row[1] for row in table[1:-1]], strict=True))
                total = _total(table)
                assert total is not None  # ~78 calls: the attacker does get totals
                # The ordinary weeks (6 calls) are published, but for at most one hidden
                # beside a lone target week (secondary suppression): the reading works.
                ordinary = [week for week in quarter.buckets() if week not in TARGETS]
                assert len([week for week in ordinary if weeks[week] == ":"]) <= 1
                for target in TARGETS:
                    if target not in weeks:
                        continue
                    assert weeks[target] == ":"
                    others = [value for week, value in weeks.items() if week != target]
                    if ":" not in others:  # total minus the rest
                        estimates[target].append(total - sum(int(v) for v in others))
        recovered = [
            target
            for target, values in estimates.items()
            if values and round(sum(values) / len(values)) == TARGETS[target]
        ]
        assert estimates == {target: [] for target in TARGETS}
        assert recovered == []


@pytest.mark.django_db
class TestNarrowFilters:
    """The background calls, and a single call in Finnmark (Vadsø): under 16, forced
    marriage, SMS."""

    @pytest.fixture(scope="class")
    @classmethod
    def site(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            site = make_site("Filtersenteret")
            _background(site)
            make_call(
                site,
                date(2025, 3, 12),
                channel="sms",
                municipality="5607",
                caller_role="utsatt",
                age_group="under_16",
                gender="female",
                relation="parent",
                topics=["tvangsekteskap"],
                unmet_reason="language",
                acute=True,
            )
        yield site
        with django_db_blocker.unblock():
            _delete_everything(site)

    @BOTH_LEVELS
    @pytest.mark.parametrize("extra", [{}, {"channel": "sms"}], ids=["county", "county+channel"])
    def test_county_age_group_and_topic_together_cannot_isolate_one_call(
        self, supervisor_client, site, level, extra
    ):
        """The attacker filters on the caller's county (and channel, and site) and reads
        the age group and topic tables: the caller is alone there, so nothing is shown."""
        views = all_views(
            supervisor_client, _at(level, site, {**RANGE, "county": FINNMARK, **extra})
        )
        for name, tables in _tables_only(views).items():
            for table in tables:
                published = [cell for cell in figures(table) if cell not in ("", ":")]
                assert published == [], (name, published)
        for page in PAGES:
            html = views[f"{page.slug} html"][0]
            assert "<strong>:</strong>" in html  # the headline count too
            assert "with an unmet need" not in html  # no "where help is missing" sentence


@pytest.mark.django_db
class TestMargins:
    """In every breakdown one category holds 2 calls beside large ones: the classic
    set-up for total-minus-the-rest."""

    @pytest.fixture(scope="class")
    @classmethod
    def site(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            site = make_site("Margsenteret")
            _background(site)
            for day in (4, 11):
                make_call(
                    site,
                    date(2025, 3, day),
                    channel="",
                    municipality="5601",
                    caller_role="utover",
                    age_group="67_plus",
                    gender="other",
                    relation="child",
                    topics=["vold-mot-eldre"],
                    unmet_reason="distance",
                    acute=True,
                )
        yield site
        with django_db_blocker.unblock():
            _delete_everything(site)

    @BOTH_LEVELS
    @pytest.mark.parametrize("table", sorted(TABLES))
    def test_no_table_lets_a_hidden_cell_be_derived_from_its_totals(
        self, supervisor_client, site, level, table
    ):
        for query in (RANGE, {**RANGE, "channel": "phone"}):
            response = supervisor_client.get(
                reverse("reports:export", args=[table]), _at(level, site, query)
            )
            exported = csv_table(response)
            assert_nothing_small_is_published(exported)
            assert_no_line_gives_a_hidden_cell_away(exported)

    @BOTH_LEVELS
    def test_pages_show_the_same_protected_figures_as_the_exports(
        self, supervisor_client, site, level
    ):
        views = all_views(supervisor_client, _at(level, site, RANGE))
        for page in PAGES:
            shown = views[page.slug]
            exported = [views[f"export {build.__name__}"][0] for build in page.tables]
            # A table whose every figure is withheld is one sentence on the page.
            withheld = [rows for rows in exported if len(rows) > 1 and withheld_only(rows)]
            sentence = "Too few calls to show this table for these filters."
            assert views[f"{page.slug} html"][0].count(sentence) == len(withheld)
            exported = [rows for rows in exported if not any(rows is w for w in withheld)]
            assert len(shown) == len(exported)
            for html_table, csv_rows in zip(shown, exported, strict=True):
                if len(csv_rows) == 1:  # nothing to list: the page says so in one cell
                    assert html_table[0] == csv_rows[0]
                    continue
                assert html_table == csv_rows
                assert_no_line_gives_a_hidden_cell_away(html_table)

    def test_all_sites_and_one_site_give_the_same_figures_for_the_same_calls(
        self, supervisor_client, site
    ):
        """The roll-up rows and the detailed rows count the same calls with the same keys:
        the same figures, whichever the page reads. Nothing to gain from asking twice."""
        national = _tables_only(all_views(supervisor_client, RANGE))
        one_site = _tables_only(all_views(supervisor_client, {**RANGE, "site": site.pk}))
        assert national == one_site


@pytest.mark.django_db
class TestMunicipalityLevel:
    """Oslo: 5 unmet needs for every reason. Bergen: 30, all "no suitable service"."""

    @pytest.fixture(scope="class")
    @classmethod
    def site(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            site = make_site("Kommunesenteret")
            reasons = [value for value, _label in Call.UnmetReason.choices]
            for i in range(5 * len(reasons)):
                make_call(
                    site,
                    FIRST + timedelta(days=i % 20),
                    municipality="0301",
                    unmet_reason=reasons[i % len(reasons)],
                )
            for i in range(30):
                make_call(
                    site,
                    FIRST + timedelta(days=i % 20),
                    municipality="4601",
                    unmet_reason="no_service",
                )
        yield site
        with django_db_blocker.unblock():
            _delete_everything(site)

    @BOTH_LEVELS
    def test_a_municipality_is_shown_only_when_its_whole_row_reaches_k(
        self, supervisor_client, site, level
    ):
        response = supervisor_client.get(
            reverse("reports:export", args=["unmet_by_municipality"]), _at(level, site, RANGE)
        )
        rows = {row[0]: row[1:] for row in csv_table(response)}
        assert "Oslo" in rows
        assert ":" not in rows["Oslo"]
        # Bergen has 30 calls for one reason but none for the others: pooled in its county.
        assert "Bergen" not in rows
        other = rows["Other municipalities in Vestland"]
        assert other[0] not in ("", ":")
        assert int(other[0]) >= 28  # 30, give or take the noise
        assert len([label for label in rows if label.startswith("Other municipalities in")]) == 15

    @BOTH_LEVELS
    def test_the_county_filter_limits_the_municipality_rows_to_that_county(
        self, supervisor_client, site, level
    ):
        query = _at(level, site, {**RANGE, "county": "46"})
        response = supervisor_client.get(
            reverse("reports:export", args=["unmet_by_municipality"]), query
        )
        labels = [row[0] for row in csv_table(response)[1:]]
        assert labels == ["Other municipalities in Vestland", "Total"]
        response = supervisor_client.get(reverse("reports:export", args=["unmet_by_county"]), query)
        assert [row[0] for row in csv_table(response)[1:]] == ["Vestland", "Total"]
