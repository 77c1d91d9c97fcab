from services_directory.models.directory import (
    ContactChannel,
    Location,
    OpeningHours,
    Organization,
    Service,
)
from services_directory.models.feedback import ErrorReport
from services_directory.models.reference import County, Municipality, Place, Postcode
from services_directory.models.vocabulary import (
    AccessibilityFeature,
    Language,
    ServiceType,
    TargetGroup,
    Topic,
)

__all__ = [
    "AccessibilityFeature",
    "ContactChannel",
    "County",
    "ErrorReport",
    "Language",
    "Location",
    "Municipality",
    "OpeningHours",
    "Organization",
    "Place",
    "Postcode",
    "Service",
    "ServiceType",
    "TargetGroup",
    "Topic",
]
