"""Passkeys (WebAuthn) as a second factor, beside the authenticator app.

A passkey is our own django-otp device (hotline.accounts.models.Passkey), so a session
verified with a passkey is verified like one verified with a code. The checks themselves
are py_webauthn's (the ``webauthn`` package): it is imported inside the functions that
build options or check an answer, never at module level, because it pulls in
``cryptography``, cbor2 and pyasn1 (16 MB in each worker, measured) for a moment that is
rare.
The state of a ceremony (its challenge) is kept in the session and used once.

A passkey is a second factor only: it is offered after the password, for the signed-in
user's own passkeys, never instead of the password.
"""

from typing import Any, TypeGuard

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

from hotline.accounts.models import Passkey

REGISTRATION_STATE = "hotline_passkey_registration"
AUTHENTICATION_STATE = "hotline_passkey_authentication"
# How long the browser waits for the passkey to answer.
TIMEOUT_MS = 5 * 60 * 1000
# ES256 and RS256 (COSE algorithm ids): what platform authenticators and security keys offer.
SUPPORTED_ALGORITHMS = (-7, -257)
# The password was the first factor, so the authenticator need only show the user is
# present (a PIN or fingerprint is its own business): user verification is never required.
REQUIRE_USER_VERIFICATION = False


class PasskeyRejected(Exception):
    """The browser's response does not prove a passkey: nothing was changed."""


def passkeys_of(user: Any):
    return Passkey.objects.of(user)


def is_passkey(device: Any) -> TypeGuard[Passkey]:
    return isinstance(device, Passkey)


def has_passkey(user: Any) -> bool:
    return Passkey.objects.filter(user=user, confirmed=True).exists()


def _descriptors(user: Any) -> list:
    """The user's passkeys as PublicKeyCredentialDescriptors, last used first."""
    # Imported here, not at module level: see the module's docstring.
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    known = {transport.value for transport in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(credential_id),
            # py_webauthn takes only the transports it knows; others are left out.
            transports=[AuthenticatorTransport(t) for t in transports if t in known],
        )
        for credential_id, transports in Passkey.objects.filter(user=user)
        .by_recent_use()
        .values_list("credential_id", "transports")
    ]


def _user_handle(user: Any) -> bytes:
    """The WebAuthn user handle: 64 bytes, the same for the user each time (so an
    authenticator knows its passkeys for one account), naming nobody (the spec asks that
    it hold no personal data). Derived from the user's id with the secret key."""
    return salted_hmac(
        "hotline.accounts.passkeys.user_handle", str(user.pk), algorithm="sha512"
    ).digest()


def _display_name(user: Any) -> str:
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def registration_options(request: HttpRequest) -> dict:
    """Options for ``navigator.credentials.create()``; the challenge waits in the session."""
    # Imported here, not at module level: see the module's docstring.
    from webauthn import generate_registration_options
    from webauthn.helpers import options_to_json_dict
    from webauthn.helpers.structs import (
        AttestationConveyancePreference,
        AuthenticatorSelectionCriteria,
        COSEAlgorithmIdentifier,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    user = request.user
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=_user_handle(user),
        user_name=user.get_username(),
        user_display_name=_display_name(user),
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # The passkeys the user has already: the browser does not create one twice.
        exclude_credentials=_descriptors(user),
        supported_pub_key_algs=[COSEAlgorithmIdentifier(a) for a in SUPPORTED_ALGORITHMS],
    )
    options_json = options_to_json_dict(options)
    request.session[REGISTRATION_STATE] = {"challenge": options_json["challenge"]}
    return options_json


def authentication_options(request: HttpRequest) -> dict:
    """Options for ``navigator.credentials.get()``, naming the user's own passkeys only."""
    # Imported here, not at module level: see the module's docstring.
    from webauthn import generate_authentication_options
    from webauthn.helpers import options_to_json_dict
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    options_json = options_to_json_dict(options)
    request.session[AUTHENTICATION_STATE] = {"challenge": options_json["challenge"]}
    return options_json


def add_passkey(request: HttpRequest, response: dict, name: str) -> Passkey:
    """Check the browser's registration ``response`` and keep the new passkey.

    Every other session of the user is signed out (see ``sign_out_other_sessions``).
    """
    state = request.session.pop(REGISTRATION_STATE, None)
    if state is None:
        raise PasskeyRejected("no registration under way")
    # Imported here, not at module level: see the module's docstring.
    from webauthn import base64url_to_bytes, verify_registration_response
    from webauthn.helpers import parse_registration_credential_json
    from webauthn.helpers.exceptions import WebAuthnException
    from webauthn.helpers.structs import COSEAlgorithmIdentifier

    try:
        credential = parse_registration_credential_json(response)
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ALLOWED_ORIGINS),
            require_user_verification=REQUIRE_USER_VERIFICATION,
            supported_pub_key_algs=[COSEAlgorithmIdentifier(a) for a in SUPPORTED_ALGORITHMS],
        )
        transports = [t.value for t in credential.response.transports or []]
        with transaction.atomic():
            passkey = Passkey.objects.create(
                user=request.user,
                name=name,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=transports,
            )
            # No session was verified with the new passkey yet: it keeps its id.
            sign_out_other_sessions(request, unused=passkey)
    except (WebAuthnException, ValueError, TypeError, KeyError, IntegrityError) as exc:
        # py_webauthn's errors, and plain ones from base64, CBOR and dict look-ups in a
        # malformed answer; IntegrityError: the same credential again (the browser should
        # have refused).
        raise PasskeyRejected(str(exc)) from exc
    return passkey


def verify_passkey(request: HttpRequest, response: dict) -> Passkey:
    """The user's passkey that signed this sign-in's challenge, or PasskeyRejected."""
    state = request.session.pop(AUTHENTICATION_STATE, None)
    if state is None:
        raise PasskeyRejected("no sign-in under way")
    # Imported here, not at module level: see the module's docstring.
    from webauthn import base64url_to_bytes, verify_authentication_response
    from webauthn.helpers import parse_authentication_credential_json
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        credential = parse_authentication_credential_json(response)
        # Only the user's own: another user's passkey is as unknown as a made-up one.
        passkey = Passkey.objects.get(user=request.user, credential_id=credential.raw_id)
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ALLOWED_ORIGINS),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=REQUIRE_USER_VERIFICATION,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, Passkey.DoesNotExist) as exc:
        # As in add_passkey; DoesNotExist: not one of this user's passkeys.
        raise PasskeyRejected(str(exc)) from exc
    if not passkey.confirmed:
        raise PasskeyRejected("disabled passkey")
    passkey.sign_count = verified.new_sign_count
    passkey.set_last_used_timestamp(commit=False)
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


@transaction.atomic
def remove_passkey(request: HttpRequest, passkey: Passkey) -> None:
    """Remove ``passkey``; every session verified with it, and every other session of
    the user, is signed out. This one too, if it was verified with that passkey."""
    passkey.delete()
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
    if isinstance(old, Passkey):
        # The credential id is unique: the old row lets go of it first.
        model.objects.filter(pk=old.pk).update(credential_id=b"reissued-%d" % old.pk)
    new.pk = None
    new._state.adding = True
    new.save()
    if hasattr(old, "created_at"):
        # Still the day it was added, not today (created_at is set on every insert).
        model.objects.filter(pk=new.pk).update(created_at=old.created_at)
        new.created_at = old.created_at
    if isinstance(old, StaticDevice):
        old.token_set.update(device=new)
    model.objects.filter(pk=old.pk).delete()
    return new
