"""The chat's WebSocket frames: JSON objects with a ``type`` (docs/chat.md).

Every frame a client sends is checked here before anything acts on it. A bad frame gets
an ``error`` frame with a reason, never an exception: binary, oversize, malformed JSON,
not an object, an unknown type, or a field that fails its form.
"""

import json

from django import forms
from django.conf import settings

WRITER_TYPES = {"start", "resume", "message", "end"}
OPERATOR_TYPES = {"available", "accept", "message", "service", "transfer", "end", "block"}


class BadFrame(Exception):
    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field

    def frame(self) -> dict[str, str]:
        frame = {"type": "error", "reason": self.reason}
        if self.field:
            frame["field"] = self.field
        return frame


def max_frame_chars() -> int:
    # Room for the longest message and the JSON around it (escapes included).
    return settings.CHAT_MAX_MESSAGE_LENGTH * 2 + 512


def parse(text_data: str | None, bytes_data: bytes | None, allowed: set[str]) -> dict:
    if text_data is None:
        raise BadFrame("binary")
    if len(text_data) > max_frame_chars():
        raise BadFrame("too_large")
    try:
        frame = json.loads(text_data)
    except ValueError:
        raise BadFrame("malformed") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise BadFrame("malformed")
    if frame["type"] not in allowed:
        raise BadFrame("unknown_type")
    return frame


class MessageForm(forms.Form):
    text = forms.CharField(strip=True)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if len(text) > settings.CHAT_MAX_MESSAGE_LENGTH:
            raise forms.ValidationError("too long", code="max_length")
        return text


class ChatIdForm(forms.Form):
    chat = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$")


class OperatorMessageForm(ChatIdForm, MessageForm):
    pass


class ServiceForm(ChatIdForm):
    service = forms.IntegerField(min_value=1)


class TransferForm(ChatIdForm):
    # "queue", or the id of the operator to take it.
    to = forms.RegexField(regex=r"^(queue|[0-9]{1,12})$")


class ResumeForm(forms.Form):
    # "<chat id>.<secret>", as the "resume_token" frame gave it (resume_token()).
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}$")

    def clean_token(self) -> tuple[str, str]:
        """The chat's id and its secret."""
        chat_id, _, secret = self.cleaned_data["token"].partition(".")
        return chat_id, secret


def resume_token(chat_id: str, secret: str) -> str:
    return f"{chat_id}.{secret}"


class AvailableForm(forms.Form):
    on = forms.BooleanField(required=False)


def clean(form_class: type[forms.Form], frame: dict) -> dict:
    form = form_class(frame)
    if not form.is_valid():
        field = next(iter(form.errors))
        code = form.errors.as_data()[field][0].code or "invalid"
        raise BadFrame("too_long" if code == "max_length" else "invalid", field)
    return form.cleaned_data
