"""What a result card shows of a service, kept by the search index for every service.

A page of results must not wait for the database, yet model instances for every service
would cost a worker more memory than the whole index. So each service's card is kept
as one small ``marshal``-encoded value (names and texts in every content language,
contact channels, addresses) and turned into light read-only objects only for the page
shown. The index rereads a service's card whenever the service changes, as it does the
rest of the service.
"""

from __future__ import annotations

import marshal
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from modeltranslation.utils import get_language

from services_directory.models import ContactChannel, Municipality
from services_directory.models.directory import channel_display_value, channel_href

if TYPE_CHECKING:
    from services_directory.search_index import Entry

LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)
# Column names, in order, for the rows the index reads.
SERVICE_COLUMNS = (
    "status",
    "operator_note",
    "reports_capacity",
    # The card's "About": what callers fear most, then the description in every language.
    "free_of_charge",
    "anonymous_contact",
    "police_report_required",
    *(f"description_{code}" for code in LANGUAGES),
)
CHANNEL_COLUMNS = ("kind", "value", *(f"description_{code}" for code in LANGUAGES))
LOCATION_COLUMNS = ("name", "address", "postcode", "municipality_id", "is_confidential")


def language_position() -> int:
    """Where the active language's texts are in a card's tuples."""
    language = get_language()
    return LANGUAGES.index(language) if language in LANGUAGES else 0


def _translated(texts: tuple[str | None, ...], position: int) -> str:
    """The text in the language at ``position``, else bokmål's, as modeltranslation
    would give it."""
    return texts[position] or texts[0] or ""


class CardOrganization(NamedTuple):
    pk: int
    name: str


class CardChannel:
    """A contact channel as a card shows it; the display rules are ContactChannel's own."""

    __slots__ = ("description", "display_value", "href", "kind", "value")
    Kind = ContactChannel.Kind
    is_phone = ContactChannel.is_phone

    def __init__(self, kind: str, value: str, description: str) -> None:
        self.kind, self.value, self.description = kind, value, description
        self.display_value, self.href = _shown(kind, value)

    def get_kind_display(self) -> str:
        return str(self.Kind(self.kind).label)


@lru_cache(maxsize=4096)
def _shown(kind: str, value: str) -> tuple[str, str]:
    """A channel's display value and link, by ContactChannel's rules: formatting a phone
    number takes a dozen steps, and the same national lines are on most pages."""
    return channel_display_value(kind, value), channel_href(kind, value)


class CardLocation(NamedTuple):
    name: str
    address: str
    postcode: str
    municipality: Municipality
    is_confidential: bool


class CardService:
    """The service fields a card shows, under the names the model gives them."""

    __slots__ = (
        "anonymous_contact",
        "description",
        "free_of_charge",
        "max_age",
        "min_age",
        "name",
        "operator_note",
        "organization",
        "pk",
        "police_report_required",
        "reports_capacity",
        "status",
    )
    anonymous_contact: bool
    description: str
    free_of_charge: bool
    max_age: int | None
    min_age: int | None
    operator_note: str
    police_report_required: bool
    reports_capacity: bool
    status: str

    def __init__(self, pk: int, name: str, organization: CardOrganization, **facts):
        self.pk, self.name, self.organization = pk, name, organization
        for field_name, value in facts.items():
            setattr(self, field_name, value)

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.name


class Card(NamedTuple):
    """What a result card shows of a service besides the index's own facts."""

    service: CardService
    channels: list[CardChannel]  # in the editors' order
    locations: list[CardLocation]


def encode(
    names: tuple[str, ...], organization: int, facts: tuple, channels: bytes, locations: bytes
) -> bytes:
    """One service's card as the index keeps it: ``facts`` in SERVICE_COLUMNS' order;
    ``channels`` and ``locations`` are lists of CHANNEL_COLUMNS and LOCATION_COLUMNS rows,
    each encoded as the service's rows were read."""
    return marshal.dumps((names, organization, facts, channels, locations))


def decode(
    entry: Entry,
    organizations: dict[int, CardOrganization],
    municipalities: dict[int, Municipality],
    position: int,
) -> Card:
    """``entry``'s card with its texts in the language at ``position`` (language_position)."""
    names, organization, facts, channels, locations = marshal.loads(entry.card)  # noqa: S302 (the index's own bytes)
    status, note, reports, free, anonymous, police, *descriptions = facts
    service = CardService(
        entry.pk,
        _translated(names, position),
        organizations[organization],
        status=status,
        operator_note=note,
        reports_capacity=reports,
        free_of_charge=free,
        anonymous_contact=anonymous,
        police_report_required=police,
        description=_translated(tuple(descriptions), position),
        min_age=entry.min_age,
        max_age=entry.max_age,
    )
    return Card(
        service,
        [
            CardChannel(kind, value, _translated(texts, position))
            for kind, value, *texts in marshal.loads(channels)  # noqa: S302
        ],
        [
            CardLocation(name, address, postcode, municipalities[municipality], secret)
            for name, address, postcode, municipality, secret in marshal.loads(locations)  # noqa: S302
        ],
    )
