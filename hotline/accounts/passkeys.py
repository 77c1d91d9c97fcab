"""Passkeys (WebAuthn) as a second factor, beside the authenticator app.

django-otp-webauthn gives the credential model, a django-otp device, so a session verified
with a passkey is verified like one verified with a code (``is_verified()``, OTPMiddleware,
StaffSessionMiddleware); its WebAuthnHelper wraps py_webauthn. The views are ours: the
state of a ceremony (its challenge) is kept in the session and used once.

A passkey is a second factor only: it is offered after the password, for the signed-in
user's own passkeys, never instead of the password.
"""

from typing import Any, TypeGuard

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential
from webauthn.helpers.exceptions import WebAuthnException

REGISTRATION_STATE = "hotline_passkey_registration"
AUTHENTICATION_STATE = "hotline_passkey_authentication"

# What a malformed or forged response can raise while it is parsed and checked: the
# libraries' own errors, and plain ones from base64, CBOR and dict look-ups.
_BAD_RESPONSE = (WebAuthnException, OTPWebAuthnApiError, ValueError, TypeError, KeyError)


class PasskeyRejected(Exception):
    """The browser's response does not prove a passkey: nothing was changed."""


def passkeys_of(user: Any):
    return WebAuthnCredential.objects.filter(user=user).order_by("created_at", "pk")


def is_passkey(device: Any) -> TypeGuard[WebAuthnCredential]:
    return isinstance(device, WebAuthnCredential)


def has_passkey(user: Any) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def registration_options(request: HttpRequest) -> dict:
    """Options for ``navigator.credentials.create()``; the challenge waits in the session."""
    options, state = WebAuthnHelper(request).register_begin(request.user)
    request.session[REGISTRATION_STATE] = state
    return options


def authentication_options(request: HttpRequest) -> dict:
    """Options for ``navigator.credentials.get()``, naming the user's own passkeys only.

    The password was the first factor, so the authenticator need only show the user is
    present (a PIN or fingerprint is its own business).
    """
    options, state = WebAuthnHelper(request).authenticate_begin(
        request.user, require_user_verification=False
    )
    request.session[AUTHENTICATION_STATE] = state
    return options


def add_passkey(request: HttpRequest, response: dict, name: str) -> WebAuthnCredential:
    """Check the browser's registration ``response`` and keep the new passkey.

    Every other session of the user is signed out (see ``sign_out_other_sessions``).
    """
    state = request.session.pop(REGISTRATION_STATE, None)
    if state is None:
        raise PasskeyRejected("no registration under way")
    try:
        with transaction.atomic():
            credential = WebAuthnHelper(request).register_complete(request.user, state, response)
            credential.name = name
            credential.save(update_fields=["name"])
            # No session was verified with the new passkey yet: it keeps its id.
            sign_out_other_sessions(request, unused=credential)
    except (*_BAD_RESPONSE, IntegrityError) as exc:
        # IntegrityError: the same credential again (the browser should have refused).
        raise PasskeyRejected(str(exc)) from exc
    return credential


def verify_passkey(request: HttpRequest, response: dict) -> WebAuthnCredential:
    """The user's passkey that signed this sign-in's challenge, or PasskeyRejected."""
    state = request.session.pop(AUTHENTICATION_STATE, None)
    if state is None:
        raise PasskeyRejected("no sign-in under way")
    try:
        credential = WebAuthnHelper(request).authenticate_complete(request.user, state, response)
    except _BAD_RESPONSE as exc:
        raise PasskeyRejected(str(exc)) from exc
    if not credential.confirmed:
        raise PasskeyRejected("disabled passkey")
    return credential


@transaction.atomic
def remove_passkey(request: HttpRequest, credential: WebAuthnCredential) -> None:
    """Remove ``credential``; every session verified with it, and every other session of
    the user, is signed out. This one too, if it was verified with that passkey."""
    credential.delete()
    sign_out_other_sessions(request)


@transaction.atomic
def sign_out_other_sessions(request: HttpRequest, unused: Device | None = None) -> None:
    """Sign out every other session of the user, the way a device reset does.

    A session stays signed in only while the device it was verified with exists
    (StaffSessionMiddleware). Each of the user's devices is issued again under a new id,
    with the same key, so every session holds the id of a device that is gone; this
    session is moved to the new id of its own device.
    """
    user = request.user
    current = getattr(user, "otp_device", None)
    current_id = current.persistent_id if current is not None else None
    for device in list(devices_for_user(user, confirmed=None)):
        if unused is not None and device.persistent_id == unused.persistent_id:
            continue
        new = _reissue(device)
        if device.persistent_id == current_id:
            otp_login(request, new)


def _reissue(device: Device) -> Device:
    """A copy of ``device`` under a new primary key; the old row goes."""
    model = type(device)
    old = model.objects.get(pk=device.pk)
    new = model.objects.get(pk=device.pk)
    if isinstance(old, WebAuthnCredential):
        # The credential's hash is unique: the old row lets go of it first.
        model.objects.filter(pk=old.pk).update(credential_id_sha256=f"reissued-{old.pk}")
    new.pk = None
    new._state.adding = True
    new.save()
    if hasattr(old, "created_at"):
        # Still the day it was added, not today (created_at is set on every insert).
        model.objects.filter(pk=new.pk).update(created_at=old.created_at)
        new.created_at = old.created_at
    if isinstance(old, StaticDevice):
        old.token_set.update(device=new)
    if isinstance(old, WebAuthnCredential):
        WebAuthnAttestation.objects.filter(credential=old).update(credential=new)
    model.objects.filter(pk=old.pk).delete()
    return new
