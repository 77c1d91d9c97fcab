"""Generate a large, realistic directory for the search benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/generate_directory.py --services 20000

Creates organisations and N published services spread over every active municipality
(at least a floor per municipality, the rest by population), each with one location near
its municipality, one or two phone numbers, weekly opening hours (24/7, office hours,
evenings, extended hours with own holiday hours, some dated exceptions), vocabulary terms
and coverage (mostly municipal, some county-wide, a few national). A few hundred hidden
services (drafts, inactive) come on top, so the "published" filter has work to do.

Rows are written with bulk_create: no save(), no history rows (generated data needs
none). Runs ``migrate`` and, when the geography is missing, ``load_reference_data``
first. Only runs on a PostgreSQL database whose name contains "bench"; ``--reset``
empties the directory tables (TRUNCATE ... CASCADE) before generating.
"""

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from datetime import time as clock

from _django import database_label, setup_django

HSDS_PREFIX = "bench-"
BATCH = 5000

# Name stems per service type code: what a directory of this kind is really full of.
NAME_STEMS = {
    "krisesenter": ["Krisesenteret", "Krisesenter for kvinner og menn"],
    "overgrepsmottak": ["Overgrepsmottaket", "Overgrepsmottak"],
    "legevakt": ["Legevakten", "Interkommunal legevakt"],
    "politi": ["Politistasjonen", "Lensmannskontoret"],
    "stottesenter": ["Støttesenter mot incest", "Støttesenteret for kriminalitetsutsatte"],
    "hjelpetelefon": ["Hjelpetelefonen", "Kontakttelefonen"],
    "familievern": ["Familievernkontoret", "Familiekontoret"],
    "barnevern": ["Barneverntjenesten", "Barnevernvakten"],
    "voldsbehandling": ["Alternativ til Vold", "Sinnemestring"],
    "juridisk": ["Gratis rettshjelp", "Jussformidlingen"],
    "radgivning": ["Rådgivningstjenesten", "Samtaletilbudet"],
    "helse": ["Helsestasjon for ungdom", "Psykisk helsetjeneste"],
    "kompetansesenter": ["Ressurssenter om vold", "Kompetansesenter"],
}
# Languages besides Norwegian that services commonly offer, most frequent first.
EXTRA_LANGUAGES = ["en", "ar", "so", "pl", "ti", "uk", "fa", "ru", "se", "lt", "ur", "tr"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=20_000, help="published services")
    parser.add_argument(
        "--hidden",
        type=int,
        default=None,
        help="extra drafts and inactive services (default: 3%% of --services)",
    )
    parser.add_argument("--min-per-municipality", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20_240_601)
    parser.add_argument(
        "--reset", action="store_true", help="empty the directory tables before generating"
    )
    return parser.parse_args()


class Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()

    def step(self, what: str, rows: int | None = None) -> None:
        now = time.perf_counter()
        count = f" ({rows:,} rows)" if rows is not None else ""
        print(f"  {what:<36}{now - self.last:7.2f} s{count}", flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def prepare_database(reset: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from services_directory.models import Municipality, Service

    call_command("migrate", verbosity=0)
    if not Municipality.objects.active().exists():
        call_command("load_reference_data", verbosity=0)
    existing = Service.objects.count()
    if existing and not reset:
        sys.exit(
            f"{database_label()} already holds {existing:,} services. "
            "Pass --reset to empty the directory first, or use a fresh database."
        )
    if reset:
        with connection.cursor() as cursor:
            # CASCADE reaches locations, channels, hours, error reports, referrals and
            # every many-to-many table; the geography and vocabularies stay.
            cursor.execute(
                "TRUNCATE services_directory_organization, services_directory_service "
                "RESTART IDENTITY CASCADE"
            )


def allocate(municipalities, total: int, floor: int, rng: random.Random) -> dict[int, int]:
    """Services per municipality: ``floor`` each, the rest in proportion to population."""
    floor = min(floor, total // len(municipalities))
    counts = {m.pk: floor for m in municipalities}
    rest = total - floor * len(municipalities)
    population = sum(max(m.population, 1) for m in municipalities)
    shares = {m.pk: rest * max(m.population, 1) / population for m in municipalities}
    for pk, share in shares.items():
        counts[pk] += int(share)
    leftover = total - sum(counts.values())
    by_remainder = sorted(shares, key=lambda pk: shares[pk] - int(shares[pk]), reverse=True)
    for pk in by_remainder[:leftover]:
        counts[pk] += 1
    assert sum(counts.values()) == total  # noqa: S101
    return counts


def phone_number(rng: random.Random, used: set[str]) -> str:
    """A valid Norwegian subscriber number in stored form (landline or mobile)."""
    from services_directory.validators import normalize_phone

    while True:
        first = rng.choice("23567" * 3 + "49")
        raw = f"{first}{rng.randrange(10_000_000):07d} "
        number = normalize_phone(f"{raw[:2]} {raw[2:4]} {raw[4:6]} {raw[6:8]}")
        if number not in used:
            used.add(number)
            return number


def hours_profile(rng: random.Random, today: date) -> tuple[str, list[tuple]]:
    """(holiday_policy, rows); a row is (kind, weekday, opens, closes, valid_from, valid_to)."""
    roll = rng.random()
    h = clock
    rows: list[tuple] = []
    if roll < 0.15:  # 24/7
        policy = "normal"
        rows = [("weekly", day, h(0), h(0), None, None) for day in range(7)]
    elif roll < 0.60:  # office hours
        policy = "closed"
        rows = [("weekly", day, h(8), h(16), None, None) for day in range(5)]
    elif roll < 0.72:  # office hours plus a late day
        policy = "closed"
        rows = [("weekly", day, h(8), h(15, 30), None, None) for day in range(5)]
        rows.append(("weekly", 3, h(17), h(20), None, None))
    elif roll < 0.85:  # evenings, crossing midnight at weekends
        policy = "normal"
        rows = [("weekly", day, h(16), h(23), None, None) for day in range(5)]
        rows += [("weekly", day, h(18), h(2), None, None) for day in (4, 5)]
        rows.append(("weekly", 6, h(12), h(20), None, None))
    else:  # extended hours with own holiday hours
        policy = "own"
        rows = [("weekly", day, h(8), h(20), None, None) for day in range(5)]
        rows += [("weekly", day, h(10), h(15), None, None) for day in (5, 6)]
        rows.append(("holiday", None, h(10), h(14), None, None))
    exception = rng.random()
    if exception < 0.08:  # summer closure
        rows.append(
            ("exception", None, None, None, date(today.year, 7, 1), date(today.year, 7, 21))
        )
    elif exception < 0.14:  # short days at Christmas
        rows.append(("exception", None, h(10), h(13), date(today.year, 12, 24), None))
        rows.append(("exception", None, h(10), h(13), date(today.year, 12, 31), None))
    elif exception < 0.16:  # something around today: closed, or special hours
        start = today + timedelta(days=rng.randint(-3, 1))
        end = start + timedelta(days=rng.randint(0, 5))
        if rng.random() < 0.5:
            rows.append(("exception", None, None, None, start, end))
        else:
            rows.append(("exception", None, h(9), h(12), start, end))
    return policy, rows


def main() -> None:
    args = parse_args()
    setup_django()

    from django.db import connection, transaction
    from django.utils import timezone, translation

    from services_directory.geo import distance_km
    from services_directory.models import (
        AccessibilityFeature,
        ContactChannel,
        County,
        Language,
        Location,
        Municipality,
        OpeningHours,
        Organization,
        Postcode,
        Service,
        ServiceType,
        TargetGroup,
        Topic,
    )
    from services_directory.models.vocabulary import SERVICE_VOCABULARIES

    rng = random.Random(args.seed)
    hidden = round(args.services * 0.03) if args.hidden is None else args.hidden
    print(f"Generating {args.services:,} published + {hidden:,} hidden services")
    print(f"  database: {database_label()}")
    timer = Timer()
    prepare_database(args.reset)
    timer.step("migrate / reference data / reset")

    translation.activate("nb")
    municipalities = list(Municipality.objects.active().select_related("county"))
    counties = list(County.objects.active())
    by_county: dict[int, list] = defaultdict(list)
    for m in municipalities:
        by_county[m.county_id].append(m)
    postcodes: dict[int, list[str]] = defaultdict(list)
    for code, municipality_id in (
        Postcode.objects.active()
        .filter(municipality__isnull=False, category__in=["G", "B"])
        .values_list("code", "municipality_id")
    ):
        postcodes[municipality_id].append(code)
    types = {t.code: t for t in ServiceType.objects.filter(is_active=True)}
    topics = list(Topic.objects.filter(is_active=True))
    groups = list(TargetGroup.objects.filter(is_active=True))
    features = list(AccessibilityFeature.objects.filter(is_active=True))
    languages = {language.code for language in Language.objects.all()}
    extra_languages = [code for code in EXTRA_LANGUAGES if code in languages]
    type_codes = [code for code in NAME_STEMS if code in types]
    if not (municipalities and topics and type_codes and "nb" in languages):
        sys.exit("The reference data or the vocabularies are missing: run migrate first.")

    # Neighbours in the same county, for inter-municipal services.
    neighbours = {
        m.pk: sorted(
            (o for o in by_county[m.county_id] if o.pk != m.pk),
            key=lambda o, m=m: distance_km(m.latitude, m.longitude, o.latitude, o.longitude),
        )[:3]
        for m in municipalities
    }
    timer.step("read reference data")

    # --- Organisations: the municipality itself, a few per county, national NGOs. ---
    organizations = [
        Organization(name=f"{m.label} kommune", hsds_id=f"{HSDS_PREFIX}org-m{m.number}")
        for m in municipalities
    ]
    for county in counties:
        for kind in ("Krisesenteret", "Politidistrikt", "Stiftelsen Støttesenteret"):
            organizations.append(
                Organization(
                    name=f"{kind} i {county.name}",
                    hsds_id=f"{HSDS_PREFIX}org-c{county.number}-{len(organizations)}",
                )
            )
    for n in range(40):
        organizations.append(
            Organization(
                name=f"Landsforeningen mot vold {n + 1}",
                hsds_id=f"{HSDS_PREFIX}org-n{n}",
                url=f"https://landsforening-{n + 1}.example.no/",
            )
        )

    with transaction.atomic():
        Organization.objects.bulk_create(organizations, batch_size=BATCH)
        timer.step("organisations", len(organizations))
        municipal_orgs = {m.pk: org for m, org in zip(municipalities, organizations, strict=False)}
        county_orgs: dict[int, list] = defaultdict(list)
        county_by_number = {c.number: c for c in counties}
        for org in organizations[len(municipalities) :]:
            if "-org-c" in org.hsds_id:
                number = org.hsds_id.split("-org-c")[1].split("-")[0]
                county_orgs[county_by_number[number].pk].append(org)
        national_orgs = [org for org in organizations if "-org-n" in org.hsds_id]

        # --- Services ---
        counts = allocate(municipalities, args.services, args.min_per_municipality, rng)
        homes = [m for m in municipalities for _ in range(counts[m.pk])]
        rng.shuffle(homes)
        # Hidden ones: drafts and inactive entries anywhere in the country.
        homes += [rng.choice(municipalities) for _ in range(hidden)]
        now = timezone.now()
        today = timezone.localdate(now)
        services, plans = [], []
        for index, home in enumerate(homes):
            is_hidden = index >= args.services
            coverage_roll = rng.random()
            if coverage_roll < 0.005:
                coverage, organization = "national", rng.choice(national_orgs)
            elif coverage_roll < 0.11:
                coverage = "county"
                organization = rng.choice(county_orgs.get(home.county_id) or national_orgs)
            else:
                coverage, organization = "municipal", municipal_orgs[home.pk]
            type_code = rng.choice(type_codes)
            stem = rng.choice(NAME_STEMS[type_code])
            place = home.county.name if coverage == "county" else home.name
            name = f"{stem}, nasjonalt" if coverage == "national" else f"{stem} {place}"
            name = f"{name} {index + 1}"  # unique, and easy to trace back
            policy, hours = hours_profile(rng, today)
            age_roll = rng.random()
            min_age, max_age = None, None
            if age_roll < 0.10:
                max_age = 25
            elif age_roll < 0.15:
                min_age = 18
            elif age_roll < 0.20:
                min_age, max_age = 12, 30
            status = "active"
            published = True
            if is_hidden:
                if rng.random() < 0.7:
                    published = False
                else:
                    status = "inactive"
            elif rng.random() < 0.02:
                status = "temporarily_closed"
            services.append(
                Service(
                    organization=organization,
                    name_nb=name,
                    name_en=f"{name} (English)" if rng.random() < 0.3 else None,
                    description_nb=f"{types[type_code].label} for {place}. Ring oss for hjelp.",
                    status=status,
                    is_published=published,
                    hsds_id=f"{HSDS_PREFIX}svc-{index + 1}",
                    min_age=min_age,
                    max_age=max_age,
                    free_of_charge=rng.random() < 0.9,
                    anonymous_contact=rng.random() < 0.4,
                    operator_note="Ring sentralbordet først." if rng.random() < 0.1 else "",
                    covers_whole_country=coverage == "national",
                    holiday_policy=policy,
                    last_verified_at=now - timedelta(days=rng.randint(0, 300)),
                    next_review_due=today + timedelta(days=rng.randint(-60, 180)),
                )
            )
            plans.append((home, coverage, type_code, hours))
        timer.step("build services")
        Service.objects.bulk_create(services, batch_size=BATCH)
        timer.step("insert services", len(services))

        # --- Locations, channels, hours ---
        locations, channels, opening_hours, used_numbers = [], [], [], set()
        for service, (home, _coverage, type_code, hours) in zip(services, plans, strict=True):
            jitter_lat = rng.uniform(-0.04, 0.04)  # about ±4.5 km
            jitter_lon = rng.uniform(-0.04, 0.04) / max(math.cos(math.radians(home.latitude)), 0.2)
            codes = postcodes.get(home.pk)
            locations.append(
                Location(
                    service=service,
                    name=service.name_nb if rng.random() < 0.2 else "",
                    address=f"Storgata {rng.randint(1, 120)}",
                    postcode=rng.choice(codes) if codes else "",
                    municipality=home,
                    latitude=round(home.latitude + jitter_lat, 6),
                    longitude=round(home.longitude + jitter_lon, 6),
                    is_confidential=type_code == "krisesenter" and rng.random() < 0.8,
                )
            )
            channels.append(
                ContactChannel(
                    service=service,
                    kind="phone",
                    value=phone_number(rng, used_numbers),
                    description_nb="Sentralbord",
                    position=0,
                )
            )
            if rng.random() < 0.4:
                channels.append(
                    ContactChannel(
                        service=service,
                        kind="phone",
                        value=phone_number(rng, used_numbers),
                        description_nb="Døgnvakt",
                        position=1,
                    )
                )
            if rng.random() < 0.3:
                channels.append(
                    ContactChannel(
                        service=service,
                        kind="web",
                        value=f"https://tjeneste-{service.pk}.example.no/",
                        position=2,
                    )
                )
            for kind, weekday, opens, closes, valid_from, valid_to in hours:
                opening_hours.append(
                    OpeningHours(
                        service=service,
                        kind=kind,
                        weekday=weekday,
                        opens=opens,
                        closes=closes,
                        valid_from=valid_from,
                        valid_to=valid_to,
                    )
                )
        timer.step("build locations, channels, hours")
        Location.objects.bulk_create(locations, batch_size=BATCH)
        timer.step("insert locations", len(locations))
        ContactChannel.objects.bulk_create(channels, batch_size=BATCH)
        timer.step("insert contact channels", len(channels))
        OpeningHours.objects.bulk_create(opening_hours, batch_size=BATCH)
        timer.step("insert opening hours", len(opening_hours))

        # --- Vocabularies and coverage (many-to-many rows) ---
        through = {
            name: getattr(Service, name).through
            for name in (*SERVICE_VOCABULARIES, "coverage_counties", "coverage_municipalities")
        }
        rows: dict[str, list] = defaultdict(list)
        for service, (home, coverage, type_code, _hours) in zip(services, plans, strict=True):
            sid = service.pk
            kinds = {type_code}
            if rng.random() < 0.25:
                kinds.add(rng.choice(type_codes))
            rows["service_types"] += [
                through["service_types"](service_id=sid, servicetype_id=types[c].pk) for c in kinds
            ]
            rows["topics"] += [
                through["topics"](service_id=sid, topic_id=t.pk)
                for t in rng.sample(topics, rng.randint(1, 5))
            ]
            rows["target_groups"] += [
                through["target_groups"](service_id=sid, targetgroup_id=g.pk)
                for g in rng.sample(groups, rng.randint(0, 3))
            ]
            spoken = {"nb"}
            if rng.random() < 0.5:
                spoken.add("en")
            spoken.update(rng.sample(extra_languages, rng.choice([0, 0, 0, 1, 2, 3])))
            rows["languages"] += [
                through["languages"](service_id=sid, language_id=code) for code in spoken
            ]
            rows["accessibility"] += [
                through["accessibility"](service_id=sid, accessibilityfeature_id=f.pk)
                for f in rng.sample(features, rng.randint(0, 2))
            ]
            if coverage == "county":
                rows["coverage_counties"].append(
                    through["coverage_counties"](service_id=sid, county_id=home.county_id)
                )
            elif coverage == "municipal":
                covered = [home]
                if rng.random() < 0.2:  # inter-municipal cooperation
                    covered += neighbours[home.pk][: rng.randint(1, 3)]
                rows["coverage_municipalities"] += [
                    through["coverage_municipalities"](service_id=sid, municipality_id=m.pk)
                    for m in covered
                ]
        timer.step("build vocabulary and coverage rows")
        for name, objs in rows.items():
            through[name].objects.bulk_create(objs, batch_size=BATCH)
            timer.step(f"insert {name.replace('_', ' ')}", len(objs))

    # Fresh statistics, as autovacuum would gather them soon after a real import.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timer.step("ANALYZE")

    visible = Service.objects.published().count()
    per_municipality = sorted(counts.values())
    print(
        f"Done in {timer.total():.1f} s: {visible:,} services visible to operators "
        f"(of {len(services):,}) over {len(municipalities)} municipalities "
        f"({per_municipality[0]}–{per_municipality[-1]} per municipality, "
        f"median {per_municipality[len(per_municipality) // 2]})."
    )


if __name__ == "__main__":
    main()
