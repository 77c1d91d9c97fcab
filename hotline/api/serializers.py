"""The JSON both APIs give: a service for the public API (/api/v1/public/services) and a
hit for the staff search (/api/v1/search).

The public shape never holds a confidential address, a distance measured from one, or an
operator note: it reads only ``Service.public_locations()`` and the match the public
order measured from public addresses. All times are Norwegian local time.
"""

from datetime import datetime, time

from django.utils import timezone

from hotline.api.limits import SUMMARY_LANGUAGES, TEXT_LANGUAGES
from services_directory import hours
from services_directory.hsds import DAYS, service_export_id
from services_directory.models import (
    Location,
    Municipality,
    OpeningHours,
    Postcode,
    Service,
    ServiceDeparture,
)
from services_directory.models.directory import build_schedule
from services_directory.search import Hit, PublicMatch, SearchResult
from services_directory.validators import format_phone

# --- Shared ----------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment, hours.OSLO).isoformat() if moment else None


def location_json(municipality: Municipality | None) -> dict | None:
    """The caller's place as both APIs give it."""
    if municipality is None:
        return None
    return {
        "municipality": municipality.number,
        "name": municipality.name,
        "county": municipality.county.number,
    }


# --- The public API's service ----------------------------------------------------------


def _texts(instance, field_name: str) -> dict[str, str]:
    """The field in every content language that has text."""
    return {
        code: text for code in TEXT_LANGUAGES if (text := getattr(instance, f"{field_name}_{code}"))
    }


