"""Import of Open Referral HSDS 3.0 files in the Norwegian profile (docs/hsds-profile.md).

Import is two-phase so that a file with any invalid record writes nothing:

1. ``parse_services`` reads every record into unsaved model instances (a ``ServicePlan``)
   and validates them with the models' own ``full_clean`` plus the profile's rules,
   collecting every ``Problem`` instead of stopping at the first;
2. ``write_plans`` saves the plans, replacing each service's child rows.

``import_services`` runs both in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from services_directory import hours
from services_directory.hsds.profile import (
    DAYS,
    DEFAULT_LANGUAGE,
    EXTRA_LANGUAGES,
    HOLIDAY_POLICIES,
    ISO_639_3_TO_1,
    ORGANIZATION_NUMBER_SCHEME,
    STATUS_FROM_HSDS,
    TAXONOMIES,
    WHOLE_COUNTRY,
    as_uuid,
    taxonomy_term_id,
)
from services_directory.models import (
    ContactChannel,
    County,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Postcode,
    Service,
)

CHANGE_REASON = "HSDS import"

# HSDS phone types. Fax, pager, video and textphone numbers are refused rather than
# stored as voice lines an operator might read out to a caller.
PHONE_TYPES = {
    None: ContactChannel.Kind.PHONE,
    "voice": ContactChannel.Kind.PHONE,
    "cell": ContactChannel.Kind.PHONE,
    "text": ContactChannel.Kind.SMS,
}
# A fees_description without x_free_of_charge is read as "there is a fee" unless it is
# one of these (compared in lowercase).
FREE_PHRASES = frozenset({"gratis", "free", "free of charge", "kostnadsfritt", "kostnadsfri"})

# The service's translated texts, in x_translations too.
TRANSLATED = ("name", "description", "fees_description")
# Boolean extensions -> Service field (default false).
FLAGS = {
    "x_anonymous_contact": "anonymous_contact",
    "x_police_report_required": "police_report_required",
}

# Record keys -> the channel kinds they describe, and M2M fields -> their record key.
CHANNEL_KEYS = {
    "phones": (ContactChannel.Kind.PHONE, ContactChannel.Kind.SMS),
    "x_chat_url": (ContactChannel.Kind.CHAT,),
    "email": (ContactChannel.Kind.EMAIL,),
    "url": (ContactChannel.Kind.WEB,),
    "additional_urls": (ContactChannel.Kind.WEB,),
}
RELATION_KEYS = {
    **{field_name: "attributes" for field_name, _model in TAXONOMIES.values()},
    "languages": "languages",
    "coverage_counties": "service_areas",
    "coverage_municipalities": "service_areas",
}

_TIME = re.compile(
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?", re.ASCII
)
# Oslo's own offsets: a time written with one of them is already the wall-clock time.
OSLO_OFFSETS = (timedelta(hours=1), timedelta(hours=2))
# Weekly times in UTC or a foreign offset are read on a winter day (standard time): the
# directory keeps wall-clock hours, which cannot move with daylight saving time.
STANDARD_TIME_DAY = date(2001, 1, 15)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# RRULE parts the profile cannot represent; refused so no rule is silently widened.
UNSUPPORTED_SCHEDULE_KEYS = ("until", "count", "byweekno", "bymonthday", "byyearday", "timezone")


# --- Problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    record: str  # the record's HSDS id, or "record N" (1-based) if it has none
    path: str  # where in the record, e.g. "phones[0].number"; "" for the whole record
    message: str

    def __str__(self) -> str:
        where = f"{self.record}: {self.path}" if self.path else self.record
        return f"{where}: {self.message}"


class HSDSImportError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _set_translations(
    instance: models.Model, field_name: str, values: dict[str, str | None]
) -> None:
    """Set every language's column explicitly: assigning the plain field would write
    whichever language happens to be active."""
    for code in EXTRA_LANGUAGES:
        setattr(instance, f"{field_name}_{code}", values.get(code))
    default = values.get(DEFAULT_LANGUAGE) or ""
    setattr(instance, f"{field_name}_{DEFAULT_LANGUAGE}", default)
    instance.__dict__[field_name] = default


def _is_free_phrase(text: str | None) -> bool:
    return text is not None and text.lower().rstrip(".") in FREE_PHRASES


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- Import: parsing and validation --------------------------------------------------------


def _match[M: (Service, Organization)](
    model: type[M], raw_id: str | None, readable: str | None
) -> tuple[M | None, UUID | None, str | None]:
    """The row a record describes, the UUID to give a new one, and the readable HSDS id
    to keep. An ``id`` that is a UUID is matched on the UUID (then on ``x_id``, the
    readable id older exports carried); any other ``id`` is the readable id itself."""
    uid = as_uuid(raw_id)
    hsds_id = readable if uid is not None else raw_id
    existing = model.objects.filter(uuid=uid).first() if uid is not None else None
    if existing is None and hsds_id:
        existing = model.objects.filter(hsds_id=hsds_id).first()
    if existing is not None and hsds_id is None:
        hsds_id = existing.hsds_id
    return existing, uid if existing is None else None, hsds_id


@dataclass
class ChannelPlan:
    channel: ContactChannel
    hours: list[OpeningHours] = field(default_factory=list)


@dataclass
class ServicePlan:
    """One record, ready to save: unsaved (or, for updates, modified) instances."""

    service: Service
    organization: Organization
    locations: list[Location] = field(default_factory=list)
    channels: list[ChannelPlan] = field(default_factory=list)
    hours: list[OpeningHours] = field(default_factory=list)  # the service's own rows
    relations: dict[str, list[models.Model]] = field(default_factory=dict)  # M2M field -> objects
    # Channel kinds the record describes; the others are kept on an update.
    channel_kinds: set[str] = field(default_factory=set)
    replace_locations: bool = True
    replace_hours: bool = True


class _Lookups:
    """Reference data, loaded once per import, and the organisations seen so far."""

    def __init__(self) -> None:
        self.terms = {
            taxonomy: {term.code: term for term in model.objects.all()}  # type: ignore[attr-defined]
            for taxonomy, (_field, model) in TAXONOMIES.items()
        }
        # Terms by HSDS id: the UUID exports give them, and the "taxonomy:code" ids
        # exports gave before.
        self.terms_by_id: dict[str, tuple[str, models.Model]] = {
            key: (taxonomy, term)
            for taxonomy, terms in self.terms.items()
            for code, term in terms.items()
            for key in (taxonomy_term_id(taxonomy, code), f"{taxonomy}:{code}")
        }
        self.languages = {language.code: language for language in Language.objects.all()}
        self.counties = {county.number: county for county in County.objects.all()}
        self.municipalities = {m.number: m for m in Municipality.objects.select_related("county")}
        self._postcodes: dict[str, Postcode | None] = {}
        # Nested UUIDs kept so far (see _RecordParser.keep_id).
        self.claimed: set[UUID] = set()
        # HSDS id -> (instance, its fields, the record that first gave it): records that
        # share an organisation share one instance and must describe it the same way.
        self.organizations: dict[str, tuple[Organization, dict, str]] = {}

    def postcode(self, code: str) -> Postcode | None:
        if code not in self._postcodes:
            self._postcodes[code] = (
                Postcode.objects.select_related("municipality").filter(code=code).first()
            )
        return self._postcodes[code]


class _RecordParser:
    """Turns one HSDS service object into a ServicePlan, collecting problems."""

    def __init__(self, record: dict, label: str, lookups: _Lookups):
        self.record = record
        self.label = label
        self.lookups = lookups
        self.problems: list[Problem] = []
        self.service_pk: int | None = None
        self.place_schedules = False
        self.existing_organization: Organization | None = None

    # Typed access. Each returns None (and records a problem) for a value of the wrong type.

    def error(self, path: str, message: str) -> None:
        problem = Problem(self.label, path, str(message))
        if problem not in self.problems:  # one byday row becomes several model rows
            self.problems.append(problem)

    def string(self, obj: dict, key: str, path: str, *, required: bool = False) -> str | None:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(_at(path, key), _("This field is required."))
            return None
        if not isinstance(value, str):
            self.error(_at(path, key), _("Expected a string."))
            return None
        return value.strip()

    def boolean(self, obj: dict, key: str, path: str, default: bool) -> bool:
        value = obj.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(_at(path, key), _("Expected true or false."))
            return default
        return value

    def integer(self, obj: dict, key: str, path: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(_at(path, key), _("Expected a whole number."))
            return None
        return value

    def number(self, obj: dict, key: str, path: str) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(_at(path, key), _("Expected a number."))
            return None
        return float(value)

    def objects(self, obj: dict, key: str, path: str) -> list[tuple[str, dict]]:
        """The list at ``key`` as (path, object) pairs; wrong types are reported."""
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(_at(path, key), _("Expected a list."))
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                result.append((_at(_at(path, key), index), item))
            else:
                self.error(_at(_at(path, key), index), _("Expected an object."))
        return result

    def mapping(self, obj: dict, key: str, path: str) -> dict | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(_at(path, key), _("Expected an object."))
            return None
        return value

    def full_clean(
        self, instance: models.Model, paths: dict[str, str], base: str, **kwargs
    ) -> None:
        """The model's own validation; errors are reported at the HSDS field they came from."""
        try:
            instance.full_clean(**kwargs)
        except ValidationError as error:
            reported = {problem.path for problem in self.problems}
            for name, messages in error.message_dict.items():
                path = base if name == NON_FIELD_ERRORS else paths.get(name, _at(base, name))
                if path in reported:
                    continue  # e.g. "Give the first date" after "Use the date format"
                for message in messages:
                    self.error(path, message)

    # The record

    def parse(self) -> ServicePlan:
        record = self.record
        service = self.parse_service()
        self.existing_organization = service.organization if service.pk else None
        organization = self.parse_organization()
        plan = ServicePlan(service=service, organization=organization)
        plan.locations = self.parse_locations()
        plan.channels = self.parse_channels()
        plan.hours = self.parse_schedules(record, "schedules", "")
        self.parse_place_contacts(plan)
        plan.relations = self.parse_vocabularies() | self.parse_coverage(service)
        if service.pk is not None:
            # An update replaces only what the record carries (HSDS service_list records
            # have no nested arrays at all).
            plan.channel_kinds = {
                kind for key, kinds in CHANNEL_KEYS.items() if key in record for kind in kinds
            }
            plan.replace_locations = "service_at_locations" in record
            plan.replace_hours = "schedules" in record or bool(self.place_schedules)
            plan.relations = {
                name: objects
                for name, objects in plan.relations.items()
                if RELATION_KEYS[name] in record
            }
        else:
            plan.channel_kinds = set(ContactChannel.Kind)
        if service.pk is None or plan.replace_hours or "x_holiday_policy" in record:
            self.settle_holiday_policy(service, plan)
        return plan

    def parse_place_contacts(self, plan: ServicePlan) -> None:
        """Phones and schedules given on a location or a service_at_location. The
        directory keeps them on the service: phones are added to its phones (the same
        phone repeated, by id or number, once); schedules are the service's hours when
        they repeat its schedules (same id) or when the service gives none and only one
        place gives them. Anything else is refused by name, never dropped."""
        known_phones = {
            (str(p.channel.uuid), p.channel.value) for p in plan.channels if p.channel.is_phone
        }
        service_schedule_ids = {
            entry.get("id")
            for _path, entry in self.objects(self.record, "schedules", "")
            if entry.get("id")
        }
        places: list[tuple[str, dict]] = []
        for sal_path, link in self.objects(self.record, "service_at_locations", ""):
            places.append((sal_path, link))
            location = link.get("location")
            if isinstance(location, dict):
                places.append((_at(sal_path, "location"), location))
        new_schedules: list[tuple[str, dict]] = []
        seen_schedule_ids = set(service_schedule_ids)
        for base, place in places:
            for path, phone in self.objects(place, "phones", base):
                plan_ = self.parse_phone(phone, path)
                if plan_ is None:
                    continue
                ids = {str(plan_.channel.uuid), phone.get("id")}
                if any(uid in ids or value == plan_.channel.value for uid, value in known_phones):
                    continue
                known_phones.add((str(plan_.channel.uuid), plan_.channel.value))
                plan_.channel.position = len(plan.channels)
                plan.channels.append(plan_)
            for path, schedule in self.objects(place, "schedules", base):
                if schedule.get("id") and schedule.get("id") in seen_schedule_ids:
                    continue  # the service's own schedule (or another place's), repeated
                if schedule.get("id"):
                    seen_schedule_ids.add(schedule["id"])
                new_schedules.append((path, schedule))
        self.place_schedules = bool(new_schedules)
        if not new_schedules:
            return
        places_with_hours = {path.rsplit(".schedules", 1)[0] for path, _s in new_schedules}
        if service_schedule_ids or self.record.get("schedules") or len(places_with_hours) > 1:
            for path, _schedule in new_schedules:
                self.error(
                    path,
                    _(
                        "The directory keeps opening hours per service: give them in the "
                        "service's schedules (hours at several places, or at a place and "
                        "on the service, cannot be told apart)."
                    ),
                )
            return
        for path, schedule in new_schedules:
            plan.hours.extend(self.parse_schedule(schedule, path))

    def parse_service(self) -> Service:
        record = self.record
        raw_id = self.string(record, "id", "", required=True)
        existing, uid, hsds_id = _match(Service, raw_id, self.string(record, "x_id", ""))
        # Updating the existing instance keeps what HSDS does not carry (operator note,
        # review dates) and lets full_clean's unique check see it is the same row.
        service = existing or Service()
        if uid is not None:
            service.uuid = uid
        service.hsds_id = hsds_id
        service._change_reason = CHANGE_REASON  # type: ignore[attr-defined]

        self.service_pk = service.pk
        # A key the record leaves out keeps what an existing service has: a list-shaped
        # record (HSDS service_list) updates only what it carries.
        keep = service.pk is not None
        texts = {DEFAULT_LANGUAGE: self.translatable(record, "")}
        translations = self.mapping(record, "x_translations", "") or {}
        for code, value in translations.items():
            path = _at("x_translations", code)
            if code not in EXTRA_LANGUAGES:
                self.error(
                    path,
                    _("Unknown language “%(code)s”; use %(codes)s.")
                    % {"code": code, "codes": ", ".join(EXTRA_LANGUAGES)},
                )
            elif isinstance(value, dict):
                texts[code] = self.translatable(value, path)
            else:
                self.error(path, _("Expected an object."))
        for name in TRANSLATED:
            if keep and name not in record and "x_translations" not in record:
                continue
            values = {code: fields.get(name) for code, fields in texts.items()}
            if keep and name not in record:  # only the other languages were given
                values[DEFAULT_LANGUAGE] = getattr(service, f"{name}_{DEFAULT_LANGUAGE}")
            elif name == "fees_description" and _is_free_phrase(values[DEFAULT_LANGUAGE]):
                values[DEFAULT_LANGUAGE] = None  # the flag says it (the export writes "Gratis")
            _set_translations(service, name, values)
        if texts[DEFAULT_LANGUAGE]["name"] is None:
            self.error("name", _("This field is required."))

        status = self.string(record, "status", "", required=True)
        if status is not None:
            if status in STATUS_FROM_HSDS:
                service.status = STATUS_FROM_HSDS[status]
            else:
                self.error(
                    "status",
                    _("Unknown status “%(status)s”; use %(choices)s.")
                    % {"status": status, "choices": ", ".join(STATUS_FROM_HSDS)},
                )
        if not keep or "minimum_age" in record:
            service.min_age = self.integer(record, "minimum_age", "")
        if not keep or "maximum_age" in record:
            service.max_age = self.integer(record, "maximum_age", "")
        if not keep or "x_published" in record:
            service.is_published = self.boolean(record, "x_published", "", True)
        if not keep or {"x_free_of_charge", "fees_description"} & set(record):
            service.free_of_charge = self.parse_free_of_charge()
        for key, attribute in FLAGS.items():
            if not keep or key in record:
                setattr(service, attribute, self.boolean(record, key, "", False))
        paths = {
            "hsds_id": "x_id" if record.get("x_id") else "id",
            "uuid": "id",
            "min_age": "minimum_age",
            "max_age": "maximum_age",
        }
        for name in TRANSLATED:
            paths[f"{name}_{DEFAULT_LANGUAGE}"] = name
            for code in EXTRA_LANGUAGES:
                paths[f"{name}_{code}"] = f"x_translations.{code}.{name}"
        # The base columns read the active language; each language's own column is
        # validated instead.
        self.full_clean(service, paths, "", exclude=["organization", *TRANSLATED])
        return service

    def translatable(self, obj: dict, path: str) -> dict[str, str | None]:
        return {name: self.string(obj, name, path) for name in TRANSLATED}

    def parse_free_of_charge(self) -> bool:
        if self.record.get("x_free_of_charge") is not None:
            return self.boolean(self.record, "x_free_of_charge", "", True)
        fees = self.string(self.record, "fees_description", "")
        return fees is None or _is_free_phrase(fees)

    def keep_id(self, obj: dict, model: type[models.Model]) -> UUID | None:
        """The nested object's ``id`` as the row's UUID, so ids survive a round trip;
        None (a new UUID) when it is no UUID, or one another service's row or another
        object in this file already has."""
        uid = as_uuid(obj.get("id"))
        if uid is None or uid in self.lookups.claimed:
            return None
        owner = model._default_manager.filter(uuid=uid).values_list("service_id", flat=True).first()
        if owner is not None and owner != self.service_pk:
            return None
        self.lookups.claimed.add(uid)
        return uid

    def parse_organization(self) -> Organization:
        data = self.mapping(self.record, "organization", "")
        if data is None:
            # A list-shaped record names its organisation by organization_id, or (on an
            # update) not at all.
            organization_id = as_uuid(self.record.get("organization_id"))
            known = (
                Organization.objects.filter(uuid=organization_id).first()
                if organization_id
                else None
            )
            if known is not None:
                return known
            if self.existing_organization is not None and "organization_id" not in self.record:
                return self.existing_organization
            if "organization" not in self.record:
                path = "organization_id" if "organization_id" in self.record else "organization"
                self.error(path, _("Give the organization (or the id of a known one)."))
            return Organization()
        base = "organization"
        raw_id = self.string(data, "id", base, required=True)
        name = self.string(data, "name", base, required=True)
        url_key = "website" if data.get("website") is not None else "url"
        number_path, number = self.organization_number(data, base)
        fields = {"name": name or "", "url": self.string(data, url_key, base) or ""}
        fields["organization_number"] = number or ""

        seen = self.lookups.organizations.get(raw_id) if raw_id else None
        if seen is not None:
            organization, seen_fields, seen_record = seen
            if seen_fields != fields:
                self.error(
                    base,
                    _("Differs from the organisation with the same id in %(record)s.")
                    % {"record": seen_record},
                )
            return organization

        existing, uid, hsds_id = _match(Organization, raw_id, self.string(data, "x_id", base))
        organization = existing or Organization()
        if uid is not None:
            organization.uuid = uid
        organization.hsds_id = hsds_id
        organization._change_reason = CHANGE_REASON  # type: ignore[attr-defined]
        for key, value in fields.items():
            setattr(organization, key, value)
        self.full_clean(
            organization,
            {
                "hsds_id": _at(base, "x_id" if data.get("x_id") else "id"),
                "uuid": _at(base, "id"),
                "name": _at(base, "name"),
                "url": _at(base, url_key),
                "organization_number": number_path,
            },
            base,
        )
        if raw_id:
            self.lookups.organizations[raw_id] = (organization, fields, self.label)
        return organization

    def organization_number(self, data: dict, base: str) -> tuple[str, str | None]:
        """The organisation number from x_organization_number, a NO-BRC identifier or
        tax_id; they must agree where several are given."""
        found: list[tuple[str, str]] = []
        for key in ("x_organization_number", "tax_id"):
            value = self.string(data, key, base)
            if value:
                found.append((_at(base, key), value))
        for path, identifier in self.objects(data, "organization_identifiers", base):
            if identifier.get("identifier_scheme") == ORGANIZATION_NUMBER_SCHEME:
                value = self.string(identifier, "identifier", path, required=True)
                if value:
                    found.append((_at(path, "identifier"), value))
        if not found:
            return _at(base, "x_organization_number"), None
        # "974 760 673" is the usual written form; compare and store without spaces.
        numbers = ["".join(value.split()) for _path, value in found]
        if len(set(numbers)) > 1:
            self.error(found[1][0], _("Differs from the organisation number given elsewhere."))
        return found[0][0], numbers[0]

    # Locations

    def parse_locations(self) -> list[Location]:
        locations = []
        for sal_path, link in self.objects(self.record, "service_at_locations", ""):
            data = self.mapping(link, "location", sal_path)
            if data is None:
                self.error(_at(sal_path, "location"), _("This field is required."))
                continue
            location = self.parse_location(data, _at(sal_path, "location"))
            if location is not None:
                locations.append(location)
        return locations

    def parse_location(self, data: dict, base: str) -> Location | None:
        if data.get("location_type") not in (None, "physical"):
            self.error(
                _at(base, "location_type"),
                _(
                    "Only physical locations are supported; give online contact as url, "
                    "email or x_chat_url."
                ),
            )
            return None
        location = Location(
            name=self.string(data, "name", base) or "",
            latitude=self.number(data, "latitude", base),
            longitude=self.number(data, "longitude", base),
            is_confidential=self.boolean(data, "x_confidential", base, False),
        )
        if uid := self.keep_id(data, Location):
            location.uuid = uid
        # The first physical (or untyped) address; postal addresses are not stored.
        address_path, address = "", {}
        for path, candidate in self.objects(data, "addresses", base):
            if candidate.get("address_type") in (None, "physical"):
                address_path, address = path, candidate
                break
        postcode = None
        if address:
            location.address = self.string(address, "address_1", address_path) or ""
            location.postcode = self.string(address, "postal_code", address_path) or ""
            country = self.string(address, "country", address_path)
            if country not in (None, WHOLE_COUNTRY):
                self.error(_at(address_path, "country"), _("Only Norwegian addresses (NO)."))
            if re.fullmatch(r"\d{4}", location.postcode):
                postcode = self.lookups.postcode(location.postcode)
                if postcode is None:
                    self.error(
                        _at(address_path, "postal_code"),
                        _("Unknown postcode “%(code)s”.") % {"code": location.postcode},
                    )
            elif location.postcode:
                self.error(_at(address_path, "postal_code"), _("A postcode has 4 digits."))

        municipality_path = _at(base, "x_municipality")
        number = self.string(data, "x_municipality", base)
        if number is not None:
            if municipality := self.municipality(number, municipality_path):
                location.municipality = municipality
        elif postcode is not None and postcode.municipality is not None:
            location.municipality = postcode.municipality
        elif postcode is not None:  # Svalbard and Jan Mayen are not municipalities
            self.error(
                municipality_path,
                _("Postcode %(code)s is not in a municipality.") % {"code": postcode.code},
            )
        elif not location.postcode:  # an unknown postcode has been reported already
            self.error(
                municipality_path,
                _("Give the municipality number (4 digits) or a postal code."),
            )
        exclude = ["service", "uuid"]
        if location.municipality_id is None:
            exclude.append("municipality")
        self.full_clean(
            location,
            {
                "name": _at(base, "name"),
                "address": _at(address_path or _at(base, "addresses[0]"), "address_1"),
                "postcode": _at(address_path or _at(base, "addresses[0]"), "postal_code"),
                "municipality": municipality_path,
                "latitude": _at(base, "latitude"),
                "longitude": _at(base, "longitude"),
            },
            base,
            exclude=exclude,
        )
        return location

    def municipality(self, number: str, path: str) -> Municipality | None:
        municipality = self.lookups.municipalities.get(number)
        if municipality is None:
            self.error(path, _("Unknown municipality number “%(number)s”.") % {"number": number})
        elif not municipality.is_active:
            self.error(
                path,
                _("Municipality %(number)s no longer exists (merged or renumbered).")
                % {"number": number},
            )
            return None
        return municipality

    # Contact channels

    def parse_phone(self, phone: dict, path: str) -> ChannelPlan | None:
        phone_type = phone.get("type")
        kind = PHONE_TYPES.get(phone_type) if isinstance(phone_type, str | None) else None
        if kind is None:
            self.error(
                _at(path, "type"),
                _("Unsupported phone type “%(type)s”; use voice, cell or text.")
                % {"type": phone.get("type")},
            )
            return None
        if phone.get("extension") not in (None, ""):
            self.error(_at(path, "extension"), _("Extensions are not supported."))
        texts = {DEFAULT_LANGUAGE: self.string(phone, "description", path)}
        translations = self.mapping(phone, "x_translations", path) or {}
        for code, value in translations.items():
            code_path = _at(_at(path, "x_translations"), code)
            if code not in EXTRA_LANGUAGES:
                self.error(code_path, _("Unknown language “%(code)s”.") % {"code": code})
            elif not isinstance(value, dict):
                self.error(code_path, _("Expected an object."))
            else:
                texts[code] = self.string(value, "description", code_path)
        channel = self.channel(
            kind, self.string(phone, "number", path, required=True), texts, path, "number"
        )
        if channel is None:
            return None
        if uid := self.keep_id(phone, ContactChannel):
            channel.uuid = uid
        return ChannelPlan(channel, self.parse_schedules(phone, "x_schedules", path))

    def parse_channels(self) -> list[ChannelPlan]:
        plans = []
        for path, phone in self.objects(self.record, "phones", ""):
            if (plan := self.parse_phone(phone, path)) is not None:
                plans.append(plan)

        for kind, key, hours_key in (
            (ContactChannel.Kind.CHAT, "x_chat_url", "x_chat_schedules"),
            (ContactChannel.Kind.EMAIL, "email", None),
            (ContactChannel.Kind.WEB, "url", None),
        ):
            channel = self.channel(kind, self.string(self.record, key, ""), {}, "", key)
            if channel is not None:
                hours = self.parse_schedules(self.record, hours_key, "") if hours_key else []
                plans.append(ChannelPlan(channel, hours))
            elif hours_key and self.record.get(hours_key):
                self.error(hours_key, _("Give %(key)s as well.") % {"key": key})
        for path, link in self.objects(self.record, "additional_urls", ""):
            texts = {DEFAULT_LANGUAGE: self.string(link, "label", path)}
            url = self.string(link, "url", path, required=True)
            channel = self.channel(ContactChannel.Kind.WEB, url, texts, path, "url", "label")
            if channel is not None:
                if uid := self.keep_id(link, ContactChannel):
                    channel.uuid = uid
                plans.append(ChannelPlan(channel))
        for position, plan in enumerate(plans):
            plan.channel.position = position
        return plans

    def channel(
        self,
        kind: str,
        value: str | None,
        descriptions: dict[str, str | None],
        path: str,
        value_key: str,
        description_key: str = "description",
    ) -> ContactChannel | None:
        if value is None:
            return None
        channel = ContactChannel(kind=kind, value=value)
        _set_translations(channel, "description", descriptions)
        paths = {
            "value": _at(path, value_key),
            f"description_{DEFAULT_LANGUAGE}": _at(path, description_key),
        }
        for code in EXTRA_LANGUAGES:
            paths[f"description_{code}"] = _at(path, f"x_translations.{code}.description")
        # clean() also normalises phone numbers to their stored form.
        # The UUID is checked by keep_id: the row holding it now is about to be replaced.
        self.full_clean(channel, paths, path, exclude=["service", "description", "uuid"])
        return channel

    # Opening hours

    def parse_schedules(self, obj: dict, key: str, path: str) -> list[OpeningHours]:
        rows = []
        for row_path, schedule in self.objects(obj, key, path):
            rows.extend(self.parse_schedule(schedule, row_path))
        return rows

    def parse_schedule(self, schedule: dict, path: str) -> list[OpeningHours]:
        freq = schedule.get("freq")
        if freq not in (None, "WEEKLY"):
            self.error(_at(path, "freq"), _("Only WEEKLY schedules are supported."))
            return []
        if schedule.get("interval") not in (None, 1):
            self.error(_at(path, "interval"), _("Only every week (interval 1) is supported."))
        for key in UNSUPPORTED_SCHEDULE_KEYS:
            if schedule.get(key) not in (None, "", []):
                self.error(_at(path, key), _("Not supported by the Norwegian profile."))
        valid_from = self.day(schedule, "valid_from", path)
        opens = self.clock(schedule, "opens_at", path, on=valid_from)
        closes = self.clock(schedule, "closes_at", path, closing=True, on=valid_from)
        valid_to = self.day(schedule, "valid_to", path)
        byday = self.string(schedule, "byday", path)
        holiday = self.boolean(schedule, "x_public_holidays", path, False)
        # Many HSDS producers write every key, with null for "not set".
        dated = any(schedule.get(key) not in (None, "") for key in ("valid_from", "valid_to"))
        weekdays: list[int | None]

        if holiday:
            if dated or byday:
                self.error(
                    path,
                    _(
                        "A public-holiday schedule (x_public_holidays) has no byday, "
                        "valid_from or valid_to."
                    ),
                )
            kind, weekdays = OpeningHours.Kind.HOLIDAY, [None]
        elif dated:
            if byday:
                # HSDS would read this as a seasonal weekly rule, which the directory
                # cannot store; importing it as "every date in the range" would be wrong.
                self.error(
                    _at(path, "byday"),
                    _(
                        "A dated schedule applies to every date from valid_from to valid_to; "
                        "byday cannot be combined with it."
                    ),
                )
            kind, weekdays = OpeningHours.Kind.EXCEPTION, [None]
        else:
            kind = OpeningHours.Kind.WEEKLY
            weekdays = list(self.weekdays(byday, _at(path, "byday")))
        rows: list[OpeningHours] = []
        uid = self.keep_id(schedule, OpeningHours)
        for weekday in weekdays:
            row = OpeningHours(
                kind=kind,
                weekday=weekday,
                valid_from=valid_from,
                valid_to=valid_to,
                opens=opens,
                closes=closes,
            )
            self.full_clean(
                row,
                {
                    "opens": _at(path, "opens_at"),
                    "closes": _at(path, "closes_at"),
                    "weekday": _at(path, "byday"),
                    "valid_from": _at(path, "valid_from"),
                    "valid_to": _at(path, "valid_to"),
                },
                path,
                exclude=["service", "channel", "uuid"],
            )
            if uid is not None and not rows:
                row.uuid = uid  # the schedule's first row carries its id
            rows.append(row)
        return rows

    def weekdays(self, byday: str | None, path: str) -> list[int]:
        if byday is None:
            self.error(path, _("Give the days, e.g. “MO,TU,WE,TH,FR”."))
            return []
        weekdays = []
        for token in byday.split(","):
            token = token.strip().upper()
            if token in DAYS:
                weekdays.append(DAYS.index(token))
            else:
                self.error(path, _("Unknown day “%(day)s”; use MO … SU.") % {"day": token})
        return sorted(set(weekdays))

    def clock(
        self,
        obj: dict,
        key: str,
        path: str,
        *,
        closing: bool = False,
        on: date | None = None,
    ) -> time | None:
        """HH:MM[:SS] in Norwegian local time; with ``Z`` or an offset it is converted
        to Europe/Oslo on the date ``on`` (a dated schedule's first day), else in
        standard time."""
        text = self.string(obj, key, path)
        if text is None:
            return None
        match = _TIME.fullmatch(text)
        if match:
            hour, minute, second = (int(part or 0) for part in match.groups()[:3])
            utc, sign, offset_hours, offset_minutes = match.groups()[3:]
        else:
            hour, minute, second, utc, sign = 99, 0, 0, None, None
        if hour == 24 and minute == second == 0 and not (utc or sign):
            return time(0)  # end of the day
        if hour > 23 or minute > 59 or second > 59:
            self.error(
                _at(path, key),
                _("Use HH:MM in Norwegian local time, e.g. “08:00” (or with Z or an offset)."),
            )
            return None
        if utc or sign:
            offset = timedelta(0)
            if sign:
                offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
                offset = -offset if sign == "-" else offset
            if offset not in OSLO_OFFSETS:
                moment = datetime.combine(
                    on or STANDARD_TIME_DAY, time(hour, minute, second), timezone(offset)
                )
                local = moment.astimezone(hours.OSLO)
                hour, minute, second = local.hour, local.minute, local.second
        if closing and (hour, minute) == (23, 59):
            # "until 23:59" means until midnight; stored as 00:00 (the next day).
            return time(0)
        return time(hour, minute, second)

    def day(self, obj: dict, key: str, path: str) -> date | None:
        text = self.string(obj, key, path)
        if text is None:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            return date.fromisoformat(text)
        except ValueError:
            self.error(_at(path, key), _("Use the date format YYYY-MM-DD."))
            return None

    def settle_holiday_policy(self, service: Service, plan: ServicePlan) -> None:
        """x_holiday_policy, or "own" when there are holiday rows, else "normal"."""
        rows = plan.hours + [row for channel in plan.channels for row in channel.hours]
        has_holiday_rows = any(row.kind == OpeningHours.Kind.HOLIDAY for row in rows)
        policy = self.string(self.record, "x_holiday_policy", "")
        if policy is None:
            policy = (
                hours.HolidayPolicy.OWN_HOURS if has_holiday_rows else hours.HolidayPolicy.NORMAL
            )
        elif policy not in HOLIDAY_POLICIES:
            self.error(
                "x_holiday_policy",
                _("Unknown holiday policy “%(policy)s”; use %(choices)s.")
                % {"policy": policy, "choices": ", ".join(HOLIDAY_POLICIES)},
            )
            return
        elif has_holiday_rows and policy != hours.HolidayPolicy.OWN_HOURS:
            self.error(
                "x_holiday_policy",
                _("Schedules with x_public_holidays need x_holiday_policy “own”."),
            )
        service.holiday_policy = str(policy)

    # Vocabularies and coverage

    def parse_vocabularies(self) -> dict[str, list[models.Model]]:
        relations: dict[str, list[models.Model]] = {name: [] for name, _m in TAXONOMIES.values()}
        for path, attribute in self.objects(self.record, "attributes", ""):
            term_path = _at(path, "taxonomy_term")
            term = self.mapping(attribute, "taxonomy_term", path)
            if term is None or not (term.get("code") or term.get("taxonomy")):
                # A term named by its id alone (taxonomy_term_id, or a term object with
                # only an id) is fine when the directory knows that id.
                term_id = (term or {}).get("id") or attribute.get("taxonomy_term_id")
                if not isinstance(term_id, str):
                    self.error(term_path, _("This field is required."))
                    continue
                known = self.lookups.terms_by_id.get(term_id)
                if known is None:
                    self.error(
                        _at(path, "taxonomy_term_id"),
                        _(
                            "Unknown taxonomy term id “%(id)s”; give taxonomy_term with "
                            "taxonomy and code."
                        )
                        % {"id": term_id},
                    )
                    continue
                taxonomy_name, found_term = known
                if found_term not in relations[TAXONOMIES[taxonomy_name][0]]:
                    relations[TAXONOMIES[taxonomy_name][0]].append(found_term)
                continue
            taxonomy = self.string(term, "taxonomy", term_path, required=True)
            code = self.string(term, "code", term_path, required=True)
            if taxonomy is None or code is None:
                continue
            if taxonomy not in TAXONOMIES:
                self.error(
                    _at(term_path, "taxonomy"),
                    _("Unknown taxonomy “%(taxonomy)s”; use %(choices)s.")
                    % {"taxonomy": taxonomy, "choices": ", ".join(TAXONOMIES)},
                )
                continue
            found = self.lookups.terms[taxonomy].get(code)
            if found is None:
                self.error(
                    _at(term_path, "code"),
                    _("Unknown %(taxonomy)s code “%(code)s”.")
                    % {"taxonomy": taxonomy, "code": code},
                )
            elif found not in relations[TAXONOMIES[taxonomy][0]]:
                relations[TAXONOMIES[taxonomy][0]].append(found)

        languages: list[models.Model] = []
        for path, language in self.objects(self.record, "languages", ""):
            code = self.string(language, "code", path, required=True)
            if code is None:
                continue
            found_language = self.lookups.languages.get(code) or self.lookups.languages.get(
                ISO_639_3_TO_1.get(code.lower(), "")
            )
            if found_language is None:
                self.error(
                    _at(path, "code"), _("Unknown language code “%(code)s”.") % {"code": code}
                )
            elif found_language not in languages:
                languages.append(found_language)
        relations["languages"] = languages
        return relations

    def parse_coverage(self, service: Service) -> dict[str, list[models.Model]]:
        counties: list[models.Model] = []
        municipalities: list[models.Model] = []
        if "service_areas" in self.record or service.pk is None:
            service.covers_whole_country = False
        for path, area in self.objects(self.record, "service_areas", ""):
            extent_type = self.string(area, "extent_type", path, required=True)
            extent = self.string(area, "extent", path, required=True)
            if extent_type is not None and extent_type != "text":
                self.error(
                    _at(path, "extent_type"),
                    _("Use extent_type “text” with a municipality or county number, or NO."),
                )
                continue
            if extent is None:
                continue
            extent_path = _at(path, "extent")
            if extent.upper() == WHOLE_COUNTRY:
                service.covers_whole_country = True
            elif re.fullmatch(r"\d{2}", extent):
                county = self.lookups.counties.get(extent)
                if county is None or not county.is_active:
                    self.error(
                        extent_path, _("Unknown county number “%(number)s”.") % {"number": extent}
                    )
                elif county not in counties:
                    counties.append(county)
            elif re.fullmatch(r"\d{4}", extent):
                municipality = self.municipality(extent, extent_path)
                if municipality is not None and municipality not in municipalities:
                    municipalities.append(municipality)
            else:
                self.error(
                    extent_path,
                    _(
                        "Give a municipality number (4 digits), a county number (2 digits) "
                        "or NO for the whole country."
                    ),
                )
        return {"coverage_counties": counties, "coverage_municipalities": municipalities}


