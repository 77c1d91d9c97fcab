"""The public API's limits: PUBLIC_API_RATE_LIMIT requests a window per address, and
PUBLIC_API_SLOTS requests at once from everyone together (hotline/slots.py)."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from hotline.api.limits import RATE_WINDOW_SECONDS
from hotline.ratelimit import client_ip, hit
from hotline.slots import RETRY_AFTER_SECONDS, slot

SLOT_SCOPE = "public-api"


def _refused(status: int, message, retry_after: int) -> JsonResponse:
    response = JsonResponse({"errors": {"__all__": [str(message)]}}, status=status)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def throttled(view: Callable) -> Callable:
    """At most PUBLIC_API_RATE_LIMIT requests a minute from one address, then a 429; and
    a 503 at once while all PUBLIC_API_SLOTS are taken, so a flood of expensive pages
    waits on itself rather than on the workers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        retry_after = hit(
            "public-api",
            client_ip(request),
            settings.PUBLIC_API_RATE_LIMIT,
            RATE_WINDOW_SECONDS,
        )
        if retry_after is not None:
            return _refused(429, _("Too many requests. Wait a minute and try again."), retry_after)
        stack = ExitStack()
        if not stack.enter_context(slot(SLOT_SCOPE, settings.PUBLIC_API_SLOTS)):
            stack.close()
            return _refused(
                503, _("The public API is busy. Try again in a moment."), RETRY_AFTER_SECONDS
            )
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            stack.close()
            raise
        if not response.streaming:
            stack.close()
            return response
        # A stream (format=ndjson) does its work while it is sent, after the view has
        # returned: it keeps the slot until it is sent or dropped.
        response.streaming_content = _Holding(response.streaming_content, stack.close)
        return response

    return wrapped


class _Holding:
    """A response's content that calls ``release`` once, when it is used up or closed
    (Django closes a response after sending it, or when the client went away)."""

    def __init__(self, content: Iterable[bytes], release: Callable[[], None]):
        self._content: Iterator[bytes] = iter(content)
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._content)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release()
