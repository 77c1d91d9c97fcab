"""Session rules for staff: idle timeout, absolute lifetime, and the second factor."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from hotline.accounts.two_factor import is_enrolled, is_verified, second_factor_required
from hotline.http import PUBLIC_API_PREFIX

SIGNED_IN_AT = "hotline_signed_in_at"
LAST_SEEN_AT = "hotline_last_seen_at"
# Refresh the idle clock in the session at most this often: writing the session on every
# request (every keystroke's search) would cost a database write each, and a search must
# write nothing.
_TOUCH_EVERY_SECONDS = 60
# The exact time of the last request rides in a cookie instead, signed and bound to the
# session key: with it, idleness is measured from the real last request, not from the
# session's last refresh (which may be up to a minute older). A client can only present a
# time it was given, so it can never make a session look more recently used than it was.
ACTIVITY_COOKIE = "hotline_activity"


def lapsed(session, now: int, last_request_at: int = 0) -> str | None:
    """Why a staff session has ended by the clock, "idle" or "age"; None while it holds.
    Also asked by the desk's chat socket, which sees no cookies."""
    last_seen_at = max(session.get(LAST_SEEN_AT, now), last_request_at)
    if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return "idle"
    if now - session.get(SIGNED_IN_AT, now) > settings.SESSION_COOKIE_AGE:
        return "age"
    return None


def touch(session, now: int) -> bool:
    """Restart the idle clock, at most every _TOUCH_EVERY_SECONDS; True if it changed."""
    if now - session.get(LAST_SEEN_AT, 0) < _TOUCH_EVERY_SECONDS:
        return False
    session[LAST_SEEN_AT] = now
    return True


def start_session_clocks(sender, request, user, **kwargs) -> None:
    """At sign-in (Django's user_logged_in signal): start the lifetime and idle clocks,
    so the requests that follow need not write the session to do it."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class StaffSessionMiddleware:
    """Ends idle or too-old sessions, and sends unverified sessions to the second factor.

    Goes after OTPMiddleware and LoginRequiredMiddleware: anonymous users are already on
    their way to the login page, and ``request.user.is_verified()`` is known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before request.user is touched: django-otp drops the key of a device that
        # no longer exists when it loads the user.
        had_device = DEVICE_ID_SESSION_KEY in request.session
        if request.user.is_authenticated:
            self._enforce_lifetime(request, had_device)
        response = self.get_response(request)
        # The public API's answers are public and cacheable: no cookie on them.
        if not request.path.startswith(PUBLIC_API_PREFIX):
            self._note_activity(request, response)
        return response

    @staticmethod
    def _note_activity(request, response) -> None:
        if request.user.is_authenticated and request.session.session_key:
            response.set_signed_cookie(
                ACTIVITY_COOKIE,
                str(int(time.time())),
                salt=request.session.session_key,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        elif ACTIVITY_COOKIE in request.COOKIES:
            response.delete_cookie(ACTIVITY_COOKIE, samesite=settings.SESSION_COOKIE_SAMESITE)

    @staticmethod
    def _last_request_at(request) -> int | None:
        """The time of the session's previous request, from the activity cookie."""
        value = request.get_signed_cookie(
            ACTIVITY_COOKIE, default=None, salt=request.session.session_key or ""
        )
        return int(value) if value and value.isdigit() else None

    def _enforce_lifetime(self, request, had_device: bool) -> None:
        session = request.session
        now = int(time.time())
        session.setdefault(SIGNED_IN_AT, now)
        reason = lapsed(session, now, self._last_request_at(request) or 0)
        # A session verified with a device that has since been replaced or reset: the
        # device change signs out every session that used the old one.
        device_gone = had_device and not is_verified(request)
        if reason == "idle":
            logout(request)
            messages.info(request, _("You were signed out after a period without activity."))
        elif reason == "age":
            logout(request)
            messages.info(request, _("Your session has reached its time limit: sign in again."))
        elif device_gone:
            logout(request)
            messages.info(request, _("Your two-factor settings changed: sign in again."))
        else:
            touch(session, now)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor_required(request):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "admin":
            # The admin has its own login page, so its views are open to
            # LoginRequiredMiddleware; all but its login and logout need the factor.
            if match.url_name in {"login", "logout"}:
                return None
        elif not getattr(view_func, "login_required", True):
            return None  # open pages: login, language switch, public API, /healthz
        if not getattr(view_func, "otp_required", True):
            return None  # the second-factor steps themselves, and logout
        step = "two_factor" if is_enrolled(request.user) else "two_factor_setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
