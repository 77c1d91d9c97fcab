"""Unmet needs as open data (issue 24, part 4): /api/v1/public/gaps, its CSV, and the
public page /open-data/gaps/. Open to everyone, the supervisors' protected figures,
whole ended quarters only, bad input a 400 naming the parameter.

The attacks on these figures are in tests/test_public_gaps_attacks.py.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from hotline.calls.models import Call
from hotline.reports.periods import Quarter
from hotline.reports.summary import rebuild_summary
from services_directory.models import ServiceType
from tests.factories import elements, make_call, make_site, page_tables

GAPS = reverse("api:public_gaps")
GAPS_CSV = reverse("api:public_gaps_csv")
PAGE = reverse("open_gaps")
QUARTER = Quarter(2025, 1)  # ISO weeks 1–13 of 2025: 30 December 2024 to 30 March 2025
ASKED = {"quarter": QUARTER.slug}
K = 5

pytestmark = pytest.mark.django_db  # each test in a transaction on top of the world


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000


def _unmet(site, count, municipality, reason, missing, start=date(2025, 2, 3)):
    missing_type = ServiceType.objects.get(code=missing) if missing else None
    for n in range(count):
        make_call(
            site,
            start + timedelta(days=n % 20),
            municipality=municipality,
            unmet_reason=reason,
            unmet_service_type=missing_type,
        )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """In Q1 2025: Oslo 20 calls without a suitable service (crisis centre missing) and 6
    with the centre full; Bergen 12 with no sexual assault centre; Nesseby (Finnmark) 2
    with a language barrier. Beside them, 6 calls whose need was met, and 30 unmet needs
    in Bodø (Nordland) logged on a training site, which count nowhere."""
    with django_db_blocker.unblock():
        site = make_site("Åpne data-senteret")
        training = make_site("Øvingssenteret", is_training=True)
        _unmet(site, 20, "0301", "no_service", "krisesenter")
        _unmet(site, 6, "0301", "full", "krisesenter")
        _unmet(site, 12, "4601", "no_service", "overgrepsmottak")
        _unmet(site, 2, "5636", "language", None)
        _unmet(site, 6, "0301", "none", None)
        _unmet(training, 30, "1804", "no_service", "krisesenter")
    yield {"site": site, "training": training}
    with django_db_blocker.unblock():
        Call.objects.filter(site__in=[site, training]).delete()
        site.delete()
        training.delete()
        rebuild_summary()


def counties(response) -> dict[str, dict]:
    return {row["county"]: row for row in response.json()["counties"]}


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def near(value: int | None, count: int) -> bool:
    """A published figure: the count shifted by at most 2, never below k."""
    return value is not None and value >= K and abs(value - count) <= 2


# --- What is published -------------------------------------------------------------------


def test_open_to_everyone_without_login(client, world):
    for url in (GAPS, GAPS_CSV, PAGE):
        response = client.get(url, ASKED)
        assert response.status_code == 200, url
    for url in (GAPS, GAPS_CSV):
        assert not client.get(url, ASKED).cookies  # no session, no CSRF cookie


def test_the_figures_per_county_reason_and_missing_service_type(client, world):
    response = client.get(GAPS, ASKED)
    body = response.json()
    assert body["quarter"] == "2025-Q1"
    assert (body["first_day"], body["last_day"], body["weeks"]) == ("2024-12-30", "2025-03-30", 13)
    assert body["min_cell"] == K
    assert [r["code"] for r in body["reasons"]] == [
        "no_service",
        "closed",
        "full",
        "language",
        "accessibility",
        "distance",
        "other",
    ]
    assert body["reasons"][0]["label"] == {
        "nb": "ingen passende tilbud",
        "en": "no suitable service",
    }
    types = [t["code"] for t in body["service_types"]]
    assert types[0] == "krisesenter" and types[-1] == "not_recorded"
    rows = counties(response)
    # Every county, the calls without a municipality, and the country, in that order.
    assert list(rows)[:2] == ["03", "11"]
    assert list(rows)[-2:] == ["not_recorded", "all"]
    oslo = rows["03"]
    assert oslo["name"] == {"nb": "Oslo", "en": "Oslo"}
    assert near(oslo["by_reason"]["no_service"], 20)
    assert near(oslo["by_reason"]["full"], 6)
    assert near(oslo["by_service_type"]["krisesenter"], 26)
    assert near(oslo["total"], 26)
    vestland = rows["46"]
    assert near(vestland["by_reason"]["no_service"], 12)
    assert near(vestland["by_service_type"]["overgrepsmottak"], 12)
    # Two calls are never shown, nor their county's total.
    finnmark = rows["56"]
    assert finnmark["by_reason"]["language"] is None
    assert finnmark["total"] is None
    assert rows["all"]["name"] == {"nb": "Hele landet", "en": "All of Norway"}
    assert near(rows["all"]["total"], 40)


def test_met_needs_and_training_calls_are_not_counted(client, world):
    rows = counties(client.get(GAPS, ASKED))
    # 30 unmet needs in Nordland, all from training: nothing there at all.
    assert rows["18"]["total"] is None
    assert set(rows["18"]["by_reason"].values()) == {None}
    # Oslo's 6 met needs are not in its 26.
    assert abs(rows["03"]["total"] - 26) <= 2


def test_no_figure_below_k_and_no_line_with_one_hidden_cell_beside_its_total(client, world):
    rows = counties(client.get(GAPS, ASKED))
    for breakdown in ("by_reason", "by_service_type"):
        for row in rows.values():
            values = list(row[breakdown].values())
            assert all(v is None or v >= K for v in values)
            if row["total"] is not None:
                assert values.count(None) != 1, (row["county"], breakdown)
        body = [row for code, row in rows.items() if code != "all"]
        for code, total in rows["all"][breakdown].items():
            if total is not None:
                column = [row[breakdown][code] for row in body]
                assert column.count(None) != 1, (breakdown, code)
    totals = [row["total"] for code, row in rows.items() if code != "all"]
    assert totals.count(None) != 1


def test_the_same_figures_as_the_supervisors_see(client, supervisor_client, world):
    """The open data is the supervisors' tables, not a copy: the same figures."""
    rows = counties(client.get(GAPS, ASKED))
    for table, breakdown in (
        ("unmet_by_county", "by_reason"),
        ("unmet_county_service_type", "by_service_type"),
    ):
        export = supervisor_client.get(
            reverse("reports:export", args=[table]), {"period": QUARTER.slug}
        )
        lines = csv_lines(export)[1:]
        published = [
            ":" if v is None else str(v)
            for row in rows.values()
            for v in [*row[breakdown].values(), row["total"]]
        ]
        assert published == [cell for line in lines for cell in line[1:]]


