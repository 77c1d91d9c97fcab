from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request type of our views: HttpRequest plus django-htmx's ``htmx`` details."""

    htmx: HtmxDetails
