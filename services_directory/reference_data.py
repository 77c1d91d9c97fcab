"""Load the Norwegian reference geography from the CSV files in ``data/``.

The load is an idempotent sync: rows are matched by their official number or code,
changed rows are updated, new rows created, and rows missing from the files are marked
inactive rather than deleted (a merger or renumbering must not break old records).
"""

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from services_directory.models import County, Municipality, Place, PlaceName, Postcode

DATA_DIR = Path(__file__).resolve().parent / "data"

# Postcode-register area numbers that are not municipalities.
TERRITORIES = {"2100": Postcode.Territory.SVALBARD, "2211": Postcode.Territory.JAN_MAYEN}

# Mainland Norway plus Svalbard/Jan Mayen, generously (used to catch swapped columns).
LAT_RANGE = (57.5, 81.5)
LON_RANGE = (-9.5, 33.5)


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.deactivated} deactivated, {self.unchanged} unchanged"
        )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _coordinate(row: dict[str, str], lat: str, lon: str, where: str) -> tuple[float, float]:
    try:
        latitude, longitude = float(row[lat]), float(row[lon])
    except (KeyError, ValueError):
        raise ValidationError(f"{where}: {lat}/{lon} are not numbers") from None
    if not (LAT_RANGE[0] <= latitude <= LAT_RANGE[1] and LON_RANGE[0] <= longitude <= LON_RANGE[1]):
        raise ValidationError(f"{where}: {latitude},{longitude} lies outside Norway")
    return latitude, longitude


def _sync[M: (County, Municipality, Postcode, Place, PlaceName), K](
    model: type[M], key: str, rows: dict[K, dict[str, Any]]
) -> SyncResult:
    """Make the active rows of ``model`` equal ``rows`` (key value -> field values)."""
    result = SyncResult()
    existing: dict[K, M] = {getattr(obj, key): obj for obj in model._default_manager.all()}
    fields = sorted({name for values in rows.values() for name in values} | {"is_active"})
    to_create: list[M] = []
    to_update: list[M] = []
    for key_value, values in rows.items():
        values = {**values, "is_active": True}
        obj = existing.get(key_value)
        if obj is None:
            to_create.append(model(**{key: key_value}, **values))
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            to_update.append(obj)
        else:
            result.unchanged += 1
    for key_value, obj in existing.items():
        if key_value not in rows and obj.is_active:
            obj.is_active = False
            to_update.append(obj)
            result.deactivated += 1
    model._default_manager.bulk_create(to_create, batch_size=1000)
    model._default_manager.bulk_update(to_update, fields, batch_size=1000)
    result.created = len(to_create)
    result.updated = len(to_update) - result.deactivated
    return result


def load_counties_and_municipalities(path: Path) -> tuple[SyncResult, SyncResult]:
    rows = _read(path)
    counties = {row["county_number"]: {"name": row["county_name"]} for row in rows}
    county_result = _sync(County, "number", counties)
    county_ids = dict(County.objects.values_list("number", "id"))

    name_counts = Counter(row["name"] for row in rows)
    municipalities = {}
    for row in rows:
        latitude, longitude = _coordinate(row, "lat", "lon", f"municipality {row['number']}")
        municipalities[row["number"]] = {
            "name": row["name"],
            "official_name": row.get("official_name", "") or row["name"],
            "sami_name": row.get("sami_name", ""),
            "kven_name": row.get("kven_name", ""),
            "county_id": county_ids[row["county_number"]],
            "latitude": latitude,
            "longitude": longitude,
            "population": int(row["population"] or 0),
            "name_is_shared": name_counts[row["name"]] > 1,
        }
    return county_result, _sync(Municipality, "number", municipalities)


def load_postcodes(path: Path) -> SyncResult:
    municipality_ids = dict(Municipality.objects.active().values_list("number", "id"))
    postcodes = {}
    for row in _read(path):
        area = row["municipality_number"]
        territory = TERRITORIES.get(area, Postcode.Territory.MAINLAND)
        if territory == Postcode.Territory.MAINLAND and area not in municipality_ids:
            # Fail loudly: a silently dropped postcode would make a caller "not found".
            raise ValidationError(f"postcode {row['postcode']}: unknown municipality number {area}")
        postcodes[row["postcode"]] = {
            "place": row["place"],
            "category": row.get("category") or Postcode.Category.BOTH,
            "territory": territory,
            "area_number": area,
            "municipality_id": municipality_ids.get(area),
        }
    return _sync(Postcode, "code", postcodes)


def load_places(path: Path) -> SyncResult:
    municipality_ids = dict(Municipality.objects.active().values_list("number", "id"))
    places = {}
    for row in _read(path):
        if row["municipality_number"] not in municipality_ids:
            raise ValidationError(
                f"place {row['name']}: unknown municipality number {row['municipality_number']}"
            )
        latitude, longitude = _coordinate(row, "lat", "lon", f"place {row['name']}")
        places[int(row["geonameid"])] = {
            "name": row["name"],
            "municipality_id": municipality_ids[row["municipality_number"]],
            "latitude": latitude,
            "longitude": longitude,
            "population": int(row["population"] or 0),
        }
    return _sync(Place, "geonameid", places)


def load_place_names(path: Path) -> SyncResult:
    municipality_ids = dict(Municipality.objects.active().values_list("number", "id"))
    languages = set(PlaceName.Language.values)
    names = {}
    for row in _read(path):
        where = f"place name {row['name']}"
        if row["municipality_number"] not in municipality_ids:
            raise ValidationError(
                f"{where}: unknown municipality number {row['municipality_number']}"
            )
        if row["language"] not in languages:
            raise ValidationError(f"{where}: unknown language {row['language']}")
        if not row["source"].strip():
            # Every name must say where it comes from (SOURCES.md gives the details).
            raise ValidationError(f"{where}: no source")
        if row["name"] in names:
            raise ValidationError(f"{where}: listed twice")
        names[row["name"]] = {
            "language": row["language"],
            "place": row["place"],
            "municipality_id": municipality_ids[row["municipality_number"]],
            "source": row["source"],
        }
    return _sync(PlaceName, "name", names)


@transaction.atomic
def load_all(data_dir: Path = DATA_DIR) -> dict[str, SyncResult]:
    from services_directory import places

    counties, municipalities = load_counties_and_municipalities(data_dir / "municipalities.csv")
    results = {
        "counties": counties,
        "municipalities": municipalities,
        "postcodes": load_postcodes(data_dir / "postcodes.csv"),
        "places": load_places(data_dir / "places.csv"),
    }
    # Optional: a later municipal structure may come without it; the names stay then.
    if (data_dir / "place_names.csv").exists():
        results["place names"] = load_place_names(data_dir / "place_names.csv")
    places.clear_index()
    return results
