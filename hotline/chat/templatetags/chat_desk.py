from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from hotline.chat.forms import AGE_GROUPS, CHAT_LANGUAGES, SAFE_CHOICES
from hotline.chat.ready_texts import ready_texts

register = template.Library()


@register.inclusion_tag("chat/desk_panel.html", takes_context=True)
def chat_panel(context) -> dict:
    """The desk's chat panel: one tag, so the desk page needs one line for it. The ready
    texts come as of the guidance token the desk's search just read."""
    return {
        "ready_texts": ready_texts(context["form"].index.guide_token),
        "record_url": reverse("chat:record"),
        "max_length": settings.CHAT_MAX_MESSAGE_LENGTH,
        "resume_minutes": max(1, round(settings.CHAT_RESUME_SECONDS / 60)),
        "strings": {
            "waiting": _(
                "Waiting: %(count)s · longest %(minutes)s min · you hold %(held)s of %(max)s"
            ),
            "writer": _("Writer"),
            "you": _("You"),
            "service_sent": _("Service sent: %(name)s"),
            "send_to_chat": _("Send to chat"),
            "ended_writer_left": _("The writer left the chat."),
            "away": _(
                "The writer's connection dropped. The chat waits %(minutes)s min for them; "
                "nothing can be sent until they are back."
            ),
            "back": _("The writer is back."),
            "ended_operator_ended": _("You ended the chat."),
            "ended_blocked": _("Blocked and ended."),
            "ended_idle": _("Ended: no one wrote for too long."),
            "ended": _("The chat has ended."),
            "transferred": _("Transferred."),
            "error": _("Refused: %(reason)s"),
            "lost": _("The chat connection was lost. Reload the page to reconnect."),
            "language": _("Language"),
            "age": _("Age"),
            "safe": _("Safe to write"),
            "record": _("Record the chat in the call log"),
        },
        # The writer's answers as the operator reads them.
        "labels": {
            **dict(CHAT_LANGUAGES),
            **{code: str(label) for code, label in AGE_GROUPS if code},
            **{code: str(label) for code, label in SAFE_CHOICES},
        },
    }
