"""Loads the demo directory (``data.py``) into the database.

The load is idempotent: services are matched on ``hsds_id`` ("demo-<slug>"), and an
entry that already matches its definition is not saved again (so its version, its
``updated_at`` and its history stay as they are). Demo data is never loaded by a
migration; run ``manage.py load_demo_data``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from services_directory.demo.data import DEMO_GUIDANCE, OSLO_TZ, OUTDATED_GUIDANCE, all_specs
from services_directory.demo.spec import HSDS_PREFIX, Org, Spec
from services_directory.models import (
    AccessibilityFeature,
    ContactChannel,
    County,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Service,
    ServiceType,
    TargetGroup,
    Topic,
)
from services_directory.models.directory import DEFAULT_REVIEW_MONTHS, add_months
from services_directory.models.vocabulary import SERVICE_VOCABULARIES


@dataclass
class _Lookups:
    service_types: dict[str, ServiceType]
    topics: dict[str, Topic]
    target_groups: dict[str, TargetGroup]
    accessibility: dict[str, AccessibilityFeature]
    languages: dict[str, Language]
    counties: dict[str, County]
    municipalities: dict[str, Municipality]

    @classmethod
    def load(cls) -> _Lookups:
        return cls(
            service_types={t.code: t for t in ServiceType.objects.all()},
            topics={t.code: t for t in Topic.objects.all()},
            target_groups={t.code: t for t in TargetGroup.objects.all()},
            accessibility={t.code: t for t in AccessibilityFeature.objects.all()},
            languages={lang.code: lang for lang in Language.objects.all()},
            counties={c.number: c for c in County.objects.all()},
            municipalities={
                m.number: m for m in Municipality.objects.select_related("county").all()
            },
        )

    @staticmethod
    def pick(table: dict[str, Any], keys, what: str) -> set[int | str]:
        missing = [key for key in keys if key not in table]
        if missing:
            raise LookupError(f"demo data refers to unknown {what}: {', '.join(missing)}")
        return {table[key].pk for key in keys}


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        total = self.created + self.updated + self.unchanged
        return (
            f"{total} services ({self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged)"
        )


def _sync_guidance() -> None:
    for topic in Topic.objects.filter(code__in=DEMO_GUIDANCE):
        nb, en = DEMO_GUIDANCE[topic.code]
        current = topic.guidance_nb  # type: ignore[attr-defined]
        if not current or current == OUTDATED_GUIDANCE.get(topic.code):
            topic.guidance_nb, topic.guidance_en = nb, en  # type: ignore[attr-defined]
            topic.save()


def load_demo_directory() -> str:
    """Create or update the demo services; return a one-line summary."""
    counts = _Counts()
    with translation.override("nb"), transaction.atomic():
        _sync_guidance()
        lookups = _Lookups.load()
        specs = all_specs()
        existing = {
            service.hsds_id: service
            for service in Service.objects.filter(
                hsds_id__in=[spec.hsds_id for spec in specs]
            ).prefetch_related(
                *SERVICE_VOCABULARIES,
                "coverage_counties",
                "coverage_municipalities",
                "channels",
                "opening_hours",
                "locations",
            )
        }
        organizations: dict[str, Organization] = {}
        for position, spec in enumerate(specs):
            organization = organizations.get(spec.organization.slug)
            if organization is None:
                organization = _sync_organization(spec.organization)
                organizations[spec.organization.slug] = organization
            service = existing.get(spec.hsds_id)
            review = _review_dates(position, spec, lookups)
            if service is not None and not _needs_new_review_dates(service):
                review = {}
            outcome = _sync_service(spec, organization, service, lookups, review)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return str(counts)


def _sync_organization(org: Org) -> Organization:
    hsds_id = f"{HSDS_PREFIX}org-{org.slug}"
    organization = Organization.objects.filter(hsds_id=hsds_id).first()
    if organization is None:
        organization = Organization(hsds_id=hsds_id)
    elif organization.name == org.name and organization.url == org.url:
        return organization
    organization.name, organization.url = org.name, org.url
    organization.full_clean()
    organization.save()
    return organization


# Every twelfth entry is overdue, two in twelve are due within 30 days, and the rest are
# well within their review cycle, as in a directory editors keep up with.
REVIEW_SLOTS = 12
OVERDUE_SLOTS = {5}
DUE_SOON_SLOTS = {2, 9}
# An entry further overdue than this was loaded long ago (or by a demo that dated every
# entry to 2015): a reload dates it afresh. Fresher dates stay, so a reload on the same or
# the next day changes nothing.
REDATE_AFTER_DAYS = 60


def _review_dates(position: int, spec: Spec, lookups: _Lookups) -> dict[str, Any]:
    """When the entry at ``position`` was last verified and is next due, as
    Service.mark_verified would have set them: the shortest cycle of its types."""
    intervals = [lookups.service_types[code].review_interval_months for code in spec.service_types]
    months = min(intervals) if intervals else DEFAULT_REVIEW_MONTHS
    today = timezone.localdate()
    slot = position % REVIEW_SLOTS
    if slot in OVERDUE_SLOTS:
        due = today - timedelta(days=7 + position % 14)
    elif slot in DUE_SOON_SLOTS:
        due = today + timedelta(days=5 + position % 20)
    else:
        later = max(1, months * 28 - 35)  # stays inside the cycle in any month
        due = today + timedelta(days=35 + (position * 37) % later)
    # Back a cycle, then forward again from there: add_months clips month ends
    # (31 Dec - 6 months = 30 Jun, + 6 months = 30 Dec), so "due" must be what
    # "Verified" on that day would have set.
    verified_day = add_months(due, -months)
    due = add_months(verified_day, months)
    verified = datetime.combine(verified_day, time(12), OSLO_TZ)
    return {
        "last_verified_at": min(verified, timezone.now() - timedelta(days=1)),
        "verified_by_id": None,
        "next_review_due": due,
    }


def _needs_new_review_dates(service: Service) -> bool:
    due = service.next_review_due
    return due is None or due < timezone.localdate() - timedelta(days=REDATE_AFTER_DAYS)


def _scalar_fields(spec: Spec, organization: Organization, lookups: _Lookups) -> dict[str, Any]:
    return {
        "organization_id": organization.pk,
        "name_nb": spec.name_nb,
        "name_en": spec.name_en,
        "description_nb": spec.description_nb,
        "description_en": spec.description_en,
        "status": Service.Status.ACTIVE.value,
        "is_published": True,
        "min_age": spec.min_age,
        "max_age": spec.max_age,
        "free_of_charge": spec.free_of_charge,
        "anonymous_contact": spec.anonymous_contact,
        "police_report_required": False,
        "operator_note": spec.operator_note,
        "covers_whole_country": spec.covers_whole_country,
        "holiday_policy": spec.holiday_policy,
    }


def _m2m_fields(spec: Spec, lookups: _Lookups) -> dict[str, set]:
    return {
        "service_types": lookups.pick(lookups.service_types, spec.service_types, "service type"),
        "topics": lookups.pick(lookups.topics, spec.topics, "topic"),
        "target_groups": lookups.pick(lookups.target_groups, spec.target_groups, "target group"),
        "languages": lookups.pick(lookups.languages, spec.languages, "language"),
        "accessibility": lookups.pick(lookups.accessibility, spec.accessibility, "feature"),
        "coverage_counties": lookups.pick(lookups.counties, spec.counties, "county"),
        "coverage_municipalities": lookups.pick(
            lookups.municipalities, spec.municipalities, "municipality"
        ),
    }


def _channel_rows(spec: Spec) -> list[tuple]:
    rows = []
    for channel in spec.channels:
        probe = ContactChannel(kind=channel.kind, value=channel.value)
        probe.clean_fields(exclude=["service"])
        probe.clean()  # normalises phone numbers to their stored form
        rows.append((channel.kind, probe.value, channel.description_nb, channel.description_en))
    return rows


def _location_rows(spec: Spec, lookups: _Lookups) -> Counter:
    rows: Counter = Counter()
    for place in spec.places:
        municipality = lookups.municipalities[place.municipality]
        latitude = municipality.latitude if place.latitude is None else place.latitude
        longitude = municipality.longitude if place.longitude is None else place.longitude
        rows[
            (
                place.name,
                place.address,
                place.postcode,
                municipality.pk,
                latitude,
                longitude,
                place.is_confidential,
            )
        ] += 1
    return rows


def _hours_rows(spec: Spec) -> Counter:
    return Counter(
        (h.kind, h.weekday, h.opens, h.closes, None, None, h.channel) for h in spec.hours
    )


def _existing_channel_rows(service: Service) -> list[tuple]:
    return [
        (
            c.kind,
            c.value,
            getattr(c, "description_nb", "") or "",
            getattr(c, "description_en", "") or "",
        )
        for c in sorted(service.channels.all(), key=lambda c: (c.position, c.pk))
    ]


def _existing_hours_rows(service: Service) -> Counter:
    ordered = sorted(service.channels.all(), key=lambda c: (c.position, c.pk))
    index = {channel.pk: position for position, channel in enumerate(ordered)}
    return Counter(
        (
            row.kind,
            row.weekday,
            row.opens,
            row.closes,
            row.valid_from,
            row.valid_to,
            None if row.channel_id is None else index.get(row.channel_id, -1),
        )
        for row in service.opening_hours.all()
    )


def _existing_location_rows(service: Service) -> Counter:
    return Counter(
        (
            loc.name,
            loc.address,
            loc.postcode,
            loc.municipality_id,
            loc.latitude,
            loc.longitude,
            loc.is_confidential,
        )
        for loc in service.locations.all()
    )


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, str):
        return (current or "") != wanted
    return current != wanted


def _set_m2m(service: Service, m2m: dict[str, set], record_history: bool = True) -> None:
    """Set the relations, recording at most one history entry rather than one per field.

    django-simple-history snapshots every relation whenever any one changes; with
    ``record_history`` only the last change (service types, never empty) is recorded.
    """
    service.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        for name, wanted in m2m.items():
            if name != "service_types":
                getattr(service, name).set(wanted)
        if not record_history:
            service.service_types.set(m2m["service_types"])
    finally:
        del service.skip_history_when_saving  # type: ignore[attr-defined]
    if record_history:
        service.service_types.set(m2m["service_types"])


def _sync_service(
    spec: Spec,
    organization: Organization,
    existing: Service | None,
    lookups: _Lookups,
    review: dict[str, Any],
) -> str:
    """Make one service match ``spec``. Returns "created", "updated" or "unchanged"."""
    if not spec.hours:
        raise ValueError(f"demo service {spec.slug} has no opening hours")
    if not (spec.covers_whole_country or spec.counties or spec.municipalities):
        raise ValueError(f"demo service {spec.slug} has no coverage")
    if not spec.service_types:
        raise ValueError(f"demo service {spec.slug} has no service type")

    scalars = _scalar_fields(spec, organization, lookups) | review
    m2m = _m2m_fields(spec, lookups)
    channels = _channel_rows(spec)
    hours = _hours_rows(spec)
    locations = _location_rows(spec, lookups)

    created = existing is None
    service = Service(hsds_id=spec.hsds_id) if existing is None else existing
    if created:
        scalars_changed = m2m_changed = channels_changed = True
        hours_changed = locations_changed = True
    else:
        scalars_changed = any(
            _differs(getattr(service, name), value) for name, value in scalars.items()
        )
        m2m_changed = any(
            {obj.pk for obj in getattr(service, name).all()} != wanted
            for name, wanted in m2m.items()
        )
        channels_changed = _existing_channel_rows(service) != channels
        hours_changed = channels_changed or _existing_hours_rows(service) != hours
        locations_changed = _existing_location_rows(service) != locations

    if not any((scalars_changed, m2m_changed, channels_changed, hours_changed, locations_changed)):
        return "unchanged"

    # Anything that changed bumps the version, so an editor's open form goes stale.
    for name, value in scalars.items():
        setattr(service, name, value)
    service.name = spec.name_nb
    service.full_clean()
    if created:
        service.save()  # history: "+"
        _set_m2m(service, m2m)  # history: one "~" with every relation
    else:
        if m2m_changed:
            _set_m2m(service, m2m, record_history=False)
        service.save()  # history: one "~" with the relations as they now are

    if hours_changed:
        service.opening_hours.all().delete()
    if channels_changed:
        service.channels.all().delete()
        for position, (kind, value, description_nb, description_en) in enumerate(channels):
            channel = ContactChannel(
                service=service,
                kind=kind,
                value=value,
                description_nb=description_nb,
                description_en=description_en,
                position=position,
            )
            channel.description = description_nb
            channel.full_clean()
            channel.save()
    if hours_changed:
        ordered = list(service.channels.order_by("position", "pk"))
        openings = []
        for row in spec.hours:
            opening = OpeningHours(
                service=service,
                channel=None if row.channel is None else ordered[row.channel],
                kind=row.kind,
                weekday=row.weekday,
                opens=row.opens,
                closes=row.closes,
            )
            opening.full_clean()
            openings.append(opening)
        bulk_create_with_history(openings, OpeningHours)
    if locations_changed:
        service.locations.all().delete()
        for place in spec.places:
            municipality = lookups.municipalities[place.municipality]
            location = Location(
                service=service,
                name=place.name,
                address=place.address,
                postcode=place.postcode,
                municipality=municipality,
                latitude=municipality.latitude if place.latitude is None else place.latitude,
                longitude=municipality.longitude if place.longitude is None else place.longitude,
                is_confidential=place.is_confidential,
            )
            location.full_clean()
            location.save()
    return "created" if created else "updated"
