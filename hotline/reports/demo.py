"""Realistic made-up calls, for the demo and for the report benchmark.

Nothing here resembles a real caller: every answer is drawn at random from rough
proportions a helpline of this kind sees (more calls in the evening and at weekends,
mostly partner violence, callers' municipalities weighted by population, about half the
calls referred to a service covering the caller's municipality, an unmet need in about
one call in seven, more often in small municipalities).
"""

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from hotline.reports.periods import OSLO

# Relative call volume by hour of day (Oslo time): quiet nights, busy evenings.
HOUR_WEIGHTS = [3, 2, 1.5, 1, 1, 1, 1.5, 2.5, 4, 5, 5.5, 6, 6, 6, 6.5, 7, 7.5, 8.5, 10, 11, 12]
HOUR_WEIGHTS += [12, 9, 6]
WEEKDAY_WEIGHTS = [1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.25]  # Monday .. Sunday
CHANNELS = {"phone": 60, "chat": 30, "sms": 10}
CALLER_ROLES = {"utsatt": 55, "parorende": 20, "fagperson": 12, "utover": 5, "annen": 5, "": 3}
AGE_GROUPS = {
    "under_16": 4,
    "16_17": 5,
    "18_24": 16,
    "25_34": 24,
    "35_49": 25,
    "50_66": 12,
    "67_plus": 4,
    "unknown": 8,
    "": 2,
}
GENDERS = {"female": 72, "male": 20, "other": 2, "unknown": 4, "": 2}
RELATIONS = {
    "partner": 30,
    "ex_partner": 18,
    "parent": 10,
    "child": 4,
    "sibling": 2,
    "other_family": 5,
    "acquaintance": 10,
    "stranger": 7,
    "unknown": 6,
    "not_relevant": 4,
    "": 4,
}
TOPICS = {
    "vold-i-nare-relasjoner": 30,
    "partnervold": 25,
    "voldtekt": 10,
    "seksuelle-overgrep": 12,
    "incest": 4,
    "tvangsekteskap": 2,
    "negativ-sosial-kontroll": 4,
    "kjonnslemlestelse": 1,
    "vold-mot-eldre": 3,
    "menneskehandel": 1,
    "digital-vold": 5,
    "forfolgelse": 5,
    "vold-utenfor-nare-relasjoner": 6,
    "egen-voldsbruk": 4,
}
TOPIC_COUNT = {0: 2, 1: 60, 2: 30, 3: 8}
OTHER_OUTCOMES = {
    "information": 40,
    "support_talk": 35,
    "silent_or_hung_up": 10,
    "wrong_number": 5,
    "other": 10,
}
UNMET_REASONS = {
    "no_service": 30,
    "closed": 20,
    "full": 15,
    "language": 8,
    "accessibility": 5,
    "distance": 15,
    "other": 7,
}
ADAPTATIONS = {
    "none": 80,
    "spoken_interpreter": 3,
    "sign_interpreter": 0.5,
    "text_relay": 0.5,
    "": 16,
}
HEARD_VIA = {
    "search": 30,
    "social_media": 10,
    "campaign": 8,
    "police": 7,
    "health": 9,
    "child_welfare": 3,
    "school": 4,
    "help_service": 8,
    "family_friends": 10,
    "called_before": 6,
    "other": 3,
    "": 20,
}
# The service type missing when a need went unmet.
MISSING_TYPES = {
    "krisesenter": 25,
    "stottesenter": 15,
    "voldsbehandling": 15,
    "radgivning": 15,
    "familievern": 10,
    "juridisk": 10,
    "overgrepsmottak": 5,
}
INTERPRETER_LANGUAGES = {
    "ar": 20,
    "so": 15,
    "pl": 12,
    "ti": 10,
    "uk": 10,
    "fa": 8,
    "ru": 6,
    "en": 6,
    "ur": 5,
    "tr": 4,
    "se": 4,
}


class Weighted:
    """Fast repeated weighted choice from a dict of value -> weight."""

    def __init__(self, weights: dict, rng: random.Random) -> None:
        self.values = list(weights)
        self.cum: list[float] = []
        total = 0.0
        for weight in weights.values():
            total += weight
            self.cum.append(total)
        self.rng = rng

    def __call__(self):
        return self.rng.choices(self.values, cum_weights=self.cum)[0]

    def many(self, count: int) -> list:
        return self.rng.choices(self.values, cum_weights=self.cum, k=count)


