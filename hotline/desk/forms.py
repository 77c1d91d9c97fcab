import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import cached_property
from html import escape as escape_html

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from hotline.guide.library import library
from hotline.guide.models import Audience
from services_directory import places
from services_directory.models.capacity import FREE_PLACE_KINDS
from services_directory.search import ByCode, SearchForm, reject_personal_numbers


class CallerRoleChoices(forms.models.ModelChoiceIterator):
    """The caller roles as choices, from the guidance library this process keeps: no
    query on every desk page."""

    field: "AudienceField"  # type: ignore[assignment]

    def __iter__(self):
        for audience in self.field.roles:
            yield (audience.code, str(audience))

    def __len__(self) -> int:
        return len(self.field.roles)


class AudienceField(ByCode, forms.ModelMultipleChoiceField):
    """Caller roles by code, e.g. ``audience=utsatt&audience=under_16``, checked
    against the roles the form hands it (``hotline.guide.library``)."""

    widget = forms.CheckboxSelectMultiple
    iterator = CallerRoleChoices
    roles: tuple[Audience, ...] = ()

    def by_code(self) -> dict[str, Audience]:
        return {audience.code: audience for audience in self.roles}


# "24.12 03:00", "24.12.2026 03:00", "i morgen 08:00", "08:00", or ISO 8601
# ("2026-12-24T03:00", as links and the staff API write it).
NORWEGIAN_MOMENT = re.compile(
    r"(?:(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.?(?P<year>\d{4})?|(?P<word>[^\d]+?))?"
    r"\s*(?:kl\.?\s*)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
)
# Days named relative to TODAY, not to any time already chosen.
DAY_WORDS = {"i dag": 0, "idag": 0, "today": 0, "i morgen": 1, "imorgen": 1, "tomorrow": 1}


class NorwegianMomentField(forms.DateTimeField):
    """A moment typed the Norwegian way, whatever the browser's locale (a
    ``datetime-local`` input shows mm/dd/yyyy in an American browser). A date without
    a year that has passed means next year's."""

    default_error_messages = {
        "invalid": _("Write the time as 24.12 03:00, 24.12.2026 03:00 or i morgen 08:00."),
    }

    def to_python(self, value) -> datetime | None:
        text = " ".join(str(value or "").split()).lower()
        if not text:
            return None
        try:
            moment = self._wall_clock(text)
            return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        except (ValueError, OverflowError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def _wall_clock(self, text: str) -> datetime:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        match = NORWEGIAN_MOMENT.fullmatch(text)
        if match is None:
            raise ValueError(text)
        clock = time(int(match["hour"]), int(match["minute"]))
        today = timezone.localdate()
        if match["word"] is not None:
            if match["word"].strip() not in DAY_WORDS:
                raise ValueError(text)
            return datetime.combine(today + timedelta(DAY_WORDS[match["word"].strip()]), clock)
        if match["day"] is None:
            return datetime.combine(today, clock)
        day, month = int(match["day"]), int(match["month"])
        if match["year"]:
            return datetime.combine(date(int(match["year"]), month, day), clock)
        moment = datetime.combine(date(today.year, month, day), clock)
        if moment.date() < today:
            moment = datetime.combine(date(today.year + 1, month, day), clock)
        return moment


class DeskSearchForm(SearchForm):
    """The API's parameters plus one free "where" box for municipality, postcode or place."""

    # Chips and options written here in one go: the widgets' templates (one render per
    # option), and even a template loop over 74 options, were most of the page's time.
    CHIP_FIELDS = ("topic", "audience", "group", "type", "accessibility")

    where = forms.CharField(
        label=_("Where does the caller live?"),
        help_text=_("Municipality, postcode or place. Sámi names work too."),
        max_length=100,
        required=False,
        validators=[reject_personal_numbers],
    )

    # "Ledig plass nå": only shelters whose current report offers a place (of a kind).
    free = forms.TypedChoiceField(
        label=_("Free place now"),
        choices=[("1", _("yes")), ("0", _("no"))],
        coerce=lambda value: value == "1",
        empty_value=False,  # type: ignore[arg-type]
        required=False,
    )
    free_for = forms.ChoiceField(
        label=_("Free place for"),
        choices=[("", _("anyone")), *FREE_PLACE_KINDS],
        required=False,
    )

    # Who is calling: only picks guidance articles beside the results, never filters
    # the services, and like the rest of the search is neither stored nor logged.
    audience = AudienceField(
        queryset=Audience.objects.all(),
        to_field_name="code",
        label=_("Who is calling"),
        help_text=_(
            "Shows guidance for the caller beside the results; the services stay the same."
        ),
        required=False,
    )

    at = NorwegianMomentField(
        label=_("Open at"),
        required=False,
        help_text=_("Empty: now. E.g. 24.12 03:00."),
    )

    field_order = ["where", "at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        audience = self.fields["audience"]
        audience.roles = library(self.index.guide_token).roles  # type: ignore[attr-defined]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("free") or data.get("free_for"):
            now = timezone.now()
            kind = data.get("free_for") or ""
            data["only_ids"] = {
                pk
                for pk, report in self.index.feedback.capacity.items()
                if report.for_desk(now).has_free_place(kind)
            }
        where = data.get("where")
        self.ambiguous: list[str] = []
        if where and data.get("location") is None and not self.has_error("where"):
            try:
                data["location"] = places.resolve(where)
            except ValidationError as error:
                if error.code == "ambiguous":
                    self.ambiguous = [entry.value for entry in places.suggest(where, 12)]
                self.add_error("where", error)
        return data

    def _choices(self, name: str) -> Iterator[tuple[str, str, str, bool]]:
        """(id, value, label, chosen) of the field's choices for this search, escaped."""
        bound = self[name]
        value = bound.value()
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value or "")}
        prefix = bound.auto_id  # a property: worked out once, not once a choice
        # html's escape, as Django's does it, without the lazy-string wrapper (some 90
        # choices a page, twice each).
        for n, (code, label) in enumerate(bound.field.choices):  # type: ignore[attr-defined]
            code = str(code)
            yield f"{prefix}_{n}", escape_html(code), escape_html(str(label)), code in chosen

    @cached_property
    def chips(self) -> dict[str, SafeString]:
        """Each of CHIP_FIELDS as its checkbox chips."""
        return {
            name: mark_safe(  # noqa: S308 - every value is escaped by _choices
                "".join(
                    f'<label class="chip"><input type="checkbox" name="{name}" value="{value}" '
                    f'id="{id_}"{" checked" if chosen else ""}> <span>{label}</span></label>'
                    for id_, value, label, chosen in self._choices(name)
                )
            )
            for name in self.CHIP_FIELDS
        }

    @cached_property
    def options(self) -> dict[str, SafeString]:
        """The ``<option>`` elements of the desk's two selects, language and free_for."""
        return {
            name: mark_safe(  # noqa: S308 - every value is escaped by _choices
                "".join(
                    f'<option value="{value}"{" selected" if chosen else ""}>{label}</option>'
                    for _id, value, label, chosen in self._choices(name)
                )
            )
            for name in ("language", "free_for")
        }


class PlaceSuggestForm(forms.Form):
    where = forms.CharField(max_length=100, required=False, validators=[reject_personal_numbers])
