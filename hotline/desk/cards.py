"""The desk's result cards as plain values: what each card says, worked out in Python.

A page shows twenty cards. Written as template branches and attribute lookups (which the
template engine tries as dictionary keys first, failing once per dot on an object), the
cards were most of the desk's time. Each card is therefore a dictionary of display
values; the template still writes all the markup.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from hotline.desk.wording import Distances, moment
from services_directory.models import Service
from services_directory.models.capacity import CapacityReport
from services_directory.search import Hit
from services_directory.search_index import Coverage


class Phone(TypedDict):
    href: str  # tel: link
    display: str  # "22 33 44 55"
    description: str


class Channel(TypedDict):
    href: str
    label: str  # "Chat", "E-mail"


class Address(TypedDict):
    address: str
    postcode: str
    municipality: str


class About(TypedDict):
    lead: str  # the description's first lines
    rest: str  # the remainder, behind "Read more" ("" when it all fits)
    addresses: list[Address]  # public addresses only, never a confidential one
    badges: list[str]  # "Free of charge", "Anonymous contact possible", …


class DeskCard(TypedDict):
    pk: int
    name: str
    organization: str
    coverage_code: str  # "local", "regional", "national", "outside"
    is_open: bool  # the status tag's colour
    status: str  # "Open", "Closed", "Temporarily closed", "Open around the clock"
    change: str  # "closes 20:00", "opens Monday 08:00", or ""
    coverage: str  # "Covers the county · 12 km"
    error_reports: int
    phones: list[Phone]
    channels: list[Channel]
    capacity: CapacityReport | None
    languages: str  # "Norsk, Engelsk"
    accessibility: str
    ages: str  # "12–18", "0–17", "18–"; "" for every age
    note: str  # for operators only
    confidential: bool  # has an address never to be given to a caller
    report_url: str  # "report an error in this entry"
    about: About


def labels(terms) -> str:
    """ "Norsk, Engelsk": vocabulary terms by their labels in the interface language."""
    return ", ".join(str(term.label) for term in terms)


def per_pk_url(name: str) -> Callable[[int], str]:
    """The URL named ``name`` for any service, reversed once: twenty cards' URLs differ
    only in the id."""
    head, tail = reverse(name, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


class Words:
    """A page's fixed words in the active language, each looked up once rather than
    once a card (every lookup asks for the active language again)."""

    def __init__(self) -> None:
        self.coverage: dict[Coverage | None, str] = {
            Coverage.LOCAL: _("Covers the municipality"),
            Coverage.REGIONAL: _("Covers the county"),
            Coverage.NATIONAL: _("National"),
            Coverage.OUTSIDE: _("Outside the caller's area"),
            None: _("Outside the caller's area"),
        }
        self.temporarily_closed = _("Temporarily closed")
        self.always_open = _("Open around the clock")
        self.open, self.closed = _("Open"), _("Closed")
        self.closes, self.opens = _("closes %(when)s"), _("opens %(when)s")
        self.free, self.anonymous = _("Free of charge"), _("Anonymous contact possible")
        self.no_police = _("No police report needed")
        self.distances = Distances()
        self.report_url = per_pk_url("directory:report_error")
        self._labels: dict[int, str] = {}

    def labels(self, terms) -> str:
        """As labels(), each term's label looked up once a page."""
        found = self._labels
        for term in terms:
            if id(term) not in found:
                found[id(term)] = str(term.label)
        return ", ".join(found[id(term)] for term in terms)


def desk_cards(hits: list[Hit], at: datetime) -> list[DeskCard]:
    words = Words()
    return [_card(hit, at, words) for hit in hits]


def _status(hit: Hit, at: datetime, words: Words) -> tuple[bool, str, str]:
    if hit.service.status == Service.Status.TEMPORARILY_CLOSED:
        return False, words.temporarily_closed, ""
    if hit.always_open:
        return True, words.always_open, ""
    if hit.open_now:
        change = words.closes % {"when": moment(hit.closes_at, at)} if hit.closes_at else ""
        return True, words.open, change
    change = words.opens % {"when": moment(hit.opens_next, at)} if hit.opens_next else ""
    return False, words.closed, change


def _card(hit: Hit, at: datetime, words: Words) -> DeskCard:
    service = hit.service
    is_open, status, change = _status(hit, at, words)
    coverage = words.coverage[hit.coverage]
    if hit.distance_km is not None:
        coverage = f"{coverage} · {words.distances.km(hit.distance_km)}"
    ages = ""
    if service.min_age is not None or service.max_age is not None:
        ages = f"{service.min_age or 0}–{'' if service.max_age is None else service.max_age}"
    return {
        "pk": service.pk,
        "name": service.name,
        "organization": service.organization.name,
        "coverage_code": hit.coverage.code if hit.coverage is not None else "outside",
        "is_open": is_open,
        "status": status,
        "change": change,
        "coverage": coverage,
        "error_reports": hit.open_error_reports,
        "phones": [
            {"href": phone.href, "display": phone.display_value, "description": phone.description}
            for phone in hit.phones
        ],
        "channels": [
            {"href": channel.href, "label": capfirst(channel.get_kind_display())}
            for channel in hit.other_channels
        ],
        "capacity": hit.capacity,
        "languages": words.labels(hit.languages),
        "accessibility": words.labels(hit.accessibility),
        "ages": ages,
        "note": service.operator_note,
        # Only whether there is one: the address itself is shown on an audited request.
        "confidential": bool(hit.confidential_locations),
        "report_url": words.report_url(service.pk),
        "about": _about(hit, words),
    }


# About this many characters show before "Read more": two or three lines of a card.
LEAD_CHARACTERS = 180
# Accessibility recorded on the entry that a card also shows as a badge.
BADGE_ACCESSIBILITY = ("rullestol", "teleslynge", "tegnspraktolk")
POLICE_TYPE_CODE = "politi"


def _split(text: str) -> tuple[str, str]:
    """The first sentences up to about LEAD_CHARACTERS, and the rest."""
    text = " ".join(text.split())
    if len(text) <= LEAD_CHARACTERS:
        return text, ""
    cut = text.rfind(". ", 0, LEAD_CHARACTERS)
    if cut == -1:
        cut = text.rfind(" ", 0, LEAD_CHARACTERS)
        return text[:cut], text[cut + 1 :]
    return text[: cut + 1], text[cut + 2 :]


def _about(hit: Hit, words: Words) -> About:
    service = hit.service
    lead, rest = _split(service.description or "")
    badges = []
    if service.free_of_charge:
        badges.append(words.free)
    if service.anonymous_contact:
        badges.append(words.anonymous)
    # Callers fear that help means reporting to the police (seed 4.3.2); the police
    # itself is the one service where the badge would mislead.
    is_police = any(term.code == POLICE_TYPE_CODE for term in hit.service_types)
    if not service.police_report_required and not is_police:
        badges.append(words.no_police)
    recorded = {term.code: term for term in hit.accessibility}
    badges += [str(recorded[code]) for code in BADGE_ACCESSIBILITY if code in recorded]
    return {
        "lead": lead,
        "rest": rest,
        "addresses": [
            {
                "address": location.address,
                "postcode": location.postcode,
                "municipality": location.municipality.name,
            }
            for location in hit.locations
            if not location.is_confidential and location.address
        ],
        "badges": badges,
    }
