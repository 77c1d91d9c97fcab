from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.calls.models import Call

# The languages a writer may choose; the operator sees the choice.
CHAT_LANGUAGES = [("nb", "Norsk"), ("en", "English"), ("se", "Davvisámegiella")]
AGE_GROUPS = [("", _("Would rather not say"))] + [
    (value, label) for value, label in Call.AgeGroup.choices if value != Call.AgeGroup.UNKNOWN
]


SAFE_CHOICES = [
    ("yes", _("Yes")),
    ("unsure", _("I am not sure")),
    ("no", _("No")),
]


class ChatStartForm(forms.Form):
    """The one short step before a chat: nothing that could identify the writer."""

    language = forms.ChoiceField(label=_("Language"), choices=CHAT_LANGUAGES, initial="nb")
    age_group = forms.ChoiceField(label=_("Age (optional)"), choices=AGE_GROUPS, required=False)
    safe = forms.ChoiceField(
        label=_("Is it safe for you to write now?"),
        choices=SAFE_CHOICES,
        widget=forms.RadioSelect,
    )


class ChatRefForm(forms.Form):
    """Names a chat the operator held, to record it as a call."""

    chat = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", label=_("Chat"))
