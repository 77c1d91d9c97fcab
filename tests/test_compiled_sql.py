"""Statements compiled once (services_directory.compiled_sql) read what the querysets
read: the same rows, with the same Python types, on PostgreSQL and on SQLite."""

from datetime import time

import pytest

from services_directory import compiled_sql, search_index
from services_directory.models import ContactChannel, OpeningHours, Service
from services_directory.search_cards import SERVICE_COLUMNS
from tests.factories import add_location, make_service

pytestmark = pytest.mark.django_db


def rows(name, build, pks):
    """The rows of ``build(pks)`` through its statement compiled once."""
    [found] = compiled_sql.run([compiled_sql.compiled(name, build, pks)])
    return found


@pytest.fixture
def two():
    first, second = (make_service(f"Tjeneste {n}", municipalities=["1804"]) for n in range(2))
    for service in (first, second):
        add_location(service, "1804", confidential=service is second)
        OpeningHours.objects.create(service=service, weekday=1, opens=time(9), closes=time(15))
        ContactChannel.objects.create(service=service, kind="phone", value="+4722222222")
        ContactChannel.objects.create(service=service, kind="web", value="https://x.no", position=1)
    return first, second


def test_every_read_of_a_few_services_gives_the_querysets_rows(two):
    first, second = two
    for pks in ({first.pk}, {first.pk, second.pk}, {first.pk, -5}):
        for name, build in search_index._READS.items():
            expected = list(build(pks))
            assert expected, name
            assert list(rows(name, build, pks)) == expected, name
            assert list(rows(name, build, pks)) == expected, name  # reused


def test_rows_have_the_querysets_python_types(two):
    first, _second = two
    [hours] = rows("hours", search_index._READS["hours"], {first.pk})
    assert hours[3:5] == (time(9), time(15))  # SQLite gives text until converted
    [service] = rows("services", search_index._READS["services"], {first.pk})
    row = search_index.ServiceRow.of(service)
    assert (row.pk, row.names[0], row.national) == (first.pk, "Tjeneste 0", False)
    assert dict(zip(SERVICE_COLUMNS, row.columns, strict=True))["status"] == "active"


def test_a_reload_of_a_few_services_sends_every_read_at_once(two, monkeypatch):
    first, second = two
    batches = []
    original = compiled_sql.run

    def counted(reads):
        batches.append(len(reads))
        return original(reads)

    monkeypatch.setattr(compiled_sql, "run", counted)
    pks = {first.pk, second.pk}
    reads = search_index._reads(pks)
    for name, build in search_index._READS.items():
        assert list(getattr(reads, name)) == list(build(pks)), name
    assert {(relation, pk) for relation, pk, _ids in reads.related} >= {
        ("coverage_municipalities", first.pk),
        ("coverage_municipalities", second.pk),
    }
    # The five reads and the many-to-many relations: one batch, one round trip.
    assert batches == [len(search_index._READS) + 1]
    # A whole directory is streamed from the querysets instead.
    whole = search_index._reads(None)
    assert first.pk in dict(whole.policies)
    assert batches == [len(search_index._READS) + 1]


def test_the_relations_read_at_once_are_those_the_whole_directory_streams(two):
    first, second = two
    streamed = {
        (relation, pk): ids
        for relation, pk, ids in search_index._reads(None).related
        if pk in (first.pk, second.pk)
    }
    at_once = {
        (relation, pk): tuple(sorted(ids))
        for relation, pk, ids in search_index._reads({first.pk, second.pk}).related
    }
    assert streamed
    assert {key: tuple(sorted(ids)) for key, ids in streamed.items()} == at_once


def test_a_read_with_other_negative_numbers_is_refused():
    def build(pks):
        return Service.objects.filter(pk__in=pks).exclude(pk=-1).values_list("pk")

    with pytest.raises(ValueError, match="negative"):
        rows("odd", build, [1])
