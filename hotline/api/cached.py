"""Public answers kept in Django's cache, so a page asked for again costs about as much
as a 304: no ranking, no rows, no JSON.

An answer is kept under its ETag (``conditional.etag_of`` over ``directory_state()``,
the query and, for "open now", the minute) together with the index's rebuild token
(moved by any write to a vocabulary or the geography, which a service's public time
follows only where the write changed something a public service shows, and not at all
for a term no service uses). ``directory_state()`` reads ``public_updated_at``, which the database
triggers stamp on every public write, a bulk update or raw SQL too. So a body is never
served once anything public has changed, and an edit of only a confidential address
changes no key: the page is not rendered anew. Old entries are simply never asked for
again and expire. Only public answers come here (the views of public.py and hsds.py), and only for
requests without filters: a filtered request is a search, and no search is ever kept.
"""

from collections.abc import Callable
from hashlib import sha256

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from services_directory.models.index_state import current_state

# Paging and shape only: none of them says what anyone is looking for.
CACHEABLE_PARAMETERS = frozenset({"page", "page_size", "per_page", "full", "minimal"})
# Long enough to outlast a flood; a change of the directory makes a new key anyway.
TIMEOUT_SECONDS = 600


def cacheable(request: HttpRequest) -> bool:
    return all(name in CACHEABLE_PARAMETERS for name in request.GET)


def _key(request: HttpRequest, parts: tuple[object, ...]) -> str:
    # Links in a body are absolute, so the scheme and host are part of the answer.
    text = "|".join(
        str(part)
        for part in (
            request.scheme,
            request.get_host(),
            get_language(),
            current_state().directory,
            *parts,
        )
    )
    return f"public-answer:{sha256(text.encode()).hexdigest()[:40]}"


def cached(
    request: HttpRequest, parts: tuple[object, ...], render: Callable[[], HttpResponse]
) -> HttpResponse:
    """``render()``, or the body it gave before for ``parts`` (at least the ETag, or what
    makes one) in the same state of the directory. Only 200s are kept."""
    if not cacheable(request):
        return render()
    key = _key(request, parts)
    if (kept := cache.get(key)) is not None:
        content_type, content = kept
        return HttpResponse(content, content_type=content_type)
    response = render()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response["Content-Type"], response.content), TIMEOUT_SECONDS)
    return response
