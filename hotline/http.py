import re

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

# The JSON APIs, and among them the open one, whose answers are public and cacheable.
API_PREFIX = "/api/"
PUBLIC_API_PREFIX = "/api/v1/public/"


class HtmxHttpRequest(HttpRequest):
    """The request type of our views: HttpRequest plus django-htmx's ``htmx`` details."""

    htmx: HtmxDetails


# Control characters: browsers drop some ("/\t/evil" becomes "//evil"), and a newline
# cannot go into a Location header at all.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next_url(request: HttpRequest, url: str | None) -> str:
    """``url`` if it is a path on this site, else "" (no open redirects).

    Only a path with one leading "/" counts: "foo" or "logout" would be taken for a URL
    name by ``redirect()``, and "//host" or "/\\host" lead elsewhere. Over HTTPS the check
    also refuses anything that would drop the operator onto plain HTTP.
    """
    if (
        url
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not _CONTROL.search(url)
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return ""


def redirect_to_next(request: HttpRequest, url: str | None, default: str) -> HttpResponseRedirect:
    """Redirect to ``url`` if ``safe_next_url`` keeps it, else to ``default`` (a URL name
    or path). Never ``redirect()`` on user input: it resolves a bare word as a URL name."""
    return HttpResponseRedirect(safe_next_url(request, url) or resolve_url(default))
