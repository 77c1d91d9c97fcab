"""The official HSDS 3.0.1 JSON Schemas (schemas/, CC BY-SA 4.0, see its README) and
validation against them.

The specification's OpenAPI document refers to the schemas by their GitHub address; the
registry below maps those addresses to the copies kept here, so nothing is fetched from
the network. The taxonomy and taxonomy term objects have no compiled file of their own;
they are the ``definitions`` of ``service_with_definitions.json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
VERSION = "3.0.1"
# Where the specification's openapi.json points for each schema.
REMOTE_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

COMPILED = (
    "service",
    "service_list",
    "organization",
    "organization_list",
    "service_at_location_list",
    "service_with_definitions",
)
# Objects taken from service_with_definitions.json's definitions.
DEFINED = ("taxonomy", "taxonomy_term", "service_at_location")


def _uri(name: str) -> str:
    if name in DEFINED:
        return f"{REMOTE_BASE}{name}.json"
    return f"{REMOTE_BASE}compiled/{name}.json"


@cache
def _contents(name: str) -> dict[str, Any]:
    if name in DEFINED:
        return _contents("service_with_definitions")["definitions"][name]
    with (SCHEMA_DIR / f"{name}.json").open(encoding="utf-8") as file:
        return json.load(file)


@cache
def registry() -> Registry:
    """Every schema under the address the specification gives it, as Draft 2020-12 (the
    files do not say which draft they are)."""
    # Imported when first needed: jsonschema would cost every web worker about 16 MB,
    # and only validation (tests, validate_hsds) uses it.
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (_uri(name), Resource.from_contents(_contents(name), default_specification=DRAFT202012))
        for name in (*COMPILED, *DEFINED)
    ]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one HSDS object (``service``, ``taxonomy_term``, ...). Formats are
    checked too, so an id that is not a UUID is an error, as HSDS says."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        {"$ref": _uri(name)},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_errors(instance: Any, name: str) -> list[str]:
    """Every way ``instance`` breaks the official schema ``name``, as
    ``path: message``, in document order."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda error: list(error.path))
    return [f"{error.json_path.removeprefix('$.') or '$'}: {error.message}" for error in errors]


def page_errors(page: Any, item: str) -> list[str]:
    """Errors of an HSDS API ``Page`` object whose ``contents`` are ``item`` objects."""
    if not isinstance(page, dict):
        return ["$: not a Page object"]
    problems = [
        f"{key}: missing or not {kind.__name__}"
        for key, kind in PAGE_KEYS.items()
        if not isinstance(page.get(key), kind) or isinstance(page.get(key), bool) != (kind is bool)
    ]
    contents = page.get("contents")
    if not isinstance(contents, list):
        return [*problems, "contents: missing or not a list"]
    for index, entry in enumerate(contents):
        problems += [f"contents[{index}].{error}" for error in schema_errors(entry, item)]
    return problems


PAGE_KEYS: dict[str, type] = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
}
