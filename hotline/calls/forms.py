from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hotline.calls.models import Call, LastSite, Site, is_unmet
from services_directory.models import Language, Municipality, Service, ServiceType, Topic

# Never echo the rejected value back: it may be a phone or national identity number.
INVALID_CHOICE = _("Select one of the listed options.")
CHOICE_ERRORS = {"invalid_choice": INVALID_CHOICE, "invalid_pk_value": INVALID_CHOICE}

# Answers that may be left out while the call is open but are needed to close it. The
# unmet need has no preset: a preset "none" nobody touched would count as a met need.
REQUIRED_TO_CLOSE = ("channel", "caller_role", "outcome", "unmet_reason")

# Blank radio option per field; fields missing here offer no blank option.
BLANK_LABELS = {
    "age_group": _("Not recorded"),
    "gender": _("Not recorded"),
    "relation": _("Not recorded"),
    "adaptation": _("Not recorded"),
    "heard_via": _("Not recorded"),
}


TRUE_VALUES = frozenset({"on", "true", "1"})
FALSE_VALUES = frozenset({"", "off", "false", "0"})


class StrictCheckboxInput(forms.CheckboxInput):
    """A checkbox that hands the raw submitted value to the field, so junk can be refused."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def format_value(self, value):
        return None  # the default value "on"; never echo what was posted

    def get_context(self, name, value, attrs):
        checked = value is True or str(value).lower() in TRUE_VALUES
        return super().get_context(name, checked, attrs)


class StrictBooleanField(forms.BooleanField):
    """Django's BooleanField turns any string into True; refuse anything but a checkbox value."""

    widget = StrictCheckboxInput

    def to_python(self, value):
        if value is None or value is False:
            return False
        if value is True:
            return True
        if str(value).lower() in TRUE_VALUES:
            return True
        if str(value).lower() in FALSE_VALUES:
            return False
        raise ValidationError(_("Tick the box or leave it empty."), code="invalid")