def records_of(data: Any) -> list | None:
    """The service records of a decoded file: a list of services, an HSDS API Page
    object (its ``contents``) or a single service object; None for anything else."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"]
    if isinstance(data, dict) and "contents" not in data:
        return [data]
    return None


def parse_services(data: Any) -> tuple[list[ServicePlan], list[Problem]]:
    """Read and validate a decoded HSDS file. Reads the database, never writes."""
    data = records_of(data)
    if data is None:
        message = _("Expected HSDS service objects: a list, a Page object or one service.")
        return [], [Problem(_("file"), "", message)]
    lookups = _Lookups()
    plans: list[ServicePlan] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for index, record in enumerate(data):
        position = _("record %(number)s") % {"number": index + 1}
        if not isinstance(record, dict):
            problems.append(Problem(position, "", _("Expected an HSDS service object.")))
            continue
        hsds_id = record.get("id")
        label = hsds_id if isinstance(hsds_id, str) and hsds_id.strip() else position
        if isinstance(hsds_id, str) and hsds_id in first_seen:
            problems.append(
                Problem(
                    label,
                    "id",
                    _("The same id is used by %(record)s.") % {"record": first_seen[hsds_id]},
                )
            )
            continue
        if isinstance(hsds_id, str):
            first_seen[hsds_id] = position
        parser = _RecordParser(record, label, lookups)
        plan = parser.parse()
        problems.extend(parser.problems)
        plans.append(plan)
    return plans, problems


# --- Import: writing -----------------------------------------------------------------------


def write_plans(plans: Iterable[ServicePlan]) -> None:
    """Save validated plans: create or update each service and replace the child rows
    of what each record carries."""
    # Saving reads the base name/description columns through modeltranslation, which
    # follows the active language; the base columns hold the default language.
    with translation.override(DEFAULT_LANGUAGE):
        saved: set[int] = set()
        for plan in plans:
            if id(plan.organization) not in saved:
                plan.organization.save()
                saved.add(id(plan.organization))
            service = plan.service
            service.organization = plan.organization
            service.save()
            if plan.replace_locations:
                service.locations.all().delete()
                for location in plan.locations:
                    location.service = service
                    location.save()
            # Deleting a channel deletes its own hours with it.
            service.channels.filter(kind__in=plan.channel_kinds).delete()
            if plan.replace_hours:
                service.opening_hours.filter(channel=None).delete()
                for row in plan.hours:
                    row.service = service
                    row.save()
            for channel_plan in plan.channels:
                if channel_plan.channel.kind not in plan.channel_kinds:
                    continue  # a kind the record does not describe is kept as it is
                channel_plan.channel.service = service
                channel_plan.channel.save()
                for row in channel_plan.hours:
                    row.service, row.channel = service, channel_plan.channel
                    row.save()
            for name, objects in plan.relations.items():
                getattr(service, name).set(objects)


@dataclass
class ImportResult:
    created: int
    updated: int

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


def import_services(data: Any, *, dry_run: bool = False) -> ImportResult:
    """Validate and import a decoded HSDS file in one transaction; all or nothing.

    Raises HSDSImportError listing every problem if any record is invalid.
    """
    with transaction.atomic():
        plans, problems = parse_services(data)
        if problems:
            raise HSDSImportError(problems)
        result = ImportResult(
            created=sum(plan.service.pk is None for plan in plans),
            updated=sum(plan.service.pk is not None for plan in plans),
        )
        if not dry_run:
            write_plans(plans)
    return result
