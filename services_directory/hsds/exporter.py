"""Export of the directory as HSDS 3.0 in the Norwegian profile: the file export
(``export_services``) and the public API's pages (``export_chosen``) write each service
the same way."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, time
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
    derived_id,
    organization_export_id,
    organization_readable_id,
    service_export_id,
    service_readable_id,
    taxonomy_id,
    taxonomy_term_id,
)
from services_directory.models import (
    ContactChannel,
    Location,
    OpeningHours,
    Organization,
    Postcode,
    Service,
)


def _clock(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _translated(instance: models.Model, field_name: str) -> str:
    return getattr(instance, f"{field_name}_{DEFAULT_LANGUAGE}") or getattr(instance, field_name)


def _export_schedules(rows: list[OpeningHours]) -> list[dict]:
    """Weekly rows with the same hours share one schedule; then holidays, then dates.
    A schedule's id is the UUID of its first row, so it stays while that row does."""
    weekly: dict[tuple[time, time], list[OpeningHours]] = {}
    holiday: list[tuple[tuple[time, time], OpeningHours]] = []
    dated: list[tuple[date, date, tuple[time, time] | None, OpeningHours]] = []
    for row in rows:
        span = None
        if row.opens is not None and row.closes is not None:
            span = (row.opens, row.closes)
        if row.kind == OpeningHours.Kind.WEEKLY and span and row.weekday is not None:
            weekly.setdefault(span, []).append(row)
        elif row.kind == OpeningHours.Kind.HOLIDAY and span:
            holiday.append((span, row))
        elif row.kind == OpeningHours.Kind.EXCEPTION and row.valid_from is not None:
            # HSDS reads a missing valid_to as open-ended; the model means a single day.
            dated.append((row.valid_from, row.valid_to or row.valid_from, span, row))

    def hours_of(span: tuple[time, time]) -> dict[str, str]:
        return {"opens_at": _clock(span[0]), "closes_at": _clock(span[1])}

    schedules: list[dict] = []
    for span, group in sorted(
        weekly.items(), key=lambda item: (min(r.weekday or 0 for r in item[1]), item[0])
    ):
        group.sort(key=lambda r: (r.weekday or 0, r.pk or 0))
        days = sorted({r.weekday for r in group if r.weekday is not None})
        schedules.append(
            {
                "id": str(group[0].uuid),
                "freq": "WEEKLY",
                "byday": ",".join(DAYS[day] for day in days),
                **hours_of(span),
            }
        )
    for span, row in sorted(holiday, key=lambda item: (item[0], item[1].pk or 0)):
        schedules.append({"id": str(row.uuid), "x_public_holidays": True, **hours_of(span)})
    for start, end, span, row in sorted(
        dated, key=lambda d: (d[0], d[1], d[2] or (), d[3].pk or 0)
    ):
        entry = {"id": str(row.uuid), "valid_from": start.isoformat(), "valid_to": end.isoformat()}
        schedules.append(entry | hours_of(span) if span else entry)
    return schedules


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
    for channel in phones:
        phone: dict[str, Any] = {
            "id": str(channel.uuid),
            "number": channel.value,
            "type": "text" if channel.kind == ContactChannel.Kind.SMS else "voice",
        }
        if description := _translated(channel, "description"):
            phone["description"] = description
        if translations := _extra_translations(channel, ("description",)):
            phone["x_translations"] = translations
        if own := rows_by_channel.get(channel.pk):
            phone["x_schedules"] = _export_schedules(own)
        result["phones"].append(phone)
    if webs:
        result["url"] = webs[0].value
    if webs[1:]:
        result["additional_urls"] = [
            {
                "id": str(web.uuid),
                "url": web.value,
                "label": _translated(web, "description") or "",
            }
            for web in webs[1:]
        ]
    if emails:
        result["email"] = emails[0].value
    if chats:
        result["x_chat_url"] = chats[0].value
        if own := rows_by_channel.get(chats[0].pk):
            result["x_chat_schedules"] = _export_schedules(own)
    return result


def export_organization(organization: Organization) -> dict[str, Any]:
    oid = organization_export_id(organization)
    result: dict[str, Any] = {
        "id": oid,
        "name": organization.name,
        "description": "",
        "x_id": organization_readable_id(organization),
    }
    if organization.url:
        result["website"] = organization.url
    if organization.organization_number:
        result["organization_identifiers"] = [
            {
                "id": derived_id(organization.uuid, "identifier", ORGANIZATION_NUMBER_SCHEME),
                "identifier_scheme": ORGANIZATION_NUMBER_SCHEME,
                "identifier_type": "Organisasjonsnummer",
                "identifier": organization.organization_number,
            }
        ]
        result["x_organization_number"] = organization.organization_number
    return result


def export_location(location: Location, postcodes: dict[str, Postcode]) -> dict[str, Any]:
    """A public location (never call it with a confidential one)."""
    lid = str(location.uuid)
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
                "id": derived_id(location.uuid, "address"),
                "location_id": lid,
                "address_type": "physical",
                "address_1": location.address,
                "postal_code": location.postcode,
                "city": postcode.place if postcode else "",
                "state_province": municipality.county.name,
                "country": WHOLE_COUNTRY,
            }
        )
    data["x_municipality"] = municipality.number
    return data


def service_at_location_id(location: Location) -> str:
    return derived_id(location.uuid, "service_at_location")


