"""Turn what a caller says ("Herøy", "8006", "Mo i Rana", "Guovdageaidnu") into a
municipality, and suggest completions while the operator types.

The names live in a small in-memory index (about 6,000 entries) rather than in SQL:
SQLite cannot case-fold "Å", and folding "ø" to "o" lets an operator on any keyboard
find "Tromsø". ``load_reference_data`` clears the index; a server picks up new
reference data on restart.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from services_directory.models import Municipality, Place, PlaceName, Postcode

POSTCODE = re.compile(r"^(\d{4})(?:\s+\D.*)?$")
QUALIFIED = re.compile(r"^(.+?)\s*\((.+)\)$")
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "đ": "d", "ŋ": "n", "ŧ": "t", "š": "s"})


def fold(text: str) -> str:
    """Lowercase, without accents, with Norwegian and Sámi letters spelled in ASCII."""
    text = " ".join(text.split()).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    # "Aal" is the old spelling of "Ål".
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("aa", "a")


@dataclass(frozen=True)
class Entry:
    folded: str
    value: str  # what resolve() accepts back
    label: str  # what the operator sees next to it
    municipality_id: int | None
    weight: int  # municipalities first, then bigger places


@dataclass(frozen=True)
class Resolved:
    municipality: Municipality | None
    label: str


@cache
def _index() -> tuple[Entry, ...]:
    entries: list[Entry] = []
    municipalities = Municipality.objects.active().select_related("county")
    for m in municipalities:
        entries.append(Entry(fold(m.name), m.label, m.county.name, m.pk, 3_000_000))
        for other in {m.sami_name, m.kven_name} - {"", m.name}:
            entries.append(Entry(fold(other), other, m.label, m.pk, 2_000_000))
    by_pk = {m.pk: m for m in municipalities}
    for place in Place.objects.active():
        municipality = by_pk.get(place.municipality_id)
        if municipality is None or fold(place.name) == fold(municipality.name):
            continue
        entries.append(
            Entry(
                fold(place.name),
                f"{place.name} ({municipality.name})",
                municipality.label,
                municipality.pk,
                min(place.population, 1_999_999),
            )
        )
    # Sámi, Kven and other names of places (data/place_names.csv), just below the
    # municipalities' own names.
    for name in PlaceName.objects.active():
        municipality = by_pk.get(name.municipality_id)
        if municipality is None:
            continue
        label = f"{name.name} ({name.place})" if name.place != name.name else name.name
        entries.append(
            Entry(fold(name.name), label, municipality.label, municipality.pk, 1_999_999)
        )
    for postcode in Postcode.objects.active():
        entries.append(
            Entry(postcode.code, postcode.code, postcode.place.title(), postcode.municipality_id, 0)
        )
    return tuple(sorted(entries, key=lambda e: (-e.weight, e.folded)))


def clear_index() -> None:
    _index.cache_clear()
    _municipalities_by_number.cache_clear()
    _postcodes.cache_clear()
    _municipalities_by_pk.cache_clear()


def suggest(text: str, limit: int = 8) -> list[Entry]:
    """Entries whose name starts with ``text`` (any word of it, for places like "Mo i Rana")."""
    key = fold(text)
    if not key:
        return []
    starts, inside = [], []
    for entry in _index():
        if entry.folded.startswith(key):
            starts.append(entry)
        elif f" {key}" in entry.folded and not key.isdigit():
            inside.append(entry)
    return (starts + inside)[:limit]


def resolve(text: str) -> Resolved:
    """The municipality ``text`` names, or a ValidationError that says what to do."""
    text = " ".join(text.split())
    if match := POSTCODE.match(text):
        return resolve_postcode(match.group(1))
    candidates = _exact(text)
    if not candidates and (match := QUALIFIED.match(text)):
        # "Herøy (Nordland)" names the county; "Moen (Målselv)" the municipality.
        qualifier = fold(match.group(2))
        candidates = {
            m for m in _exact(match.group(1)) if qualifier in (fold(m.county.name), fold(m.name))
        }
        if not candidates:
            # A suggestion taken as it was offered: "Guovžajávri (Bjørnevatn)" names its
            # place, not the municipality.
            candidates = _offered(text)
    if len(candidates) == 1:
        municipality = candidates.pop()
        return Resolved(municipality, municipality.label)
    if candidates:
        choices = ", ".join(sorted(m.label for m in candidates))
        raise ValidationError(
            _("Several municipalities match “%(text)s”: %(choices)s. Choose one.")
            % {"text": text, "choices": choices},
            code="ambiguous",
        )
    raise ValidationError(
        _("No municipality, postcode or place is called “%(text)s”.") % {"text": text},
        code="unknown",
    )


def _exact(text: str) -> set[Municipality]:
    key = fold(text)
    if key.isdigit():
        return set()
    ids = {e.municipality_id for e in _index() if e.folded == key and e.municipality_id is not None}
    return {_municipalities_by_pk()[pk] for pk in ids}


def _offered(text: str) -> set[Municipality]:
    key = fold(text)
    ids = {e.municipality_id for e in _index() if fold(e.value) == key and e.municipality_id}
    return {_municipalities_by_pk()[pk] for pk in ids}


@cache
def _municipalities_by_number() -> dict[str, Municipality]:
    return {m.number: m for m in Municipality.objects.active().select_related("county")}


def resolve_municipality_number(number: str) -> Resolved:
    municipality = _municipalities_by_number().get(number)
    if municipality is None:
        raise ValidationError(
            _("No municipality has the number %(number)s.") % {"number": number}, code="unknown"
        )
    return Resolved(municipality, municipality.label)


@cache
def _postcodes() -> dict[str, tuple[int | None, str]]:
    """Every active postcode's municipality (pk) and territory, so that a search during
    a call asks no query; 5,000 small tuples."""
    rows = Postcode.objects.active().values_list("code", "municipality_id", "territory")
    return {code: (municipality, territory) for code, municipality, territory in rows}


@cache
def _municipalities_by_pk() -> dict[int, Municipality]:
    return {m.pk: m for m in Municipality.objects.select_related("county")}


def resolve_postcode(code: str) -> Resolved:
    if code not in _postcodes():
        raise ValidationError(
            _("The postcode %(code)s does not exist.") % {"code": code}, code="unknown"
        )
    municipality_id, territory = _postcodes()[code]
    if municipality_id is None:
        # Svalbard and Jan Mayen: no municipality, so only national services rank first.
        return Resolved(None, f"{code} {Postcode.Territory(territory).label}")
    municipality = _municipalities_by_pk()[municipality_id]
    return Resolved(municipality, f"{code} {municipality.label}")
