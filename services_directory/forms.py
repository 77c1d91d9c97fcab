"""Forms for the directory's own views (the admin's forms live in admin.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from services_directory.models import ErrorReport, ShelterCapacity


class ErrorReportForm(forms.Form):
    # Custom messages: the default "invalid choice" echoes whatever was posted.
    kind = forms.ChoiceField(
        label=_("What is wrong with this entry?"),
        choices=ErrorReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what is wrong with this entry."),
            "invalid_choice": _("Choose what is wrong with this entry."),
        },
    )
    # Where to go back to without htmx; checked against our own host in the view.
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ResolveErrorReportForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (ErrorReport.Status.FIXED, ErrorReport.Status.FIXED.label),
            (ErrorReport.Status.NOT_AN_ERROR, ErrorReport.Status.NOT_AN_ERROR.label),
        ],
        error_messages={
            "required": _("Status must be “fixed” or “not an error”."),
            "invalid_choice": _("Status must be “fixed” or “not an error”."),
        },
    )


class CapacityForm(forms.ModelForm):
    """Shelter staff's one form, opened from their personal link, often on a phone."""

    # Declared here: the model field's form field would offer an empty "---------" radio.
    status = forms.ChoiceField(
        label=_("Status right now"),
        choices=ShelterCapacity.Status.choices,
        widget=forms.RadioSelect,
        # The default "invalid choice" message echoes whatever was posted.
        error_messages={
            "required": _("Choose the status right now."),
            "invalid_choice": _("Choose the status right now."),
        },
    )

    class Meta:
        model = ShelterCapacity
        fields = ["status", "women", "men", "families"]
        help_texts = {
            "women": _("Leave empty if you do not know."),
            "men": _("Leave empty if you do not know."),
            "families": _("Leave empty if you do not know."),
        }
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "max": 999, "inputmode": "numeric"})
            for name in ("women", "men", "families")
        }
