"""Forms for the directory's own views (the admin's forms live in admin.py)."""

from collections.abc import Sequence
from typing import cast

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


def _municipality_choices():
    from services_directory.models import Municipality

    municipalities = Municipality.objects.active().select_related("county").order_by("name")
    return [("", "–"), *((m.number, m.label) for m in municipalities)]


class HoursField(forms.CharField):
    """One day's hours as text ("08:00–16:00, 18:00–22:00"); empty is closed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_python(self, value):
        from services_directory.self_confirmation import parse_spans

        return parse_spans(super().to_python(value) or "")

    def prepare_value(self, value):
        from services_directory.self_confirmation import spans_text

        return spans_text(value) if isinstance(value, list) else value


class PhonesField(forms.CharField):
    """Phone numbers, one a line, each checked and stored as the admin stores them."""

    widget = forms.Textarea(attrs={"rows": 3, "inputmode": "tel", "autocomplete": "off"})
    MAX = 6

    def to_python(self, value):
        from django.core.exceptions import ValidationError

        from services_directory.validators import normalize_phone

        lines = [line.strip() for line in (super().to_python(value) or "").splitlines()]
        numbers = []
        for line in filter(None, lines):
            try:
                numbers.append(normalize_phone(line))
            except ValidationError as error:
                raise ValidationError(
                    _("“%(number)s”: %(problem)s")
                    % {"number": line, "problem": " ".join(error.messages)},
                    code="phone",
                ) from None
        if len(numbers) > self.MAX:
            raise ValidationError(_("At most %(max)d numbers.") % {"max": self.MAX})
        return list(dict.fromkeys(numbers))

    def prepare_value(self, value):
        from services_directory.self_confirmation import _phone

        return "\n".join(_phone(n) for n in value) if isinstance(value, list) else value


class ProposalForm(forms.Form):
    """What a service may change of its public entry, field by field (issue 24). Hours
    are a weekly grid of one text box a day, plus the rule for public holidays."""

    name_nb = forms.CharField(label=_("Name (bokmål)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description_nb = forms.CharField(
        label=_("Description (bokmål)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    phones = PhonesField(
        label=_("Phone numbers"),
        required=False,
        help_text=_("One number per line, the main number first."),
    )
    address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        help_text=_(
            "The public address only. A confidential address is changed only by the "
            "helpline's editors: phone them."
        ),
    )
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("A postcode is four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    municipality = forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        error_messages={"invalid_choice": _("Unknown municipality. Choose one from the list.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown language. Choose from the list.")},
    )
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibility"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Unknown accessibility feature. Choose from the list.")
        },
    )
    hours_0 = HoursField(label=_("Monday"))
    hours_1 = HoursField(label=_("Tuesday"))
    hours_2 = HoursField(label=_("Wednesday"))
    hours_3 = HoursField(label=_("Thursday"))
    hours_4 = HoursField(label=_("Friday"))
    hours_5 = HoursField(label=_("Saturday"))
    hours_6 = HoursField(label=_("Sunday"))
    holiday_policy = forms.ChoiceField(
        label=_("On public holidays"),
        widget=forms.RadioSelect,
        choices=[
            ("normal", _("the same hours as on that weekday")),
            ("closed", _("closed")),
            ("own", _("own holiday hours")),
        ],
        error_messages={
            "required": _("Choose what applies on public holidays."),
            "invalid_choice": _("Choose what applies on public holidays."),
        },
    )
    holiday_hours = HoursField(label=_("Holiday hours"))

    HOURS_FIELDS = [f"hours_{day}" for day in range(7)]

    def __init__(self, *args, **kwargs):
        from services_directory.models import AccessibilityFeature, Language

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["municipality"]).choices = _municipality_choices()
        cast(forms.ChoiceField, self.fields["languages"]).choices = [
            (lang.code, lang.label) for lang in Language.objects.all()
        ]
        cast(forms.ChoiceField, self.fields["accessibility"]).choices = [
            (f.code, f.label) for f in AccessibilityFeature.objects.filter(is_active=True)
        ]

    @classmethod
    def initial_from(cls, entry: dict) -> dict:
        initial = {key: value for key, value in entry.items() if key != "hours"}
        for day, spans in enumerate(entry["hours"]):
            initial[f"hours_{day}"] = spans
        return initial

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("address") and not cleaned.get("municipality"):
            self.add_error("municipality", _("Choose the municipality of the address."))
        if cleaned.get("holiday_policy") == "own" and not cleaned.get("holiday_hours"):
            self.add_error("holiday_hours", _("Give the holiday hours, or choose another rule."))
        return cleaned

    def entry(self) -> dict:
        """The cleaned form in the shape of ``self_confirmation.public_entry``."""
        data = dict(self.cleaned_data)
        entry = {
            key: data[key]
            for key in (
                "name_nb",
                "name_en",
                "description_nb",
                "description_en",
                "phones",
                "address",
                "postcode",
                "municipality",
                "holiday_policy",
            )
        }
        entry["languages"] = sorted(data["languages"])
        entry["accessibility"] = sorted(data["accessibility"])
        entry["hours"] = [data[name] for name in self.HOURS_FIELDS]
        # Holiday hours count only under the rule that uses them.
        entry["holiday_hours"] = data["holiday_hours"] if data["holiday_policy"] == "own" else []
        return entry


class ReviewProposalForm(ProposalForm):
    """The editor's form: the proposal as it will be saved, which parts to accept, and
    the version of the entry the editor saw (optimistic locking, as in the admin)."""

    accept = forms.MultipleChoiceField(
        label=_("Accept these parts"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one part to accept, or reject the proposal."),
            "invalid_choice": _("Tick only the parts listed."),
        },
    )
    loaded_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, groups: Sequence[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["accept"]).choices = list(groups)


class RejectProposalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        help_text=_("Kept with the proposal for the other editors."),
        max_length=500,
        error_messages={"required": _("Give a reason for rejecting the proposal.")},
    )
