"""The Norwegian HSDS 3.0 profile's shared vocabulary: what the importer reads and the
exporter writes alike (docs/hsds-profile.md; keep the two in step)."""

from __future__ import annotations

from uuid import UUID, uuid5

from django.conf import settings
from django.db import models

from services_directory import hours
from services_directory.models import (
    AccessibilityFeature,
    Organization,
    Service,
    ServiceType,
    TargetGroup,
    Topic,
)

DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
# Languages other than the default, which arrive in ``x_translations``.
EXTRA_LANGUAGES: tuple[str, ...] = tuple(
    code for code in settings.MODELTRANSLATION_LANGUAGES if code != DEFAULT_LANGUAGE
)

WHOLE_COUNTRY = "NO"
# Brønnøysund Register Centre in org-id.guide, for organization_identifiers.
ORGANIZATION_NUMBER_SCHEME = "NO-BRC"
EXPORT_ID_PREFIX = "no-hotline"

# taxonomy_term.taxonomy -> (Service field, vocabulary model)
TAXONOMIES: dict[str, tuple[str, type[models.Model]]] = {
    "service_type": ("service_types", ServiceType),
    "topic": ("topics", Topic),
    "target_group": ("target_groups", TargetGroup),
    "accessibility": ("accessibility", AccessibilityFeature),
}

STATUS_FROM_HSDS = {
    "active": Service.Status.ACTIVE,
    "temporarily closed": Service.Status.TEMPORARILY_CLOSED,
    "inactive": Service.Status.INACTIVE,
    "defunct": Service.Status.INACTIVE,
}
STATUS_TO_HSDS = {
    Service.Status.ACTIVE: "active",
    Service.Status.TEMPORARILY_CLOSED: "temporarily closed",
    Service.Status.INACTIVE: "inactive",
}
HOLIDAY_POLICIES = tuple(policy.value for policy in hours.HolidayPolicy)

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# ISO 639-3 (and 639-2/B) codes of languages the directory knows by their ISO 639-1 code;
# languages with no 639-1 code (smj, sma, fkv, prs, ...) are stored as 639-3 already.
ISO_639_3_TO_1 = {
    "nob": "nb",
    "nno": "nn",
    "sme": "se",
    "eng": "en",
    "swe": "sv",
    "dan": "da",
    "fin": "fi",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "pol": "pl",
    "lit": "lt",
    "rus": "ru",
    "ukr": "uk",
    "ara": "ar",
    "som": "so",
    "tir": "ti",
    "fas": "fa",
    "per": "fa",
    "pus": "ps",
    "urd": "ur",
    "tur": "tr",
    "kur": "ku",
    "tha": "th",
    "tgl": "tl",
    "vie": "vi",
    "zho": "zh",
    "chi": "zh",
}


# Ids of what has no row of its own (a taxonomy, a term, a service's area or language)
# are UUIDs derived by name: the same thing gets the same id in every export.
NAMESPACE = UUID("6f1f3c2e-5d0b-4c57-9a53-0c2b8f1e7a41")


def derived_id(parent: UUID | None, *parts: str) -> str:
    return str(uuid5(parent or NAMESPACE, "/".join(parts)))


def taxonomy_id(taxonomy: str) -> str:
    return derived_id(None, "taxonomy", taxonomy)


def taxonomy_term_id(taxonomy: str, code: str) -> str:
    return derived_id(None, "taxonomy_term", taxonomy, code)


def service_export_id(service: Service) -> str:
    """The service's HSDS id: its UUID."""
    return str(service.uuid)


def service_readable_id(service: Service) -> str:
    """The id exports carried before HSDS UUIDs (kept as ``x_id``): the HSDS id it was
    imported with, or one made from the database id."""
    return service.hsds_id or f"{EXPORT_ID_PREFIX}-service-{service.pk}"


def organization_export_id(organization: Organization) -> str:
    return str(organization.uuid)


def organization_readable_id(organization: Organization) -> str:
    return organization.hsds_id or f"{EXPORT_ID_PREFIX}-organization-{organization.pk}"


def as_uuid(value: object) -> UUID | None:
    """``value`` as a UUID when it is one written the usual way, else None."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def terms_by_id() -> dict[str, tuple[str, models.Model]]:
    """Every active vocabulary term by its HSDS ids: the UUID exports give it and the
    ``taxonomy:code`` id exports gave before."""
    return {
        key: (taxonomy, term)
        for taxonomy, (_field, model) in TAXONOMIES.items()
        for term in model.objects.filter(is_active=True)  # type: ignore[attr-defined]
        for key in (taxonomy_term_id(taxonomy, term.code), f"{taxonomy}:{term.code}")
    }
