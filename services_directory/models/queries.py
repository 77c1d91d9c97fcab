"""The search reads on Service in SQL: vocabulary filters, names, "open at" and ranking.

The public API pages through these. The operator desk answers from the in-memory
``services_directory.search_index``, and the tests hold the two to the same results:
this module is the reference the index is checked against.
"""

from datetime import date, datetime, timedelta
from enum import IntEnum

from django.db import models
from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from services_directory import hours

EARTH_RADIUS_KM = 6371.0
# Trigram word similarity that still finds a typo ("krisesentret") without drifting
# to unrelated names ("regional" ~ "national" scores 0.45).
SIMILARITY = 0.6
MAX_WORDS = 5
NAME_FIELDS = ("name_nb", "name_nn", "name_en", "name_se")
THROUGH_COLUMNS = {
    "topics": "topic",
    "target_groups": "targetgroup",
    "service_types": "servicetype",
}


class Coverage(IntEnum):
    """How a service's coverage relates to the caller's municipality, best first."""

    LOCAL = 0
    REGIONAL = 1
    NATIONAL = 2
    OUTSIDE = 3

    @property
    def code(self) -> str:
        return self.name.lower()


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("open_at needs an aware datetime")
    return timezone.localtime(moment, hours.OSLO)


class ServiceSearchQuerySet(models.QuerySet):
    """The search half of ServiceQuerySet (which adds the editors' reads)."""

    # --- Filters ---

    def with_all_codes(self, relation: str, codes):
        """Services tagged with every one of ``codes`` in ``relation`` (topics, ...)."""
        from services_directory.models.directory import Service

        through = getattr(Service, relation).through
        column = THROUGH_COLUMNS[relation]
        qs = self
        for code in codes:
            qs = qs.filter(
                pk__in=through.objects.filter(**{f"{column}__code": code}).values("service_id")
            )
        return qs

    def for_age(self, age: int):
        return self.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=age),
            Q(max_age__isnull=True) | Q(max_age__gte=age),
        )

    def speaking(self, language_code: str):
        from services_directory.models.directory import Service

        through = Service.languages.through
        return self.filter(
            pk__in=through.objects.filter(language_id=language_code).values("service_id")
        )

    def named_like(self, text: str, *, fuzzy: bool):
        """Every word of ``text`` is in the service's name (any language) or its
        organisation's; on PostgreSQL a near miss counts too ("krisesentret" finds
        "Krisesenteret").

        Written so that PostgreSQL answers from the trigram indexes of migration 0009
        (a bitmap OR per word): the organisations come first, as a literal list.
        """
        from services_directory.models.directory import Organization

        qs = self
        for n, word in enumerate(text.split()[:MAX_WORDS]):
            match = Q()
            for field in NAME_FIELDS:
                match |= Q(**{f"{field}__icontains": word})
            organizations = Organization.objects.filter(name__icontains=word)
            if fuzzy and len(word) >= 4:
                from django.contrib.postgres.lookups import TrigramStrictWordSimilar
                from django.contrib.postgres.search import TrigramStrictWordSimilarity

                # The operator (%>>, indexed, threshold 0.5) finds candidates; the
                # similarity then holds them to SIMILARITY.
                alias = f"_name_similarity_{n}"
                qs = qs.alias(**{alias: TrigramStrictWordSimilarity(word, "name_nb")})
                match |= Q(TrigramStrictWordSimilar(F("name_nb"), Value(word))) & Q(
                    **{f"{alias}__gte": SIMILARITY}
                )
                organizations = Organization.objects.annotate(
                    similarity=TrigramStrictWordSimilarity(word, "name")
                ).filter(Q(name__icontains=word) | Q(similarity__gte=SIMILARITY))
            match |= Q(organization__in=list(organizations.values_list("pk", flat=True)))
            qs = qs.filter(match)
        return qs

    # --- Open at a moment ---

    def open_at(self, moment: datetime):
        """Active services whose own (not per-channel) hours are open at ``moment``.

        Mirrors hours.Schedule.is_open on wall-clock time: a span starting today that
        covers the time, or yesterday's overnight span that has not closed yet. Which
        rows apply on a day follows Schedule.spans_on: a dated exception wins, then the
        holiday policy on public holidays, then the weekly rows.
        """
        local = _local(moment)
        today, now = local.date(), local.time().replace(tzinfo=None)
        yesterday = today - timedelta(days=1)
        starts_today = Q(opens__lte=now) & (Q(closes__gt=now) | Q(closes__lte=F("opens")))
        from_yesterday = Q(closes__lte=F("opens"), closes__gt=now)
        return self.filter(status="active").filter(
            _spans_on(today, starts_today) | _spans_on(yesterday, from_yesterday)
        )

    # --- Ranking ---

    def ranked_for(self, municipality):
        """Annotate ``coverage_rank`` and ``distance_km``, and order local → regional →
        national → outside, nearest first within each; no location sorts last."""

        if municipality is None:
            rank = Case(
                When(covers_whole_country=True, then=Value(Coverage.NATIONAL)),
                default=Value(Coverage.OUTSIDE),
            )
            distance = Value(None, output_field=FloatField())
        else:
            local, regional = _coverage_sets(municipality)
            rank = Case(
                When(local, then=Value(Coverage.LOCAL)),
                When(regional, then=Value(Coverage.REGIONAL)),
                When(covers_whole_country=True, then=Value(Coverage.NATIONAL)),
                default=Value(Coverage.OUTSIDE),
            )
            distance = _distance_from(municipality)
        return self.annotate(coverage_rank=rank, distance_km=distance).order_by(
            "coverage_rank", F("distance_km").asc(nulls_last=True), "name", "pk"
        )


