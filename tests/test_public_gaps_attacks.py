"""The open gap data, attacked: can anyone on the internet single out a caller?

The attacker has what the public API gives everyone, JSON and CSV, as often as they like
(tests/test_reports_attacks.py plays the same attacker against the supervisors'
reports). They replay the averaging attack of issue 21: difference overlapping periods
and average; then what is left of it when only whole quarters exist: every quarter,
county by county, again and again, and every "total minus the rest".
"""

import csv
import io
import itertools
import json
import random
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from hotline.calls.models import Call
from hotline.reports.disclosure import KEY_MODULUS
from hotline.reports.periods import OSLO, Quarter
from hotline.reports.summary import rebuild_summary
from services_directory.models import County, Municipality, ServiceType
from tests.factories import make_site

GAPS = reverse("api:public_gaps")
GAPS_CSV = reverse("api:public_gaps_csv")
K = 5
FINNMARK, ALTA = "56", "5601"
YEAR = [Quarter(2025, n) for n in (1, 2, 3, 4)]
# Finnmark's unmet needs per quarter: 1 to 4, among counties with 8 or more.
TARGETS = {YEAR[0]: 1, YEAR[1]: 3, YEAR[2]: 2, YEAR[3]: 4}
ORDINARY = 8

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _unthrottled(settings):
    settings.PUBLIC_API_RATE_LIMIT = 1_000_000


def _calls(site, quarter, count, municipality, keys, reason="no_service", missing=None):
    return [
        Call(
            site=site,
            started_hour=datetime(day.year, day.month, day.day, 10, tzinfo=OSLO),
            is_open=False,
            municipality=municipality,
            unmet_reason=reason,
            unmet_service_type=missing,
            disclosure_key=keys.randrange(KEY_MODULUS),
        )
        for n in range(count)
        for day in [quarter.first + timedelta(days=(n * 5) % (7 * quarter.weeks))]
    ]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every quarter of 2025: 8 unmet needs (no suitable service, crisis centre missing)
    in every county and among the calls without a municipality, 10 more in Oslo (centre
    full, sexual assault centre missing), and 1 to 4 in Finnmark (TARGETS). Finnmark
    also has 20 a quarter on a training site, which count nowhere. Keys from a seed."""
    with django_db_blocker.unblock():
        site = make_site("Angrepssenteret for åpne data")
        training = make_site("Øving for åpne data", is_training=True)
        keys = random.Random(24)
        centre = ServiceType.objects.get(code="krisesenter")
        assault = ServiceType.objects.get(code="overgrepsmottak")
        places = [
            Municipality.objects.filter(county=county).order_by("number").first()
            for county in County.objects.exclude(number=FINNMARK)
        ]
        alta = Municipality.objects.get(number=ALTA)
        calls = []
        for quarter in YEAR:
            for place in [*places, None]:
                calls += _calls(site, quarter, ORDINARY, place, keys, missing=centre)
            calls += _calls(site, quarter, 10, places[0], keys, reason="full", missing=assault)
            calls += _calls(site, quarter, TARGETS[quarter], alta, keys, missing=centre)
            calls += _calls(training, quarter, 20, alta, keys, missing=centre)
        Call.objects.bulk_create(calls)
        rebuild_summary()  # bulk_create bypasses close_call, which counts a call
    yield site
    with django_db_blocker.unblock():
        Call.objects.filter(site__in=[site, training]).delete()
        site.delete()
        training.delete()
        rebuild_summary()


def from_csv(content: bytes) -> dict[str, dict]:
    """The CSV read back into the JSON's shape: county -> figures (None for ":")."""
    rows: dict[str, dict] = {}
    for line in list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")))):
        row = rows.setdefault(line["county"], {"by_reason": {}, "by_service_type": {}})
        value = None if line["calls"] == ":" else int(line["calls"])
        if line["category"] == "total":
            row["total"] = value
        else:
            row[f"by_{line['breakdown']}"][line["category"]] = value
    return rows


def from_json(content: bytes) -> dict[str, dict]:
    return {
        row["county"]: {key: row[key] for key in ("by_reason", "by_service_type", "total")}
        for row in json.loads(content)["counties"]
    }


READERS = {GAPS: from_json, GAPS_CSV: from_csv}


def estimates(rows: dict[str, dict], county: str) -> list[int]:
    """Every "total minus the rest" that pins down one of ``county``'s hidden figures:
    a line (its row, a column, the column of row totals) whose published total sits
    beside exactly one ":", which is that county's."""
    found = []
    body = {code: row for code, row in rows.items() if code != "all"}
    lines = [([row["total"] for row in body.values()], list(body), rows["all"]["total"])]
    for breakdown in ("by_reason", "by_service_type"):
        mine = rows[county][breakdown]
        lines.append((list(mine.values()), [None] * len(mine), rows[county]["total"]))
        for code, total in rows["all"][breakdown].items():
            lines.append(([row[breakdown][code] for row in body.values()], list(body), total))
    for values, owners, total in lines:
        hidden = [i for i, value in enumerate(values) if value is None]
        if total is None or len(hidden) != 1:
            continue
        if owners[hidden[0]] in (county, None):
            found.append(total - sum(value for value in values if value is not None))
    return found


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
def test_the_attack_as_reported_is_refused(client, world, url):
    """The requests of issue 21, 102 per target: two date ranges from each of 51 start
    weeks, one ending with the target quarter and one just before it. There are no date
    ranges here: each is a 400 naming both parameters, and nothing is learnt."""
    recovered = 0
    for quarter, count in TARGETS.items():
        differences = []
        for weeks_back in range(1, 52):
            w0 = quarter.first - timedelta(weeks=weeks_back)
            totals = []
            for end in (quarter.last, quarter.first - timedelta(days=1)):
                query = {"county": FINNMARK, "start": w0.isoformat(), "end": end.isoformat()}
                response = client.get(url, query)
                assert response.status_code == 400
                assert {"start", "end"} <= set(response.json()["errors"])
                ok = response.status_code == 200
                totals.append(READERS[url](response.content)[FINNMARK]["total"] if ok else None)
            if None not in totals:
                differences.append(totals[0] - totals[1])
        if differences and round(sum(differences) / len(differences)) == count:
            recovered += 1
    assert recovered == 0


