"""The call panel on the operator desk: what it needs, for the desk page and for htmx."""

from django.forms import Form
from django.http import HttpRequest
from django.urls import reverse

from hotline.calls.forms import CallForm, StartCallForm
from hotline.calls.models import Call
from hotline.http import safe_next_url

PANEL_TEMPLATE = "desk/includes/call_panel.html"


def posted_next(request: HttpRequest) -> str:
    """The posted ``next`` if it stays on this site, else "": external addresses are ignored."""
    return safe_next_url(request, request.POST.get("next"))


def _return_url(request: HttpRequest) -> str:
    """Where the panel's forms come back to: the page the operator is looking at."""
    if url := posted_next(request):
        return url
    if request.method == "GET":
        return request.get_full_path()
    htmx = getattr(request, "htmx", None)
    if htmx and (url := safe_next_url(request, htmx.current_url_abs_path)):
        return url
    return reverse("desk:home")


def form_errors(form: Form) -> list[str]:
    """Every error of ``form``, each prefixed with the label of its field."""
    messages: list[str] = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}: " if field is not None else ""
        messages.extend(f"{label}{error}" for error in errors)
    return messages


def referral_state(request: HttpRequest) -> dict:
    """What result cards need of the call panel (whether a call is open, and what it has
    referred to), for an htmx search that redraws the results alone."""
    call = Call.objects.open_for(request.user).first()
    referred = set(call.referrals.values_list("pk", flat=True)) if call else set()
    return {"call": call, "referred_ids": referred}


def panel_context(
    request: HttpRequest,
    *,
    call_form: CallForm | None = None,
    start_form: StartCallForm | None = None,
    errors: list[str] | None = None,
    status: str = "",
) -> dict:
    """Context for ``desk/includes/call_panel.html`` for the operator of ``request``.

    The keyword arguments let a view show a bound form with its errors, or a status line.
    """
    call = Call.objects.open_for(request.user).select_related("site").first()
    referrals = list(call.referrals.select_related("organization")) if call else []
    caller_articles = _caller_articles(call) if call else []
    if call is not None:
        call_form = call_form or CallForm(instance=call)
        start_form = None
    else:
        call_form = None
        start_form = start_form or StartCallForm(user=request.user)
    return {
        "call": call,
        "call_form": call_form,
        "start_form": start_form,
        "referred_ids": {service.pk for service in referrals},
        "call_referrals": referrals,
        "call_next": _return_url(request),
        "call_errors": errors or [],
        "call_status": status,
        "caller_articles": caller_articles,
    }


def _caller_articles(call: Call) -> list:
    """Guidance for who is calling, as soon as the operator has tapped it."""
    from hotline.guide.models import UNDER_16, Article

    audiences = [call.caller_role] if call.caller_role else []
    if call.age_group == Call.AgeGroup.UNDER_16:
        audiences.append(UNDER_16)
    if not audiences:
        return []
    return list(Article.objects.published().for_audiences(audiences).order_by("title")[:5])
