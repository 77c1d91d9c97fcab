"""The public API's numbers and lists, in one place: the views obey them and the OpenAPI
document (openapi.py) states them, so the two cannot drift apart. Nothing here imports
the rest of the API, which keeps both free to import it."""

from django.conf import settings

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Short, because "open now" is computed per request (see the OpenAPI description).
MAX_AGE_SECONDS = 60
CACHE_CONTROL = f"public, max-age={MAX_AGE_SECONDS}"
# PUBLIC_API_RATE_LIMIT (settings) requests per window from one address.
RATE_WINDOW_SECONDS = 60
# Texts are given in every content language that has text.
TEXT_LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
# The languages hours.Schedule.summary() writes.
SUMMARY_LANGUAGES = ("nb", "en")

# HSDS proximity, in metres: further than anywhere in Norway is from anywhere else in it.
MAX_PROXIMITY = 3_000_000
# The HSDS API's format=ndjson.
NDJSON = "application/x-ndjson"
