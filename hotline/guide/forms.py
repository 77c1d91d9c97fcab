from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.guide.models import Audience
from services_directory.models import Topic
from services_directory.search import reject_personal_numbers

INVALID_CHOICE = _("Select one of the listed options.")


class GuideSearchForm(forms.Form):
    """Search the guidance library: words, a topic, who is calling."""

    q = forms.CharField(
        label=_("Search the guidance"),
        max_length=100,
        required=False,
        validators=[reject_personal_numbers],
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=_("All topics"),
        label=_("Topic"),
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    audience = forms.ModelChoiceField(
        queryset=Audience.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Anyone"),
        label=_("Who is calling"),
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
