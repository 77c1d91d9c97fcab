"""The second sign-in step: enrol an authenticator on first sign-in, then verify a code
or a passkey; and the user's own passkeys, added and removed."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.forms import EnrolForm, PasskeyAddForm, PasskeyResponseForm, TokenForm
from hotline.accounts.passkeys import (
    PasskeyRejected,
    add_passkey,
    authentication_options,
    has_passkey,
    is_passkey,
    passkeys_of,
    registration_options,
    remove_passkey,
    verify_passkey,
)
from hotline.accounts.roles import Role, role_required
from hotline.accounts.two_factor import (
    confirm_enrolment,
    guesses_spent,
    is_enrolled,
    is_verified,
    otp_not_required,
    pending_totp_device,
    qr_svg,
    secret_text,
)
from hotline.audit.models import AuditEvent
from hotline.http import HtmxHttpRequest, safe_next_url

WRONG_CODE = _(
    "That code is not right. Check that the clock on your phone is right, and try again."
)


def _matching_device(user, token: str):
    """The device that accepts ``token``: six digits are the app's, anything else a
    recovery code. Guessing is limited per user and address, not per device (see
    GUESS_LIMIT in two_factor.py)."""
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    device = model.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        return None
    return verify_token(user, device.persistent_id, token)


def _next(request: HtmxHttpRequest) -> str:
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next")) or (
        resolve_url(settings.LOGIN_REDIRECT_URL)
    )


def _passed(request: HtmxHttpRequest, device, **details) -> None:
    """The sign-in is complete: mark the session verified, record it, and only now
    forget failures (the password step alone must not wipe the count of wrong codes)."""
    otp_login(request, device)
    request.session.cycle_key()
    AxesProxyHandler.reset_attempts(
        ip_address=get_client_ip_address(request), username=request.user.get_username()
    )
    AuditEvent.record(AuditEvent.Kind.SECOND_FACTOR_PASSED, request, details=details)


def _failed(request: HtmxHttpRequest, credentials: dict) -> bool:
    """A wrong code or a refused passkey: axes counts it as a failed sign-in, for the
    same lockout as the password. Whether the account is now locked out."""
    user_login_failed.send(
        sender=__name__, credentials=credentials, request=request, stage="second_factor"
    )
    return getattr(request, "axes_locked_out", False)


@otp_not_required
@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HtmxHttpRequest) -> HttpResponse:
    """Ask for the code of an enrolled authenticator (or a recovery code)."""
    user = request.user
    if is_verified(request):
        return HttpResponseRedirect(_next(request))
    if not is_enrolled(user):
        return redirect("two_factor_setup")
    credentials = {"username": user.get_username()}
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, credentials) or guesses_spent(request, user):
            return _locked_out(request, credentials)
        if form.is_valid():
            device = _matching_device(user, form.cleaned_data["token"])
            if device is not None:
                _passed(request, device)
                return HttpResponseRedirect(_next(request))
        if _failed(request, credentials):
            return _locked_out(request, credentials)
        form.add_error("token", WRONG_CODE)
    status = 400 if form.errors else 200
    context = {"form": form, "next": _next(request), "has_passkey": has_passkey(user)}
    return render(request, "accounts/two_factor.html", context, status=status)


def _locked_out(request: HtmxHttpRequest, credentials: dict) -> HttpResponse:
    logout(request)
    request.axes_locked_out = True  # type: ignore[attr-defined]
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    return HttpResponse(status=429)  # AxesMiddleware turns this into its lockout page


@otp_not_required
@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HtmxHttpRequest) -> HttpResponse:
    """First sign-in: scan the key into an authenticator app and prove it with a code."""
    user = request.user
    if is_verified(request) or is_enrolled(user):
        return redirect("two_factor")
    device = pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and device.verify_token(form.cleaned_data["token"]):
            codes = confirm_enrolment(device)
            _passed(request, device)
            AuditEvent.record(AuditEvent.Kind.TWO_FACTOR_ENROLLED, request)
            # Shown in this response only, never again: the user writes them down now.
            shown = {"codes": codes, "next": _next(request)}
            return render(request, "accounts/recovery_codes.html", shown)
        if form.is_valid():
            form.add_error("token", WRONG_CODE)
    context = {
        "form": form,
        "qr_svg": qr_svg(device),
        "secret": secret_text(device),
        "next": _next(request),
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


# Passkeys. The ceremonies need the browser's WebAuthn API, so static/js/passkeys.js drives
# them: it asks a "begin" view for options (JSON), lets the browser's passkey answer, and
# posts that answer as a form field. Errors come back as JSON with a 400.

PASSKEY_NOT_ACCEPTED = _("The passkey was not accepted. Try again, or type a code instead.")
PASSKEY_NOT_ADDED = _("The passkey could not be added. Try again.")


def _form_errors(form, message) -> JsonResponse:
    return JsonResponse({"error": str(message), "errors": form.errors.get_json_data()}, status=400)


@otp_not_required
@never_cache
@require_POST
def passkey_sign_in_begin(request: HtmxHttpRequest) -> HttpResponse:
    """Options for signing this sign-in's challenge with one of the user's passkeys."""
    credentials = {"username": request.user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request, credentials)
    if is_verified(request) or not has_passkey(request.user):
        return JsonResponse({"error": str(PASSKEY_NOT_ACCEPTED)}, status=400)
    return JsonResponse(authentication_options(request))


@otp_not_required
@never_cache
@require_POST
def passkey_sign_in(request: HtmxHttpRequest) -> HttpResponse:
    """Complete the sign-in with the passkey's answer, counted like a code."""
    credentials = {"username": request.user.get_username()}
    if is_verified(request):
        return JsonResponse({"redirect": _next(request)})
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request, credentials)
    form = PasskeyResponseForm(request.POST)
    if form.is_valid():
        try:
            device = verify_passkey(request, form.cleaned_data["credential"])
        except PasskeyRejected:
            pass
        else:
            _passed(request, device, method="passkey")
            return JsonResponse({"redirect": _next(request)})
    if _failed(request, credentials):
        return _locked_out(request, credentials)
    return _form_errors(form, PASSKEY_NOT_ACCEPTED)


