from django.urls import path, re_path, register_converter
from django.urls.converters import StringConverter

from hotline.api import gaps, hsds, public, views


class HsdsIdConverter(StringConverter):
    """An HSDS id in a path: anything but "/" and NUL, which no id holds and PostgreSQL
    refuses in a query (a DataError, a 500). A path with one is the JSON 404 below."""

    regex = r"[^/\x00]+"


register_converter(HsdsIdConverter, "hsds_id")

app_name = "api"
urlpatterns = [
    path("search", views.search, name="search"),
    # Open to everyone, for the national web portal (see public.py).
    path("public/services", public.services, name="public_services"),
    # The HSDS 3.0.1 API (see hsds.py).
    path("public/hsds/", hsds.root, name="public_hsds"),
    path("public/hsds/profile", hsds.profile, name="public_hsds_profile"),
    path("public/hsds/services", hsds.services, name="public_hsds_services"),
    path("public/hsds/services/<hsds_id:id>", hsds.service, name="public_hsds_service"),
    path("public/hsds/organizations", hsds.organizations, name="public_hsds_organizations"),
    path(
        "public/hsds/organizations/<hsds_id:id>", hsds.organization, name="public_hsds_organization"
    ),
    path("public/hsds/taxonomies", hsds.taxonomies, name="public_hsds_taxonomies"),
    path("public/hsds/taxonomies/<hsds_id:id>", hsds.taxonomy, name="public_hsds_taxonomy"),
    path("public/hsds/taxonomy_terms", hsds.taxonomy_terms, name="public_hsds_taxonomy_terms"),
    path(
        "public/hsds/taxonomy_terms/<hsds_id:id>",
        hsds.taxonomy_term,
        name="public_hsds_taxonomy_term",
    ),
    path(
        "public/hsds/service_at_locations",
        hsds.service_at_locations,
        name="public_hsds_service_at_locations",
    ),
    path(
        "public/hsds/service_at_locations/<hsds_id:id>",
        hsds.service_at_location,
        name="public_hsds_service_at_location",
    ),
    # Unmet needs by county and quarter, as open data (see gaps.py).
    path("public/gaps", gaps.gaps, name="public_gaps"),
    path("public/gaps.csv", gaps.gaps_csv, name="public_gaps_csv"),
    path("public/openapi.json", public.openapi_document, name="public_openapi"),
    # Anything else under public/ is a JSON 404 a browser script can read, not an HTML page.
    # [\s\S], not ".": an id with a newline in it must land here too.
    re_path(r"^public/(?P<rest>[\s\S]*)\Z", public.not_found, name="public_not_found"),
]
