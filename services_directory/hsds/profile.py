"""The Norwegian HSDS 3.0 profile's shared vocabulary: what the importer reads and the
exporter writes alike (docs/hsds-profile.md; keep the two in step)."""

from __future__ import annotations

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


def service_export_id(service: Service) -> str:
    return service.hsds_id or f"{EXPORT_ID_PREFIX}-service-{service.pk}"


def organization_export_id(organization: Organization) -> str:
    return organization.hsds_id or f"{EXPORT_ID_PREFIX}-organization-{organization.pk}"
