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

SIGNED_IN_AT = "hotline_signed_in_at"
LAST_SEEN_AT = "hotline_last_seen_at"
# Refresh the idle clock at most this often: writing the session on every request (every
# keystroke's search) would cost a database write each.
_TOUCH_EVERY_SECONDS = 60


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
        return self.get_response(request)

    def _enforce_lifetime(self, request, had_device: bool) -> None:
        session = request.session
        now = int(time.time())
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen_at = session.get(LAST_SEEN_AT, now)
        idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        # A session verified with a device that has since been replaced or reset: the
        # device change signs out every session that used the old one.
        device_gone = had_device and not is_verified(request)
        if now - last_seen_at > idle:
            logout(request)
            messages.info(request, _("You were signed out after a period without activity."))
        elif now - signed_in_at > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, _("Your session has reached its time limit: sign in again."))
        elif device_gone:
            logout(request)
            messages.info(request, _("Your two-factor settings changed: sign in again."))
        elif now - last_seen_at >= _TOUCH_EVERY_SECONDS or LAST_SEEN_AT not in session:
            session[LAST_SEEN_AT] = now

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
