from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request type of our views: HttpRequest plus django-htmx's ``htmx`` details."""

    htmx: HtmxDetails


def safe_next_url(request: HttpRequest, url: str | None) -> str:
    """``url`` if it leads back into this site, else "" (no open redirects).

    Over HTTPS only an HTTPS (or relative) address counts, so a "next" cannot drop the
    operator onto plain HTTP.
    """
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