@pytest.mark.parametrize("name", ["from", "to", "week", "period", "since", "site", "channel"])
def test_other_ways_to_ask_for_a_narrower_period_or_group_are_refused(client, world, name):
    for url in READERS:
        response = client.get(url, {"quarter": "2025-Q2", name: "2025-05-05"})
        assert response.status_code == 400
        assert name in response.json()["errors"]


@pytest.mark.parametrize("url", [GAPS, GAPS_CSV])
def test_averaging_everything_that_is_allowed_recovers_nothing(client, world, url):
    """The attack adapted to what is allowed: every quarter the API describes, checked
    for overlaps (none: nothing to difference); each asked three times, nationally and
    county by county (the same bytes, and a county's rows are the national ones); then
    every "total minus the rest" for Finnmark, averaged over all the askings."""
    document = client.get(reverse("api:public_openapi")).json()
    (parameter,) = [
        p
        for p in document["paths"]["/api/v1/public/gaps"]["get"]["parameters"]
        if p["name"] == "quarter"
    ]
    offered = [Quarter.parse(slug) for slug in parameter["schema"]["enum"]]
    assert len(offered) > 100  # every ended quarter since 2000
    assert set(YEAR) <= set(offered)
    overlapping = [
        (a, b)
        for a, b in itertools.combinations(offered, 2)
        if a.first <= b.last and b.first <= a.last
    ]
    assert overlapping == []  # nothing to difference, so nothing to average

    read = READERS[url]
    found: dict[Quarter, list[int]] = {quarter: [] for quarter in YEAR}
    counties = list(County.objects.values_list("number", flat=True))
    for quarter in YEAR:
        asked = [client.get(url, {"quarter": quarter.slug}).content for _n in range(3)]
        assert asked[0] == asked[1] == asked[2]  # the same on every asking
        rows = read(asked[0])
        # The attacker does get figures: every other county, and the country.
        assert rows["all"]["total"] is not None
        assert sum(row["total"] is not None for row in rows.values()) >= 14
        assert rows[FINNMARK]["total"] is None
        assert rows[FINNMARK]["by_reason"]["no_service"] is None
        for number in counties:
            one = read(client.get(url, {"quarter": quarter.slug, "county": number}).content)
            assert one == {number: rows[number], "all": rows["all"]}
        found[quarter] += estimates(rows, FINNMARK)
    recovered = [
        quarter
        for quarter, values in found.items()
        if values and round(sum(values) / len(values)) == TARGETS[quarter]
    ]
    assert found == {quarter: [] for quarter in YEAR}
    assert recovered == []


def test_the_csv_and_the_json_publish_the_same_figures(client, world):
    for quarter in YEAR:
        query = {"quarter": quarter.slug}
        assert from_csv(client.get(GAPS_CSV, query).content) == from_json(
            client.get(GAPS, query).content
        )


def test_both_tables_publish_the_same_county_totals(client, supervisor_client, world):
    """A county's total is the same calls in both tables, so it is the same figure, and
    hidden in both or in neither: one table's total cannot fill in the other's."""
    for quarter in YEAR:
        totals = []
        for table in ("unmet_by_county", "unmet_county_service_type"):
            export = supervisor_client.get(
                reverse("reports:export", args=[table]), {"period": quarter.slug}
            )
            lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
            totals.append([line[-1] for line in lines[1:]])
        assert totals[0] == totals[1]
        assert totals[0].count(":") >= 2  # Finnmark's, and one beside it


def test_the_training_calls_give_nothing_away(client, world):
    """20 training calls a quarter in Finnmark would lift it over the threshold: they
    are not counted, so Finnmark stays hidden (14 counties and the calls without a
    municipality hold 8 each, Oslo 10 more)."""
    for quarter in YEAR:
        rows = from_json(client.get(GAPS, {"quarter": quarter.slug}).content)
        assert rows[FINNMARK]["total"] is None
        assert abs(rows["all"]["total"] - (15 * ORDINARY + 10 + TARGETS[quarter])) <= 2


def test_dates_in_the_past_change_nothing_already_published(client, world):
    """Quarters are fixed: a date inside one is refused, so the same calls are never
    asked about in two ways (docs/disclosure-control.md, "Fixed quarters")."""
    day = date(2025, 5, 5)
    response = client.get(GAPS, {"quarter": day.isoformat()})
    assert response.status_code == 400
    assert "quarter" in response.json()["errors"]


def test_the_attackers_arithmetic_would_work_without_secondary_suppression(
    client, world, monkeypatch
):
    """A control: with primary suppression alone, the same reading of the same answers
    does pin Finnmark down (a total beside its one ":"), so the attack above is real."""
    from hotline.reports import tables
    from hotline.reports.disclosure import Grid

    def primary_only(grid: Grid, k: int) -> Grid:
        return grid.with_suppressed({p for p in grid.positions() if grid.get(p).count < k})

    monkeypatch.setattr(tables, "protect", primary_only)
    rows = from_json(client.get(GAPS, {"quarter": YEAR[1].slug}).content)
    assert rows[FINNMARK]["total"] is None
    assert estimates(rows, FINNMARK) != []