def _clock(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _span(span: hours.Span) -> dict:
    return {"opens": _clock(span.opens), "closes": _clock(span.closes)}


def _hours(schedule: hours.Schedule, at: datetime) -> dict:
    open_now = schedule.is_open(at)
    today = timezone.localtime(at, hours.OSLO).date()
    weekly = sorted({(rule.weekday, rule.span) for rule in schedule.weekly})
    return {
        "weekly": [{"day": DAYS[day], **_span(span)} for day, span in weekly],
        "holiday_policy": schedule.holiday_policy.value,
        "public_holidays": [_span(span) for span in sorted(schedule.holiday_spans)],
        # Past exceptions no longer say anything about when to call.
        "exceptions": [
            {
                "from": exception.start.isoformat(),
                "to": exception.end.isoformat(),
                "spans": [_span(span) for span in exception.spans],
            }
            for exception in schedule.exceptions
            if exception.end >= today
        ],
        "summary": {language: schedule.summary(language) for language in SUMMARY_LANGUAGES},
        "always_open": schedule.is_always_open(),
        "open_now": open_now,
        "opens_next": None if open_now else iso(schedule.next_opening(at)),
        "closes_at": iso(schedule.closes_at(at)) if open_now else None,
    }


def _channel_hours(rows: list[OpeningHours], holiday_policy: str, at: datetime) -> dict | None:
    """A channel's own hours; None when it follows the service's."""
    return _hours(build_schedule(rows, holiday_policy), at) if rows else None


def _channels(service: Service, at: datetime) -> tuple[list[dict], list[dict]]:
    own_rows: dict[int, list[OpeningHours]] = {}
    for row in service.opening_hours.all():
        if row.channel_id is not None:
            own_rows.setdefault(row.channel_id, []).append(row)
    phones, others = [], []
    for channel in sorted(service.channels.all(), key=lambda c: (c.position, c.pk)):
        own = _channel_hours(own_rows.get(channel.pk, []), service.holiday_policy, at)
        description = _texts(channel, "description")
        if channel.is_phone:
            phones.append(
                {
                    "kind": channel.kind,
                    "number": channel.value,
                    "display": format_phone(channel.value),
                    "description": description,
                    "hours": own,
                }
            )
        else:
            others.append(
                {
                    "kind": channel.kind,
                    "value": channel.value,
                    "description": description,
                    "hours": own,
                }
            )
    return phones, others


def _location(location: Location, places: dict[str, str]) -> dict:
    municipality = location.municipality
    return {
        "name": location.name or None,
        "address": location.address or None,
        "postcode": location.postcode or None,
        "place": places.get(location.postcode),
        "municipality": {"number": municipality.number, "name": municipality.name},
        "county": {"number": municipality.county.number, "name": municipality.county.name},
        "latitude": location.latitude,
        "longitude": location.longitude,
    }


def _match(found: PublicMatch) -> dict | None:
    """How the service relates to the caller's place; None when no place was given."""
    if found.coverage is None:
        return None
    distance = found.distance_km
    return {
        "coverage": found.coverage.code,
        "distance_km": None if distance is None else round(distance, 1),
    }


def service_json(
    service: Service, at: datetime, places: dict[str, str], found: PublicMatch
) -> dict:
    """One service of the public list, as of ``at`` (for "open now"). ``service`` comes
    with the HSDS export's prefetches (``with_export_data``); ``places`` from
    ``postal_places``."""
    phones, channels = _channels(service, at)
    organization = service.organization
    return {
        "id": service.pk,
        "hsds_id": service_export_id(service),
        "name": _texts(service, "name"),
        "description": _texts(service, "description"),
        "status": service.status,
        "organization": {
            "name": organization.name,
            "url": organization.url or None,
            "organization_number": organization.organization_number or None,
        },
        "service_types": [term.code for term in service.service_types.all()],
        "topics": [term.code for term in service.topics.all()],
        "target_groups": [term.code for term in service.target_groups.all()],
        "accessibility": [term.code for term in service.accessibility.all()],
        "languages": sorted(language.code for language in service.languages.all()),
        "min_age": service.min_age,
        "max_age": service.max_age,
        "free_of_charge": service.free_of_charge,
        "anonymous_contact": service.anonymous_contact,
        "police_report_required": service.police_report_required,
        "coverage": {
            "whole_country": service.covers_whole_country,
            "counties": sorted(county.number for county in service.coverage_counties.all()),
            "municipalities": sorted(m.number for m in service.coverage_municipalities.all()),
        },
        "hours": _hours(service.schedule(), at),
        "phones": phones,
        "channels": channels,
        "locations": [_location(loc, places) for loc in service.public_locations()],
        "match": _match(found),
        "updated_at": iso(service.public_updated_at),
    }


def departure_json(departure: ServiceDeparture) -> dict:
    """A service that left the public list (unpublished, closed or deleted) since the
    client's ``changed_since``: its ids, ``inactive`` and when. Nothing else, ever."""
    return {
        "id": departure.service_pk,
        "hsds_id": str(departure.service_uuid),
        "status": Service.Status.INACTIVE.value,
        "updated_at": iso(departure.departed_at),
    }


def postal_places(services: list[Service]) -> dict[str, str]:
    """Postal place by postcode for the public locations of ``services``, in one query."""
    codes = {loc.postcode for s in services for loc in s.public_locations() if loc.postcode}
    return dict(Postcode.objects.filter(code__in=codes).values_list("code", "place"))


# --- The staff search (/api/v1/search) -------------------------------------------------


def search_payload(result: SearchResult) -> dict:
    return {
        "location": location_json(result.municipality),
        "at": iso(result.at),
        "results": [_search_hit(hit) for hit in result.hits],
    }


def _search_hit(hit: Hit) -> dict:
    service = hit.service
    locations = hit.locations
    return {
        "id": service.pk,
        "name": service.name,
        "organization": service.organization.name,
        "service_types": [t.code for t in hit.service_types],
        "topics": [t.code for t in hit.topics],
        "target_groups": [t.code for t in hit.target_groups],
        # The staff search gives every hit a coverage; the None case is the type's.
        "coverage": None if hit.coverage is None else hit.coverage.code,
        "distance_km": None if hit.distance_km is None else round(hit.distance_km, 1),
        "open_now": hit.open_now,
        "opens_next": iso(hit.opens_next),
        "closes_at": iso(hit.closes_at),
        "always_open": hit.always_open,
        "phones": [{"number": c.value, "description": c.description} for c in hit.phones],
        "languages": [language.code for language in hit.languages],
        "municipality": locations[0].municipality.number if locations else None,
    }