def test_the_csv_holds_the_same_figures_one_a_line(client, world):
    rows = counties(client.get(GAPS, ASKED))
    response = client.get(GAPS_CSV, ASKED)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="unmet_needs_2025-Q1.csv"' in response["Content-Disposition"]
    header, *lines = csv_lines(response)
    assert header == [
        "quarter",
        "county",
        "county_nb",
        "county_en",
        "breakdown",
        "category",
        "category_nb",
        "category_en",
        "calls",
    ]
    assert {line[0] for line in lines} == {"2025-Q1"}
    by_key = {(line[1], line[4], line[5]): line[8] for line in lines}
    for code, row in rows.items():
        for breakdown in ("reason", "service_type"):
            figures = {**row[f"by_{breakdown}"], "total": row["total"]}
            for category, value in figures.items():
                assert by_key.pop((code, breakdown, category)) == (
                    ":" if value is None else str(value)
                )
    assert by_key == {}
    oslo = next(line for line in lines if line[1] == "03" and line[5] == "no_service")
    assert oslo[2:8] == [
        "Oslo",
        "Oslo",
        "reason",
        "no_service",
        "ingen passende tilbud",
        "no suitable service",
    ]


def test_a_county_is_its_rows_of_the_national_figures(client, world):
    national = counties(client.get(GAPS, ASKED))
    for number in ("03", "56"):
        rows = counties(client.get(GAPS, {**ASKED, "county": number}))
        assert list(rows) == [number, "all"]
        assert rows == {number: national[number], "all": national["all"]}
        lines = csv_lines(client.get(GAPS_CSV, {**ASKED, "county": number}))
        assert {line[1] for line in lines[1:]} == {number, "all"}


def test_the_latest_ended_quarter_by_default(client, world):
    body = client.get(GAPS).json()
    assert body["quarter"] == Quarter.latest_complete().slug


