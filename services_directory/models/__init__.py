from services_directory.models.capacity import CapacityLink, ShelterCapacity
from services_directory.models.confirmation import ConfirmationLink, ServiceProposal
from services_directory.models.departures import ServiceDeparture
from services_directory.models.directory import (
    ContactChannel,
    Location,
    OpeningHours,
    Organization,
    Service,
)
from services_directory.models.feedback import ErrorReport
from services_directory.models.index_state import DirectoryChange, ServiceChange
from services_directory.models.link_checks import DirectoryCheck
from services_directory.models.reference import County, Municipality, Place, PlaceName, Postcode
from services_directory.models.scheduling import JobLock, ReviewReminder
from services_directory.models.vocabulary import (
    AccessibilityFeature,
    Language,
    ServiceType,
    TargetGroup,
    Topic,
)

__all__ = [
    "AccessibilityFeature",
    "CapacityLink",
    "ConfirmationLink",
    "ContactChannel",
    "County",
    "DirectoryChange",
    "DirectoryCheck",
    "ErrorReport",
    "JobLock",
    "Language",
    "Location",
    "Municipality",
    "OpeningHours",
    "Organization",
    "Place",
    "PlaceName",
    "Postcode",
    "ReviewReminder",
    "Service",
    "ServiceChange",
    "ServiceDeparture",
    "ServiceProposal",
    "ServiceType",
    "ShelterCapacity",
    "TargetGroup",
    "Topic",
]
