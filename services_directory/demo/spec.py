"""The shape of a demo directory entry (``Spec``) and the helpers the records in
``data.py`` are written with; ``loader.py`` turns each into database rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import NamedTuple

from services_directory.hours import HolidayPolicy
from services_directory.models import ContactChannel, OpeningHours

# Every demo entry's HSDS id starts with this, so the loader and the tests find its rows.
HSDS_PREFIX = "demo-"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = (MON, TUE, WED, THU, FRI)
ALL_DAYS = tuple(range(7))

CLOSED_ON_HOLIDAYS = HolidayPolicy.CLOSED.value
NORMAL_ON_HOLIDAYS = HolidayPolicy.NORMAL.value
OWN_HOLIDAY_HOURS = HolidayPolicy.OWN_HOURS.value


class Hours(NamedTuple):
    """One OpeningHours row. ``channel`` is the index of the channel it applies to."""

    kind: str
    weekday: int | None
    opens: time
    closes: time
    channel: int | None = None


def weekly(days, opens: str, closes: str, channel: int | None = None) -> list[Hours]:
    return [
        Hours(
            OpeningHours.Kind.WEEKLY.value,
            day,
            time.fromisoformat(opens),
            time.fromisoformat(closes),
            channel,
        )
        for day in days
    ]


def on_holidays(opens: str, closes: str) -> list[Hours]:
    return [
        Hours(
            OpeningHours.Kind.HOLIDAY.value,
            None,
            time.fromisoformat(opens),
            time.fromisoformat(closes),
        )
    ]


ROUND_THE_CLOCK = weekly(ALL_DAYS, "00:00", "00:00")


class Channel(NamedTuple):
    kind: str
    value: str
    description_nb: str = ""
    description_en: str = ""


def phone(number: str, nb: str = "", en: str = "") -> Channel:
    return Channel(ContactChannel.Kind.PHONE.value, number, nb, en)


# Made-up numbers for example entries, from a range no person answers: Nkom's numbering
# plan gives 59 00 00 00 – 59 99 99 99 to machine-to-machine and IoT communication, not
# to people (see services_directory/data/SOURCES.md). The demo keeps to 59 99 00 xx.
DEMO_PHONE_PREFIX = "+47599900"
DEMO_PHONE_NB = "Demonummer – ingen svarer"
DEMO_PHONE_EN = "Demo number – nobody answers"


def demo_phone(last_two_digits: int) -> Channel:
    """A made-up number, 59 99 00 xx, marked as one for operators trying the demo."""
    if not 0 <= last_two_digits <= 99:
        raise ValueError("a demo phone number ends in two digits")
    number = f"{DEMO_PHONE_PREFIX}{last_two_digits:02d}"
    return Channel(ContactChannel.Kind.PHONE.value, number, DEMO_PHONE_NB, DEMO_PHONE_EN)


def web(url: str, nb: str = "", en: str = "") -> Channel:
    return Channel(ContactChannel.Kind.WEB.value, url, nb, en)


def chat(url: str, nb: str = "", en: str = "") -> Channel:
    return Channel(ContactChannel.Kind.CHAT.value, url, nb, en)


class Place(NamedTuple):
    municipality: str  # municipality number
    name: str = ""
    address: str = ""
    postcode: str = ""
    latitude: float | None = None  # None: the municipality's representative point
    longitude: float | None = None
    is_confidential: bool = False


@dataclass(frozen=True)
class Org:
    slug: str
    name: str
    url: str = ""


@dataclass
class Spec:
    slug: str
    organization: Org
    name_nb: str
    name_en: str
    description_nb: str
    description_en: str = ""
    service_types: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("nb", "en")
    accessibility: tuple[str, ...] = ()
    hours: list[Hours] = field(default_factory=list)
    holiday_policy: str = NORMAL_ON_HOLIDAYS
    channels: list[Channel] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    covers_whole_country: bool = False
    counties: tuple[str, ...] = ()  # county numbers
    municipalities: tuple[str, ...] = ()  # municipality numbers
    min_age: int | None = None
    max_age: int | None = None
    anonymous_contact: bool = False
    free_of_charge: bool = True
    operator_note: str = ""

    @property
    def hsds_id(self) -> str:
        return HSDS_PREFIX + self.slug