def _coverage_sets(municipality) -> tuple[Q, Q]:
    """ "Covers the caller's municipality" and "covers the caller's county", as
    uncorrelated sets: PostgreSQL hashes each once instead of probing it per service."""
    from services_directory.models.directory import Service

    municipalities = Service.coverage_municipalities.through.objects
    counties = Service.coverage_counties.through.objects
    return (
        Q(pk__in=municipalities.filter(municipality=municipality.pk).values("service_id")),
        Q(pk__in=counties.filter(county=municipality.county_id).values("service_id")),
    )


def _distance_from(municipality):
    from services_directory.models.directory import Location

    nearest = (
        Location.objects.filter(service=OuterRef("pk"), latitude__isnull=False)
        .annotate(km=haversine_km(municipality.latitude, municipality.longitude))
        .order_by("km")
        .values("km")[:1]
    )
    return Subquery(nearest, output_field=FloatField())


def haversine_km(lat: float, lon: float, lat_field="latitude", lon_field="longitude"):
    """Great-circle distance from a fixed point to the row's coordinates, in SQL."""
    lat1, lon1 = Radians(Value(lat)), Radians(Value(lon))
    lat2, lon2 = Radians(F(lat_field)), Radians(F(lon_field))
    a = Power(Sin((lat2 - lat1) / 2), 2) + Cos(lat1) * Cos(lat2) * Power(Sin((lon2 - lon1) / 2), 2)
    # Least() guards ASin against a rounding error just above 1.
    return Value(2 * EARTH_RADIUS_KM) * ASin(Least(Sqrt(a), Value(1.0)))


def _rows(**filters):
    from services_directory.models.directory import OpeningHours

    return OpeningHours.objects.filter(channel__isnull=True, opens__isnull=False, **filters)


def _exception_rows(day: date):
    from services_directory.models.directory import OpeningHours

    return OpeningHours.objects.filter(
        channel__isnull=True, kind="exception", valid_from__lte=day
    ).filter(Q(valid_to__gte=day) | Q(valid_to__isnull=True, valid_from=day))


def _having(rows) -> Q:
    """Services with at least one of ``rows``: an uncorrelated set, hashed once."""
    return Q(pk__in=rows.values("service_id"))


def _spans_on(day: date, condition: Q) -> Q:
    """Some span that applies on ``day`` satisfies ``condition``."""
    exception_today = _having(_exception_rows(day))
    exception_span = _having(_exception_rows(day).filter(condition, opens__isnull=False))
    weekly = _having(_rows(kind="weekly", weekday=day.weekday()).filter(condition))
    if hours.is_public_holiday(day):
        holiday = _having(_rows(kind="holiday").filter(condition))
        regular = (Q(holiday_policy="normal") & weekly) | (Q(holiday_policy="own") & holiday)
    else:
        regular = weekly
    return exception_span | (~exception_today & regular)
