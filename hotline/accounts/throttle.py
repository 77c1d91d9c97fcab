"""Limits on password checks, which cost about a third of a second of CPU each, also
for a username that is no account (Django hashes anyway, so timing tells nothing).

- At most PASSWORD_CHECK_SLOTS checks at once across the processes sharing the cache
  (hotline/slots.py); another is answered at once with a 503.
- At most SIGN_IN_ADDRESS_FAILURE_LIMIT failed checks from one address per cool-off
  (AXES_COOLOFF_TIME), whatever the usernames; then a 429 before any hashing, until the
  window ends. django-axes locks a username per address; random usernames from one
  address would each stay under its limit. The count lives in the cache only (hashed,
  see hotline/ratelimit.py), so no typed name is written anywhere.

Both sit in the authentication backend, so every password check (the login page, the
admin's login) is covered; the middleware turns a refusal into the bokmål page. Django's
own ModelBackend stays listed after it (settings), so sessions signed in before keep
working, but never checks a password again: this backend ends every check it makes,
with a user or with PermissionDenied, which stops Django's walk through the backends.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.ratelimit import client_ip, hit, spent
from hotline.slots import RETRY_AFTER_SECONDS, slot

SLOT_SCOPE = "password-check"
FAILURE_SCOPE = "sign-in-failures"


class PasswordCheckRefused(Exception):
    """A password check was not made: ``status`` and ``retry_after`` say why and when."""

    def __init__(self, status: int, retry_after: int):
        super().__init__(status, retry_after)
        self.status = status
        self.retry_after = retry_after


def _window() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


class ThrottledModelBackend(ModelBackend):
    """Django's password check, within the address limit and a password-check slot."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None  # not a password check
        address = client_ip(request) if request is not None else ""
        limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        if address and (left := spent(FAILURE_SCOPE, address, limit, _window())):
            raise PasswordCheckRefused(429, left)
        with slot(SLOT_SCOPE, settings.PASSWORD_CHECK_SLOTS) as free:
            if not free:
                raise PasswordCheckRefused(503, RETRY_AFTER_SECONDS)
            user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            return user
        if address:
            hit(FAILURE_SCOPE, address, limit, _window())
        # Django then reports the failure (user_login_failed), as for any wrong password.
        raise PermissionDenied


class PasswordCheckRefusedMiddleware:
    """Answers a refused password check with a page saying so, and when to try again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, PasswordCheckRefused):
            return None
        response = render(
            request,
            "registration/sign_in_paused.html",
            {"busy": exception.status == 503},
            status=exception.status,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response
