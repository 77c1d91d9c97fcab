"""What a result card shows of a service, kept by the search index for every service.

A page of results must not wait for the database, yet model instances for every service
would cost a worker more memory than the whole index. So each service's card is kept
as one small ``marshal``-encoded value (names and texts in every content language,
contact channels, addresses) and turned into light read-only objects only for the page
shown. The index rereads a service's card whenever the service changes, as it does the
rest of the service.

A card's fields are named once, in ``CardService``: the index reads exactly its columns.
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
# The translated columns a card keeps in every content language.
DESCRIPTION_COLUMNS = tuple(f"description_{code}" for code in LANGUAGES)
CHANNEL_COLUMNS = ("kind", "value", *(f"description_{code}" for code in LANGUAGES))
LOCATION_COLUMNS = ("name", "address", "postcode", "municipality_id", "is_confidential")


def language_position() -> int:
    """Where the active language's texts are in a card's tuples."""
    language = get_language()
    return LANGUAGES.index(language) if language in LANGUAGES else 0


class Text(str):
    """A content text not in the page's language: a missing translation falls back to
    bokmål, and the page then marks it ``lang="nb"`` so that a screen reader does not
    read Norwegian with an English voice (WCAG 3.1.2). Texts in the page's language stay
    plain strings (``lang_of`` gives "")."""

    lang: str

    @classmethod
    def of(cls, text: str | None, lang: str) -> str:
        """``text`` marked as in ``lang`` ("" for the page's language: a plain string)."""
        if not text or not lang:
            return text or ""
        made = cls(text)
        made.lang = lang
        return made


def lang_of(text: str) -> str:
    """The language a text is marked with (Text), or "" for the page's language."""
    return getattr(text, "lang", "")


def _translated(texts: tuple[str | None, ...], position: int) -> str:
    """The text in the language at ``position``, else bokmål's, as modeltranslation
    would give it, marked with bokmål as its language when it fell back."""
    if texts[position] or position == 0:
        return texts[position] or ""
    return Text.of(texts[0], LANGUAGES[0])


def bokmal_lang() -> str:
    """How to mark texts only ever written in bokmål (an operator note, an
    organisation's name) on this page: "nb", or "" when the page is in bokmål."""
    return "" if get_language() == LANGUAGES[0] else LANGUAGES[0]


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


class CardService(NamedTuple):
    """The service fields a card shows, under the names the model gives them."""

    pk: int
    name: str  # a Text when it fell back to bokmål
    organization: CardOrganization
    min_age: int | None
    max_age: int | None
    description: str  # as the name
    # From here on, the service's own columns as the index reads them (SERVICE_COLUMNS):
    # a field added here is read, kept and reloaded with the rest, and the card's
    # markup (hotline/desk/cards.py) can show it as card.service.<field>.
    status: str
    operator_note: str
    reports_capacity: bool
    free_of_charge: bool
    anonymous_contact: bool
    police_report_required: bool
    web_or_chat_only: bool

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.name


# The columns the index reads of each service for its card, in CardService's order.
SERVICE_COLUMNS = CardService._fields[CardService._fields.index("status") :]


class Card(NamedTuple):
    """What a result card shows of a service besides the index's own facts."""

    service: CardService
    channels: list[CardChannel]  # in the editors' order
    locations: list[CardLocation]


def encode(
    names: tuple[str | None, ...],
    organization: int,
    descriptions: tuple[str | None, ...],
    columns: tuple,
    channels: bytes,
    locations: bytes,
) -> bytes:
    """One service's card as the index keeps it: ``names`` and ``descriptions`` in
    LANGUAGES' order, ``columns`` in SERVICE_COLUMNS' order; ``channels`` and
    ``locations`` are lists of CHANNEL_COLUMNS and LOCATION_COLUMNS rows, each encoded
    as the service's rows were read."""
    return marshal.dumps((names, organization, descriptions, columns, channels, locations))


def decode(
    entry: Entry,
    organizations: dict[int, CardOrganization],
    municipalities: dict[int, Municipality],
    position: int,
) -> Card:
    """``entry``'s card with its texts in the language at ``position`` (language_position)."""
    names, organization, descriptions, columns, channels, locations = marshal.loads(entry.card)  # noqa: S302 (the index's own bytes)
    service = CardService(
        entry.pk,
        _translated(names, position),
        organizations[organization],
        entry.min_age,
        entry.max_age,
        _translated(descriptions, position),
        *columns,
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