def test_the_page_shows_the_same_figures_in_bokmal_and_english(client, settings, world):
    rows = counties(client.get(GAPS, ASKED))
    response = client.get(PAGE, ASKED)
    assert response.status_code == 200
    html = response.text
    assert "Udekket behov etter fylke" in html
    reason_table, type_table = page_tables(html)
    assert reason_table[0][0] == "Fylke"
    expected = [
        [":" if v is None else str(v) for v in [*row["by_reason"].values(), row["total"]]]
        for row in rows.values()
    ]
    assert [line[1:] for line in reason_table[1:]] == expected
    assert reason_table[1][0] == "Oslo" and reason_table[-1][0] == "Hele landet"
    assert len(type_table) == len(reason_table)
    links = {a["href"] for a in elements(html, "a")}
    assert f"{GAPS_CSV}?quarter=2025-Q1" in links
    assert f"{GAPS}?quarter=2025-Q1" in links
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(PAGE, ASKED).text
    assert "Unmet needs by county" in html
    english = page_tables(html)[0]
    assert [line[1:] for line in english[1:]] == expected
    assert (english[0][0], english[-2][0], english[-1][0]) == (
        "County",
        "municipality not recorded",
        "All of Norway",
    )


def test_the_page_for_one_county(client, world):
    response = client.get(PAGE, {**ASKED, "county": "46"})
    labels = [line[0] for line in page_tables(response.text)[0][1:]]
    assert labels == ["Vestland", "Hele landet"]
    links = {a["href"] for a in elements(response.text, "a")}
    assert f"{GAPS_CSV}?quarter=2025-Q1&county=46" in links


def test_the_page_with_htmx_answers_its_results_only(client, world):
    response = client.get(PAGE, ASKED, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"')


# --- Bad input ----------------------------------------------------------------------------

BAD = [
    ({"quarter": "2025Q1"}, "quarter"),
    ({"quarter": "2025-Q5"}, "quarter"),
    ({"quarter": "1999-Q4"}, "quarter"),
    ({"quarter": "\x00"}, "quarter"),
    ({"county": "99"}, "county"),
    ({"county": "1804"}, "county"),
    ({"county": "\x00"}, "county"),
    ({"start": "2025-01-06", "end": "2025-03-30"}, "start"),
    ({"site": "1"}, "site"),
    ({"channel": "sms"}, "channel"),
    ({"format": "csv"}, "format"),
    ({"quarter": ""}, "quarter"),
]


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
@pytest.mark.parametrize(("query", "field"), BAD, ids=[str(q) for q, _f in BAD])
def test_bad_input_is_a_400_naming_the_parameter(client, url, query, field):
    response = client.get(url, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_quarter_that_has_not_ended_is_refused(client):
    current = Quarter.latest_complete().next
    for quarter in (current, current.next):
        response = client.get(GAPS, {"quarter": quarter.slug})
        assert response.status_code == 400
        (message,) = response.json()["errors"]["quarter"]
        assert "ikke over" in message and Quarter.latest_complete().slug in message


@pytest.mark.parametrize(
    ("query", "field"), [({"quarter": "2099-Q1"}, "Kvartal"), ({"county": "99"}, "Fylke")]
)
def test_the_page_refuses_bad_input_with_a_400_naming_the_field(client, query, field):
    response = client.get(PAGE, query)
    assert response.status_code == 400
    summary = response.text.split('class="error-summary" role="alert"')[1].split("</div>")[0]
    assert f"<li>{field}: " in summary
    assert page_tables(response.text) == []


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_the_page_is_read_only(client):
    assert client.post(PAGE).status_code == 405


# --- Caching --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
def test_an_unchanged_answer_is_a_304(client, world, url):
    first = client.get(url, ASKED)
    again = client.get(url, ASKED)
    assert first.content == again.content
    assert first["ETag"] == again["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    assert first["Access-Control-Expose-Headers"] == "ETag, Retry-After"
    not_modified = client.get(url, ASKED, headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    other = client.get(url, {"quarter": "2024-Q4"})
    assert other["ETag"] != first["ETag"]


def test_a_late_close_gives_new_figures_and_a_new_etag(client, world):
    before = client.get(GAPS, ASKED)
    # Enough calls closed late to move Vestland's figure whatever the noise.
    _unmet(world["site"], 10, "4601", "no_service", "overgrepsmottak")
    after = client.get(GAPS, ASKED, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert counties(after)["46"]["by_reason"]["no_service"] >= 18


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
def test_limited_like_the_rest_of_the_public_api(client, settings, url):
    settings.PUBLIC_API_RATE_LIMIT = 2
    assert [client.get(url).status_code for _n in range(3)] == [200, 200, 429]


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
def test_any_web_page_may_read_it(client, url):
    preflight = client.options(url, headers={"Origin": "https://kommune.example"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in preflight


def test_the_page_is_linked_from_every_page_footer(client):
    links = {a["href"] for a in elements(client.get(reverse("login")).text, "a")}
    assert PAGE in links
