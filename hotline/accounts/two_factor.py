"""Two-factor sign-in with django-otp: one TOTP device and one set of recovery codes a user.

A session counts as signed in only once django-otp has verified it (``user.is_verified()``).
Replacing or resetting a user's devices deletes the old ones, so every session verified
with them loses its device, and ``StaffSessionMiddleware`` signs it out.
"""

from base64 import b32encode
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10

# Guessing the second factor. django-otp's own throttle (off in settings) is per device: a
# guesser who knows the password could keep the user's codes refused from every address.
# Instead, django-axes locks a (user, address) pair after AXES_FAILURE_LIMIT wrong codes,
# so a guesser locks out only their own address; and this global budget stops a guesser
# with many addresses: once a user's codes were wrong this often within the window, codes
# are taken only from an address the user has passed the second factor from before. The
# user's usual workplace keeps working, and a passkey (which cannot be guessed) works
# everywhere. 30 guesses a day at a six-digit code: about one chance in 10,000 a day.
GUESS_LIMIT = 30
GUESS_WINDOW = timedelta(hours=24)
KNOWN_ADDRESS_DAYS = 90


def otp_not_required(view: Callable) -> Callable:
    """Mark a view a signed-in user may reach before the second factor (its own steps)."""
    view.otp_required = False  # type: ignore[attr-defined]
    return view


def second_factor_required(request: HttpRequest) -> bool:
    """Whether this signed-in request still lacks its second factor."""
    if not settings.REQUIRE_2FA:
        return False
    return request.user.is_authenticated and not is_verified(request)


def is_verified(request: HttpRequest) -> bool:
    """Whether django-otp's middleware verified this session with a device."""
    return bool(getattr(request.user, "otp_device", None))


def is_enrolled(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


def pending_totp_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up, so a reload shows the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing it into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no CDN)."""
    # Imported when first needed: only enrolment draws a QR code.
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm_enrolment(device: TOTPDevice) -> list[str]:
    """Confirm ``device`` as the user's only authenticator; return new recovery codes.

    Every other device of the user goes, so sessions verified with them end.
    """
    user = device.user
    for other in list(devices_for_user(user, confirmed=None)):
        if other.pk != device.pk or not isinstance(other, TOTPDevice):
            other.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def reset_devices(user: Any) -> int:
    """Remove every device of ``user``: they enrol again at their next sign-in."""
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    return removed


def guesses_spent(request: HttpRequest, user: Any) -> bool:
    """Whether ``user``'s global budget of wrong codes is spent and this address is not
    one the user has signed in from with the second factor (see GUESS_LIMIT)."""
    from axes.helpers import get_client_ip_address

    from hotline.audit.models import AuditEvent

    now = timezone.now()
    events = AuditEvent.objects.filter(actor=user)
    wrong = events.filter(
        kind=AuditEvent.Kind.SECOND_FACTOR_FAILED, created_at__gte=now - GUESS_WINDOW
    )
    if wrong.count() < GUESS_LIMIT:
        return False
    return not events.filter(
        kind=AuditEvent.Kind.SECOND_FACTOR_PASSED,
        ip_address=get_client_ip_address(request),
        created_at__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS),
    ).exists()
