"""Forms for the directory's own views (the admin's forms live in admin.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from services_directory.models import ErrorReport


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