def _export_locations(service: Service, postcodes: dict[str, Postcode]) -> list[dict]:
    # Confidential addresses never leave, not even their municipality; their UUIDs are
    # random, so the others' ids do not betray that something was left out.
    return [
        {
            "id": service_at_location_id(location),
            "service_id": str(service.uuid),
            "location_id": str(location.uuid),
            "location": export_location(location, postcodes),
        }
        for location in service.public_locations()
    ]


def _export_service_areas(service: Service) -> list[dict]:
    areas = [(WHOLE_COUNTRY, "Norge")] if service.covers_whole_country else []
    areas += sorted((county.number, county.name) for county in service.coverage_counties.all())
    areas += sorted((m.number, m.name) for m in service.coverage_municipalities.all())
    return [
        {
            "id": derived_id(service.uuid, "service_area", extent),
            "name": name,
            "extent_type": "text",
            "extent": extent,
        }
        for extent, name in areas
    ]


def export_taxonomy_term(taxonomy: str, term: models.Model) -> dict[str, Any]:
    """A vocabulary term as an HSDS taxonomy_term. The directory's terms have a label
    only, which HSDS's required description repeats."""
    label = _translated(term, "label")
    result: dict[str, Any] = {
        "id": taxonomy_term_id(taxonomy, term.code),  # type: ignore[attr-defined]
        "code": term.code,  # type: ignore[attr-defined]
        "name": label,
        "description": label,
        "taxonomy": taxonomy,
        "taxonomy_id": taxonomy_id(taxonomy),
        "language": DEFAULT_LANGUAGE,
    }
    if translations := _extra_translations(term, ("label",)):
        result["x_translations"] = {
            code: {"name": texts["label"]} for code, texts in translations.items()
        }
    return result


def _export_attributes(service: Service) -> list[dict]:
    attributes = []
    for taxonomy, (field_name, _model) in TAXONOMIES.items():
        for term in sorted(getattr(service, field_name).all(), key=lambda term: term.code):
            exported = export_taxonomy_term(taxonomy, term)
            attributes.append(
                {
                    "id": derived_id(service.uuid, "attribute", taxonomy, term.code),
                    "link_id": str(service.uuid),
                    "link_entity": "service",
                    "taxonomy_term_id": exported["id"],
                    "taxonomy_term": exported,
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
        "organization_id": organization_export_id(service.organization),
        "name": _translated(service, "name"),
        "description": _translated(service, "description") or "",
    }
    for key in ("url", "additional_urls", "email"):
        if key in contact:
            result[key] = contact[key]
    result["status"] = STATUS_TO_HSDS[Service.Status(service.status)]
    if fees := _translated(service, "fees_description"):
        result["fees_description"] = fees
    elif service.free_of_charge:
        result["fees_description"] = "Gratis"
    if service.min_age is not None:
        result["minimum_age"] = service.min_age
    if service.max_age is not None:
        result["maximum_age"] = service.max_age
    result["last_modified"] = last_modified(service)
    result["organization"] = export_organization(service.organization)
    result["service_at_locations"] = _export_locations(service, postcodes)
    result["phones"] = contact["phones"]
    result["schedules"] = _export_schedules(rows_by_channel.get(None, []))
    result["service_areas"] = _export_service_areas(service)
    result["languages"] = [
        {
            "id": derived_id(service.uuid, "language", language.code),
            "service_id": sid,
            "code": language.code,
            "name": language.name_nb,
        }
        for language in sorted(service.languages.all(), key=lambda language: language.code)
    ]
    result["attributes"] = _export_attributes(service)
    result["x_id"] = service_readable_id(service)
    if translations := _extra_translations(service, ("name", "description", "fees_description")):
        result["x_translations"] = translations
    result["x_holiday_policy"] = service.holiday_policy
    result["x_free_of_charge"] = service.free_of_charge
    result["x_anonymous_contact"] = service.anonymous_contact
    result["x_police_report_required"] = service.police_report_required
    for key in ("x_chat_url", "x_chat_schedules"):
        if key in contact:
            result[key] = contact[key]
    return result


def last_modified(service: Service) -> str:
    """When what is public of the service last changed, in UTC with milliseconds, as HSDS
    asks: never moved by an edit of a confidential address alone."""
    moment = service.public_updated_at.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


# The one-to-one fields of a service (HSDS service_list) and the fewest a client may ask
# for (``minimal``: the schema's required ones and the time of the last change).
LIST_KEYS = (
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees_description",
    "minimum_age",
    "maximum_age",
    "last_modified",
    "organization",
    "x_id",
)
MINIMAL_KEYS = ("id", "name", "status", "last_modified")
ORGANIZATION_LIST_KEYS = ("id", "name", "description", "website", "x_id")


def shaped(entry: dict, keys: tuple[str, ...]) -> dict:
    """``entry`` with only ``keys``; a nested organization keeps its one-to-one fields."""
    result = {key: entry[key] for key in keys if key in entry}
    if "organization" in result:
        result["organization"] = shaped(result["organization"], ORGANIZATION_LIST_KEYS)
    return result


def export_chosen(services: Iterable[Service]) -> list[dict]:
    """``services`` as HSDS in the order given, exactly as ``export_services`` writes each
    one (the same profile for the file and the public API). The caller decides which
    services may leave; fetch them with ``with_export_data``. What the profile cannot
    carry is left out as in the file export; the warnings are for whoever runs the export
    command, so they are not returned here."""
    return _export(services, [])


def dumps(services: list[dict]) -> str:
    return json.dumps(services, ensure_ascii=False, indent=2) + "\n"
