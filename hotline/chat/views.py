from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotline.chat import hours
from hotline.chat.forms import ChatStartForm
from hotline.http import HtmxHttpRequest


def _closed_context() -> dict:
    now = timezone.now()
    return {
        "is_open": hours.is_open(now),
        "opens": hours.next_opening(now),
        "phone_numbers": settings.CHAT_PHONE_NUMBERS,
        "quick_exit_url": settings.CHAT_QUICK_EXIT_URL,
    }


@login_not_required
@require_GET
def writer(request: HtmxHttpRequest) -> HttpResponse:
    """The open chat page. A GET form (no cookie needed, not even CSRF's): the first
    visit shows the one short step; the step's answers open the chat room."""
    context = _closed_context()
    if not context["is_open"]:
        return render(request, "chat/writer.html", {**context, "step": "closed"})
    if not request.GET:
        return render(
            request, "chat/writer.html", {**context, "step": "start", "form": ChatStartForm()}
        )
    form = ChatStartForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "chat/writer.html",
            {**context, "step": "start", "form": form},
            status=400,
        )
    # The page speaks the chosen language where the interface has it (bokmål otherwise).
    language = form.cleaned_data["language"]
    with translation.override(language if language == "en" else "nb"):
        return render(
            request,
            "chat/writer.html",
            {
                **context,
                "step": "room",
                "choices": form.cleaned_data,
                "max_length": settings.CHAT_MAX_MESSAGE_LENGTH,
                "page_language": "en" if language == "en" else "nb",
                "strings": _room_strings(),
            },
        )


def _room_strings() -> dict[str, str]:
    """What chat.js says, translated here (the script holds no text of its own)."""
    return {
        "queued": _(
            "You are number %(position)s in the queue. Expected wait: about %(minutes)s minutes."
        ),
        "accepted": _("An operator is here. You can write now."),
        "requeued": _("You are back in the queue; the next free operator will answer."),
        "you": _("You"),
        "operator": _("Operator"),
        "service": _("Service from the operator"),
        "phone": _("Phone"),
        "hours": _("Open today"),
        "address": _("Address"),
        "web": _("Web"),
        "ended_writer_left": _("You ended the chat."),
        "ended_operator_ended": _("The operator ended the chat. Thank you for writing."),
        "ended_blocked": _("The chat was ended by the operator."),
        "ended_idle": _("The chat ended because no one wrote for a long time."),
        "ended": _("The chat has ended."),
        "lost": _("The connection was lost. The chat has ended. You can start a new one."),
        "closed": _("The chat is closed now."),
        "blocked": _("You cannot start a chat right now. Please call instead."),
        "limited": _("You already have a chat open, or have started many. Please wait a little."),
        "too_long": _("The message is too long."),
        "rate_limited": _("You are writing very fast. Wait a moment and send again."),
        "not_active": _("Wait until an operator has answered."),
        "error": _("Something went wrong. Try again."),
        "copied": _("Copied."),
    }
