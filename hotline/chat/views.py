from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.accounts.roles import Role, role_required
from hotline.calls.forms import CallForm
from hotline.calls.models import Call
from hotline.calls.services import close_call
from hotline.chat import consumers, hours, queue
from hotline.chat.forms import ChatRefForm, ChatStartForm
from hotline.chat.protocol import ResumeForm
from hotline.chat.records import open_chat_call
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
                "resume_seconds": settings.CHAT_RESUME_SECONDS,
                "page_language": "en" if language == "en" else "nb",
                "strings": _room_strings(),
            },
        )


@login_not_required
@csrf_exempt  # the resume token is the credential, and a forged request cannot know it
@require_POST
def leave(request: HtmxHttpRequest) -> HttpResponse:
    """The chat page's last word when it has no connection (quick exit or a closed page
    while it reconnects), sent as a beacon: end the chat now. The same answer whether
    or not the token named an open chat, so it tells nobody which chats exist."""
    form = ResumeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(f"token: {form.errors['token'][0]}")
    async_to_sync(consumers.leave)(get_channel_layer(), *form.cleaned_data["token"])
    return HttpResponse(status=204)


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
        "reconnecting": _("The connection was lost. Trying to reconnect…"),
        "resumed": _("You are back in the chat."),
        "closed": _("The chat is closed now."),
        "blocked": _("You cannot start a chat right now. Please call instead."),
        "limited": _("You already have a chat open, or have started many. Please wait a little."),
        "too_long": _("The message is too long."),
        "rate_limited": _("You are writing very fast. Wait a moment and send again."),
        "not_active": _("Wait until an operator has answered."),
        "error": _("Something went wrong. Try again."),
        "copied": _("Copied."),
    }


def _held_chat(request: HtmxHttpRequest, data) -> tuple[str, Call] | HttpResponse:
    """The chat named in ``data`` if this operator held it, and its open call record;
    a 400 naming the field if ``data`` names no chat at all."""
    ref = ChatRefForm(data)
    if not ref.is_valid():
        return render(request, "chat/record.html", {"ref_form": ref}, status=400)
    chat_id = ref.cleaned_data["chat"]
    chat = async_to_sync(queue.get_chat)(chat_id)
    call = open_chat_call(chat.get("call", "")) if chat.get("call") else None
    if chat.get("operator") != str(request.user.pk) or call is None:
        raise Http404
    return chat_id, call


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
def record(request: HtmxHttpRequest) -> HttpResponse:
    """Record an ended (or ongoing) chat's categories and close its call record, as a
    phone call is closed. Only the operator who held the chat can."""
    held = _held_chat(request, request.GET if request.method == "GET" else request.POST)
    if isinstance(held, HttpResponse):
        return held
    chat_id, call = held
    if request.method == "GET":
        form = CallForm(instance=call, final=True)
        return render(request, "chat/record.html", {"form": form, "chat_id": chat_id})
    form = CallForm(request.POST, instance=call, final=True)
    if not form.is_valid():
        return render(request, "chat/record.html", {"form": form, "chat_id": chat_id}, status=400)
    close_call(call, form.cleaned_data)
    async_to_sync(queue.forget)(chat_id)
    messages.success(request, _("Chat saved anonymously."))
    return redirect("desk:home")


@require_GET
@role_required(Role.SUPERVISOR)
def live(request: HtmxHttpRequest) -> HttpResponse:
    """Live counts for supervisors: never content, never a single chat."""

    async def counts() -> dict[str, int | None]:
        state = await queue.queue_state()
        return {
            "waiting": state.waiting,
            "active": await queue.active_count(),
            "operators": await queue.operators_on_chat(),
            "average_wait": await queue.average_wait_today(),
        }

    context = {"counts": async_to_sync(counts)()}
    if request.htmx:
        return render(request, "chat/live.html#counts", context)
    return render(request, "chat/live.html", context)