class DescribedErrors(forms.BaseForm):
    """Each refused field points at its message (the templates give it the id
    "<field id>_error") and is marked invalid, for screen readers and for the desk's
    script, which moves the focus to the first of them."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_error"}
                )


class CallForm(DescribedErrors, forms.ModelForm):
    """The categorical answers about a call; every field is a fixed choice.

    With ``final=True`` (closing the call) channel, caller role, outcome and unmet need
    are required;
    otherwise (autosave while the call goes on) everything is optional.
    """

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Topics"),
        error_messages=CHOICE_ERRORS,
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.active().select_related("county"),
        # The four-digit number is stable across renames and easy to type into the select.
        to_field_name="number",
        required=False,
        empty_label=_("Not recorded"),
        label=_("Caller's municipality"),
        error_messages=CHOICE_ERRORS,
    )
    interpreter_language = forms.ModelChoiceField(
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("No interpreter"),
        label=_("Interpreter language"),
        error_messages=CHOICE_ERRORS,
    )
    unmet_service_type = forms.ModelChoiceField(
        queryset=ServiceType.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Not recorded"),
        label=_("Missing service type"),
        help_text=_("Only with an unmet need: the kind of service the caller needed."),
        error_messages=CHOICE_ERRORS,
    )
    acute = StrictBooleanField(required=False, label=_("Acute situation"))
    emergency_services = StrictBooleanField(
        required=False, label=_("Emergency services were involved")
    )

    class Meta:
        model = Call
        # In the panel's order: what closing needs first, then the details.
        fields = [
            "channel",
            "caller_role",
            "outcome",
            "unmet_reason",
            "unmet_service_type",
            "age_group",
            "gender",
            "topics",
            "relation",
            "municipality",
            "interpreter_language",
            "adaptation",
            "heard_via",
            "acute",
            "emergency_services",
        ]
        labels = {
            "channel": _("Channel"),
            "caller_role": _("Who is calling"),
            "age_group": _("Age group"),
            "gender": _("Gender"),
            "relation": _("Relation to the person using violence"),
            "outcome": _("Outcome"),
            "unmet_reason": _("Unmet need"),
            "adaptation": _("Adaptation used"),
            "heard_via": _("How did the caller hear of the line?"),
        }

    # No HTML "required": the browser would then block autosave and "Save" too.
    use_required_attribute = False
    # Marked in the panel, where Alt+K goes to the first of them still unanswered.
    needed_to_close = REQUIRED_TO_CLOSE

    def __init__(self, *args, final: bool = False, **kwargs):
        # Own ids: the desk page has a search form with fields of the same names.
        kwargs.setdefault("auto_id", "call_%s")
        super().__init__(*args, **kwargs)
        self.final = final
        for name, field in self.fields.items():
            field.required = final and name in REQUIRED_TO_CLOSE
            if isinstance(field, forms.TypedChoiceField):
                options = cast(list[tuple[str, Any]], field.choices)
                choices = [(value, label) for value, label in options if value != ""]
                if name in BLANK_LABELS:
                    choices.insert(0, ("", BLANK_LABELS[name]))
                field.choices = choices
                field.widget = forms.RadioSelect(choices=choices)
                field.error_messages["invalid_choice"] = INVALID_CHOICE
        # The select lists municipality numbers; the instance holds the primary key.
        if self.instance.municipality_id:
            self.initial["municipality"] = self.instance.municipality.number
        if self.instance.unmet_service_type_id:
            self.initial["unmet_service_type"] = self.instance.unmet_service_type.code
        self.fields["channel"].error_messages["required"] = _("Choose the channel.")
        self.fields["caller_role"].error_messages["required"] = _("Choose who is calling.")
        self.fields["outcome"].error_messages["required"] = _("Choose the outcome.")
        self.fields["unmet_reason"].error_messages["required"] = _(
            "Choose the unmet need, or “none” if the need was met."
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        # While the call goes on the order of taps is free; a closed call must not count
        # a missing service where no need went unmet.
        if (
            self.final
            and data.get("unmet_service_type")
            and not is_unmet(data.get("unmet_reason") or "")
        ):
            self.add_error(
                "unmet_service_type",
                ValidationError(
                    _("Choose the unmet need, or leave the missing service type empty."),
                    code="without_unmet_need",
                ),
            )
        return data


def answers_from_search(data) -> dict:
    """The answers a new call takes from the desk's search (``data``, its parameters):
    the caller's municipality, the topics and who is calling, as ``CallForm`` cleans
    them, for the operator to change. A parameter the search refuses is left out: it
    must not stop a call from starting. Nothing else of the search is kept."""
    from hotline.desk.forms import DeskSearchForm  # the desk's search, read only
    from hotline.guide.models import UNDER_16

    search = DeskSearchForm(data)
    search.is_valid()
    cleaned = search.cleaned_data
    answers: dict[str, Any] = {}
    location = cleaned.get("location")
    if location is not None and location.municipality is not None:
        answers["municipality"] = location.municipality
    if topics := cleaned.get("topic"):
        answers["topics"] = Topic.objects.filter(
            is_active=True, pk__in=[topic.pk for topic in topics]
        )
    codes = {audience.code for audience in cleaned.get("audience") or ()}
    roles = [role for role in Call.CallerRole if role in codes]
    if len(roles) == 1:  # several chips: the operator says which one is calling
        answers["caller_role"] = roles[0]
    if UNDER_16 in codes:
        answers["age_group"] = Call.AgeGroup.UNDER_16
    return answers


class StartCallForm(DescribedErrors, forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        label=_("Site"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages=CHOICE_ERRORS,
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "start_%s")
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["site"])
        field.queryset = Site.objects.filter(is_active=True, members=user)
        sites = list(field.queryset)
        self.has_sites = bool(sites)
        if not self.has_sites:
            field.required = False  # only the "ask an administrator" message applies
        # With one site there is nothing to choose: preselect it and keep it out of the way.
        self.only_site = sites[0] if len(sites) == 1 else None
        if self.only_site is not None:
            field.initial = self.only_site.pk
            field.required = False
            field.widget = forms.HiddenInput()
        else:
            field.initial = _default_site(user, sites)

    def clean_site(self):
        return self.cleaned_data["site"] or self.only_site

    def clean(self):
        cleaned_data = super().clean()
        if not self.has_sites:
            raise ValidationError(
                _(
                    "You are not attached to any helpline site. "
                    "Ask an administrator to attach you to a site."
                ),
                code="no_site",
            )
        return cleaned_data


def _default_site(user, sites: list[Site]) -> int | None:
    """The operator's last real site, else their only real one; never a training site,
    which is chosen explicitly."""
    real = [site for site in sites if not site.is_training]
    last = LastSite.objects.filter(operator=user).values_list("site_id", flat=True).first()
    if last in {site.pk for site in real}:
        return last
    return real[0].pk if len(real) == 1 else None


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(
        # Only what operators may see can be referred to.
        queryset=Service.objects.published(),
        label=_("Service"),
        error_messages=CHOICE_ERRORS,
    )


class CloseForm(forms.Form):
    # The one-time token of the call's final submit (see Call.close_token).
    token = forms.UUIDField()