class CallFaker:
    """Makes unsaved closed calls, with their topics and referrals, at random."""

    def __init__(self, rng: random.Random, site_weights: dict[int, float]) -> None:
        from services_directory.models import Language, Municipality, Service, ServiceType, Topic

        self.rng = rng
        self.pick_site = Weighted(site_weights, rng)
        municipalities = list(
            Municipality.objects.active().values_list("pk", "population", "county_id")
        )
        self.small = {pk for pk, population, _county in municipalities if population < 10_000}
        self.county_of = {pk: county for pk, _population, county in municipalities}
        self.pick_municipality = Weighted(
            {pk: max(population, 200) for pk, population, _county in municipalities}, rng
        )
        # Referred to services covering the municipality, else ones located in the county.
        self.by_municipality: dict[int, list[int]] = defaultdict(list)
        published = Service.objects.published()
        for service, municipality in Service.coverage_municipalities.through.objects.filter(
            service__in=published
        ).values_list("service_id", "municipality_id"):
            self.by_municipality[municipality].append(service)
        self.by_county: dict[int, list[int]] = defaultdict(list)
        for service, county in published.values_list("pk", "locations__municipality__county_id"):
            if county is not None:
                self.by_county[county].append(service)
        topics = dict(Topic.objects.values_list("code", "pk"))
        self.pick_topic = Weighted({topics[c]: w for c, w in TOPICS.items() if c in topics}, rng)
        languages = set(Language.objects.values_list("code", flat=True))
        self.pick_language = Weighted(
            {c: w for c, w in INTERPRETER_LANGUAGES.items() if c in languages}, rng
        )
        choices: dict[str, dict] = {
            "channel": CHANNELS,
            "caller_role": CALLER_ROLES,
            "age_group": AGE_GROUPS,
            "gender": GENDERS,
            "relation": RELATIONS,
            "outcome": OTHER_OUTCOMES,
            "unmet": UNMET_REASONS,
            "topic_count": TOPIC_COUNT,
            "adaptation": ADAPTATIONS,
            "heard_via": HEARD_VIA,
        }
        self.pick = {name: Weighted(weights, rng) for name, weights in choices.items()}
        types = dict(ServiceType.objects.values_list("code", "pk"))
        weights = {types[c]: w for c, w in MISSING_TYPES.items() if c in types}
        self.pick_type = Weighted(weights, rng) if weights else None

    def _days(self, first: date, days: int) -> Weighted:
        """Weekday pattern, a slow upward trend, busier Julys and Decembers."""
        weights = {}
        for offset in range(days):
            day = first + timedelta(days=offset)
            season = 1.15 if day.month in (7, 12) else 1.0
            trend = 0.85 + 0.3 * offset / max(days - 1, 1)
            weights[offset] = WEEKDAY_WEIGHTS[day.weekday()] * season * trend
        return Weighted(weights, self.rng)

    def calls(self, count: int, first: date, last: date) -> Iterator[tuple]:
        """``count`` calls from ``first`` to ``last``: (Call, topic ids, service ids)."""
        from hotline.calls.models import Call

        rng = self.rng
        pick_day = self._days(first, (last - first).days + 1)
        pick_hour = Weighted(dict(enumerate(HOUR_WEIGHTS)), rng)
        for offset, hour in zip(pick_day.many(count), pick_hour.many(count), strict=True):
            day = first + timedelta(days=offset)
            # Through UTC: a wall-clock hour skipped by daylight saving still maps to one.
            started = datetime(day.year, day.month, day.day, hour, tzinfo=OSLO).astimezone(OSLO)
            municipality: int | None = self.pick_municipality() if rng.random() > 0.04 else None
            services: list[int] = []
            if rng.random() < 0.47 and municipality is not None:
                pool = self.by_municipality.get(municipality) or self.by_county.get(
                    self.county_of[municipality], []
                )
                if pool:
                    services = rng.sample(pool, min(len(pool), 1 if rng.random() < 0.7 else 2))
            unmet_rate = 0.22 if municipality in self.small or municipality is None else 0.12
            unmet_reason = self.pick["unmet"]() if rng.random() < unmet_rate else ""
            call = Call(
                pk=uuid.UUID(int=rng.getrandbits(128), version=4),
                site_id=self.pick_site(),
                is_open=False,
                started_hour=started,
                channel=self.pick["channel"](),
                caller_role=self.pick["caller_role"](),
                age_group=self.pick["age_group"](),
                gender=self.pick["gender"](),
                relation=self.pick["relation"](),
                municipality_id=municipality,
                acute=rng.random() < 0.08,
                emergency_services=rng.random() < 0.05,
                interpreter_language_id=self.pick_language() if rng.random() < 0.03 else None,
                outcome="referred" if services else self.pick["outcome"](),
                unmet_reason=unmet_reason,
                disclosure_key=rng.getrandbits(31),
                adaptation=self.pick["adaptation"](),
                heard_via=self.pick["heard_via"](),
                unmet_service_type_id=(
                    self.pick_type() if unmet_reason and self.pick_type else None
                ),
            )
            topics = {self.pick_topic() for _ in range(self.pick["topic_count"]())}
            yield call, sorted(topics), services


def save_calls(
    made: Iterator[tuple], batch: int = 10_000, progress: Callable[[int], None] | None = None
) -> tuple[int, int, int]:
    """bulk_create the faker's calls with their topics and referrals.

    Bypasses ``Call.close``: rebuild the report summary afterwards.
    """
    from django.db import transaction

    from hotline.calls.models import Call

    topic_through, referral_through = Call.topics.through, Call.referrals.through
    totals = [0, 0, 0]
    while True:
        calls, topic_rows, referral_rows = [], [], []
        for call, topics, services in made:
            calls.append(call)
            topic_rows += [topic_through(call_id=call.pk, topic_id=t) for t in topics]
            referral_rows += [referral_through(call_id=call.pk, service_id=s) for s in services]
            if len(calls) == batch:
                break
        if not calls:
            return totals[0], totals[1], totals[2]
        with transaction.atomic():
            Call.objects.bulk_create(calls)
            topic_through.objects.bulk_create(topic_rows)
            referral_through.objects.bulk_create(referral_rows)
        totals[0] += len(calls)
        totals[1] += len(topic_rows)
        totals[2] += len(referral_rows)
        if progress is not None:
            progress(totals[0])
