"""Two-factor sign-in with django-otp: one TOTP device and one set of recovery codes a user.

A session counts as signed in only once django-otp has verified it (``user.is_verified()``).
Replacing or resetting a user's devices deletes the old ones, so every session verified
with them loses its device, and ``StaffSessionMiddleware`` signs it out.
"""

from base64 import b32encode
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10


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
