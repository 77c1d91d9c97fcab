"""Great-circle distances, the one haversine of the project."""

import math
from typing import NamedTuple

EARTH_RADIUS_KM = 6371.0


class Point(NamedTuple):
    """A position in radians, with the cosine of its latitude computed once: the search
    index measures the same points thousands of times."""

    latitude: float
    longitude: float
    cos_latitude: float

    @classmethod
    def at(cls, latitude: float, longitude: float) -> "Point":
        lat = math.radians(latitude)
        return cls(lat, math.radians(longitude), math.cos(lat))


def km_between(a: Point, b: Point) -> float:
    h = (
        math.sin((b.latitude - a.latitude) / 2) ** 2
        + a.cos_latitude * b.cos_latitude * math.sin((b.longitude - a.longitude) / 2) ** 2
    )
    # min(): a rounding error just above 1 would make asin fail.
    return 2 * EARTH_RADIUS_KM * math.asin(min(math.sqrt(h), 1.0))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Kilometres between two positions in degrees."""
    return km_between(Point.at(lat1, lon1), Point.at(lat2, lon2))