@role_required(*Role)
@require_GET
def passkeys(request: HtmxHttpRequest) -> HttpResponse:
    """The user's passkeys: add one, or remove one."""
    current = getattr(request.user, "otp_device", None)
    context = {
        "passkeys": passkeys_of(request.user),
        # Removing the passkey this session was verified with signs this session out too.
        "current_pk": current.pk if is_passkey(current) else None,
        "form": PasskeyAddForm(),
    }
    return render(request, "accounts/passkeys.html", context)


@role_required(*Role)
@never_cache
@require_POST
def passkey_add_begin(request: HtmxHttpRequest) -> HttpResponse:
    """Options for creating a new passkey for the signed-in user."""
    return JsonResponse(registration_options(request))


@role_required(*Role)
@never_cache
@require_POST
def passkey_add(request: HtmxHttpRequest) -> HttpResponse:
    """Keep the passkey the browser created; the user's other sessions are signed out."""
    form = PasskeyAddForm(request.POST)
    if not form.is_valid():
        return _form_errors(form, PASSKEY_NOT_ADDED)
    try:
        credential = add_passkey(
            request, form.cleaned_data["credential"], form.cleaned_data["name"]
        )
    except PasskeyRejected:
        return _form_errors(form, PASSKEY_NOT_ADDED)
    AuditEvent.record(AuditEvent.Kind.PASSKEY_ADDED, request, details={"passkey": credential.name})
    messages.success(
        request, _("Passkey added. You were signed out everywhere else, for your safety.")
    )
    return JsonResponse({"redirect": reverse("passkeys")})


@role_required(*Role)
@require_POST
def passkey_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Remove one of the user's own passkeys (another user's is a 404)."""
    credential = get_object_or_404(passkeys_of(request.user), pk=pk)
    name = credential.name
    remove_passkey(request, credential)
    AuditEvent.record(AuditEvent.Kind.PASSKEY_REMOVED, request, details={"passkey": name})
    messages.success(
        request, _("Passkey removed. You were signed out everywhere else, for your safety.")
    )
    return redirect("passkeys")
