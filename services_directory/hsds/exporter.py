"""Export of the directory as HSDS 3.0 in the Norwegian profile: the file export
(``export_services``) and the public API's pages (``export_chosen``) write each service
the same way."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.db import models

from services_directory.hsds.profile import (
    DAYS,
    DEFAULT_LANGUAGE,
    EXTRA_LANGUAGES,
    ORGANIZATION_NUMBER_SCHEME,
    STATUS_TO_HSDS,
    TAXONOMIES,
    WHOLE_COUNTRY,
    organization_export_id,
    service_export_id,
)
from services_directory.models import ContactChannel, OpeningHours, Organization, Postcode, Service


def _clock(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _translated(instance: models.Model, field_name: str) -> str:
    return getattr(instance, f"{field_name}_{DEFAULT_LANGUAGE}") or getattr(instance, field_name)


def _export_schedules(rows: list[OpeningHours], prefix: str) -> list[dict]:
    """Weekly rows with the same hours share one schedule; then holidays, then dates."""
    weekly: dict[tuple[time, time], set[int]] = {}
    holiday: list[tuple[time, time]] = []
    dated: list[tuple[date, date, tuple[time, time] | None]] = []
    for row in rows:
        span = None
        if row.opens is not None and row.closes is not None:
            span = (row.opens, row.closes)
        if row.kind == OpeningHours.Kind.WEEKLY and span and row.weekday is not None:
            weekly.setdefault(span, set()).add(row.weekday)
        elif row.kind == OpeningHours.Kind.HOLIDAY and span:
            holiday.append(span)
        elif row.kind == OpeningHours.Kind.EXCEPTION and row.valid_from is not None:
            # HSDS reads a missing valid_to as open-ended; the model means a single day.
            dated.append((row.valid_from, row.valid_to or row.valid_from, span))

    def hours_of(span: tuple[time, time]) -> dict[str, str]:
        return {"opens_at": _clock(span[0]), "closes_at": _clock(span[1])}

    schedules: list[dict] = [
        {"freq": "WEEKLY", "byday": ",".join(DAYS[day] for day in sorted(days)), **hours_of(span)}
        for span, days in sorted(weekly.items(), key=lambda item: (min(item[1]), item[0]))
    ]
    schedules += [{"x_public_holidays": True, **hours_of(span)} for span in sorted(holiday)]
    for start, end, span in sorted(dated, key=lambda d: (d[0], d[1], d[2] or ())):
        entry = {"valid_from": start.isoformat(), "valid_to": end.isoformat()}
        schedules.append(entry | hours_of(span) if span else entry)
    return [{"id": f"{prefix}-{n}", **schedule} for n, schedule in enumerate(schedules, 1)]


def _extra_translations(instance: models.Model, field_names: tuple[str, ...]) -> dict:
    """x_translations: the non-default languages that have text."""
    result = {}
    for code in EXTRA_LANGUAGES:
        texts = {
            name: text for name in field_names if (text := getattr(instance, f"{name}_{code}"))
        }
        if texts:
            result[code] = texts
    return result


def _export_channels(
    service: Service,
    rows_by_channel: dict[int | None, list[OpeningHours]],
    sid: str,
    warnings: list[str],
) -> dict[str, Any]:
    """phones, url, additional_urls, email and x_chat_url (with their own hours)."""
    by_kind: dict[str, list[ContactChannel]] = {kind: [] for kind in ContactChannel.Kind}
    for channel in sorted(service.channels.all(), key=lambda c: (c.position, c.pk)):
        by_kind[channel.kind].append(channel)
    chats, emails, webs = (by_kind[kind] for kind in ("chat", "email", "web"))

    def dropped(channel: ContactChannel, what: str) -> None:
        warnings.append(
            f"{sid}: {what} of {channel.get_kind_display()} {channel.value} not exported"
        )

    # The profile carries one chat and one e-mail address, and descriptions only for
    # phones and additional URLs; say what is left out rather than drop it silently.
    for channel in chats[1:] + emails[1:]:
        dropped(channel, "the channel")
    for channel in chats[:1] + emails[:1] + webs[:1]:
        if _translated(channel, "description"):
            dropped(channel, "the description")
    for channel in emails[:1] + webs:
        if rows_by_channel.get(channel.pk):
            dropped(channel, "the opening hours")

    result: dict[str, Any] = {}
    phones = sorted(by_kind["phone"] + by_kind["sms"], key=lambda c: (c.position, c.pk))
    result["phones"] = []
    for n, channel in enumerate(phones, 1):
        phone: dict[str, Any] = {
            "id": f"{sid}-phone-{n}",
            "number": channel.value,
            "type": "text" if channel.kind == ContactChannel.Kind.SMS else "voice",
        }
        if description := _translated(channel, "description"):
            phone["description"] = description
        if translations := _extra_translations(channel, ("description",)):
            phone["x_translations"] = translations
        if own := rows_by_channel.get(channel.pk):
            phone["x_schedules"] = _export_schedules(own, f"{sid}-phone-{n}-schedule")
        result["phones"].append(phone)
    if webs:
        result["url"] = webs[0].value
    if webs[1:]:
        result["additional_urls"] = [
            {
                "id": f"{sid}-url-{n}",
                "url": web.value,
                "label": _translated(web, "description") or "",
            }
            for n, web in enumerate(webs[1:], 1)
        ]
    if emails:
        result["email"] = emails[0].value
    if chats:
        result["x_chat_url"] = chats[0].value
        if own := rows_by_channel.get(chats[0].pk):
            result["x_chat_schedules"] = _export_schedules(own, f"{sid}-chat-schedule")
    return result


def _export_organization(organization: Organization) -> dict[str, Any]:
    oid = organization_export_id(organization)
    result: dict[str, Any] = {"id": oid, "name": organization.name, "description": ""}
    if organization.url:
        result["website"] = organization.url
    if organization.organization_number:
        result["organization_identifiers"] = [
            {
                "id": f"{oid}-identifier-1",
                "identifier_scheme": ORGANIZATION_NUMBER_SCHEME,
                "identifier_type": "Organisasjonsnummer",
                "identifier": organization.organization_number,
            }
        ]
        result["x_organization_number"] = organization.organization_number
    return result


def _export_locations(service: Service, sid: str, postcodes: dict[str, Postcode]) -> list[dict]:
    # Confidential addresses never leave, not even their municipality. Numbering only
    # the public ones keeps the ids from betraying that something was left out.
    result = []
    for n, location in enumerate(service.public_locations(), 1):
        lid = f"{sid}-location-{n}"
        municipality = location.municipality
        data: dict[str, Any] = {"id": lid, "location_type": "physical"}
        if location.name:
            data["name"] = location.name
        if location.latitude is not None:
            data["latitude"] = location.latitude
            data["longitude"] = location.longitude
        data["addresses"] = []
        if location.address or location.postcode:
            postcode = postcodes.get(location.postcode)
            data["addresses"].append(
                {
                    "id": f"{lid}-address-1",
                    "address_type": "physical",
                    "address_1": location.address,
                    "postal_code": location.postcode,
                    "city": postcode.place if postcode else "",
                    "state_province": municipality.county.name,
                    "country": WHOLE_COUNTRY,
                }
            )
        data["x_municipality"] = municipality.number
        result.append({"id": f"{sid}-service-at-location-{n}", "location": data})
    return result


def _export_service_areas(service: Service, sid: str) -> list[dict]:
    areas = [(WHOLE_COUNTRY, "Norge")] if service.covers_whole_country else []
    areas += sorted((county.number, county.name) for county in service.coverage_counties.all())
    areas += sorted((m.number, m.name) for m in service.coverage_municipalities.all())
    return [
        {"id": f"{sid}-area-{n}", "name": name, "extent_type": "text", "extent": extent}
        for n, (extent, name) in enumerate(areas, 1)
    ]


def _export_attributes(service: Service, sid: str) -> list[dict]:
    attributes = []
    for taxonomy, (field_name, _model) in TAXONOMIES.items():
        for term in sorted(getattr(service, field_name).all(), key=lambda term: term.code):
            term_id = f"{taxonomy}:{term.code}"
            attributes.append(
                {
                    "id": f"{sid}-{term_id}",
                    "taxonomy_term_id": term_id,
                    "taxonomy_term": {
                        "id": term_id,
                        "code": term.code,
                        "name": _translated(term, "label"),
                        "taxonomy": taxonomy,
                    },
                }
            )
    return attributes


def _export_service(service: Service, postcodes: dict[str, Postcode], warnings: list[str]) -> dict:
    sid = service_export_id(service)
    rows_by_channel: dict[int | None, list[OpeningHours]] = {}
    for row in service.opening_hours.all():
        rows_by_channel.setdefault(row.channel_id, []).append(row)
    contact = _export_channels(service, rows_by_channel, sid, warnings)

    result: dict[str, Any] = {
        "id": sid,
        "name": _translated(service, "name"),
        "description": _translated(service, "description") or "",
    }
    for key in ("url", "additional_urls", "email"):
        if key in contact:
            result[key] = contact[key]
    result["status"] = STATUS_TO_HSDS[Service.Status(service.status)]
    if service.free_of_charge:
        result["fees_description"] = "Gratis"
    if service.min_age is not None:
        result["minimum_age"] = service.min_age
    if service.max_age is not None:
        result["maximum_age"] = service.max_age
    result["organization"] = _export_organization(service.organization)
    result["service_at_locations"] = _export_locations(service, sid, postcodes)
    result["phones"] = contact["phones"]
    result["schedules"] = _export_schedules(rows_by_channel.get(None, []), f"{sid}-schedule")
    result["service_areas"] = _export_service_areas(service, sid)
    result["languages"] = [
        {"id": f"{sid}-language-{language.code}", "code": language.code, "name": language.name_nb}
        for language in sorted(service.languages.all(), key=lambda language: language.code)
    ]
    result["attributes"] = _export_attributes(service, sid)
    if translations := _extra_translations(service, ("name", "description")):
        result["x_translations"] = translations
    result["x_holiday_policy"] = service.holiday_policy
    result["x_free_of_charge"] = service.free_of_charge
    result["x_anonymous_contact"] = service.anonymous_contact
    result["x_police_report_required"] = service.police_report_required
    for key in ("x_chat_url", "x_chat_schedules"):
        if key in contact:
            result[key] = contact[key]
    return result


# Everything _export_service reads, so a page of services costs a fixed number of queries.
EXPORT_PREFETCHES = (
    "locations__municipality__county",
    "channels",
    "opening_hours",
    "coverage_counties",
    "coverage_municipalities",
    "languages",
    *(field_name for field_name, _model in TAXONOMIES.values()),
)


def with_export_data(services: models.QuerySet[Service]) -> models.QuerySet[Service]:
    """``services`` with what the export reads fetched up front."""
    return services.select_related("organization").prefetch_related(*EXPORT_PREFETCHES)


def _export(services: Iterable[Service], warnings: list[str]) -> list[dict]:
    services = list(services)
    codes = {loc.postcode for s in services for loc in s.public_locations() if loc.postcode}
    postcodes = {p.code: p for p in Postcode.objects.filter(code__in=codes)}
    return [_export_service(service, postcodes, warnings) for service in services]


def export_services() -> tuple[list[dict], list[str]]:
    """Every public service (``Service.objects.public()``: published and active) as HSDS,
    sorted by id, and warnings about what the profile could not carry. Drafts, closed
    services, confidential locations and operator notes never leave."""
    warnings: list[str] = []
    exported = _export(with_export_data(Service.objects.public()), warnings)
    exported.sort(key=lambda entry: entry["id"])
    return exported, warnings


def export_chosen(services: Iterable[Service]) -> list[dict]:
    """``services`` as HSDS in the order given, exactly as ``export_services`` writes each
    one (the same profile for the file and the public API). The caller decides which
    services may leave; fetch them with ``with_export_data``. What the profile cannot
    carry is left out as in the file export; the warnings are for whoever runs the export
    command, so they are not returned here."""
    return _export(services, [])


def dumps(services: list[dict]) -> str:
    return json.dumps(services, ensure_ascii=False, indent=2) + "\n"
