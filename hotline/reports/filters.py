"""The report filters: date range (snapped to whole weeks), site, channel and county.

They filter the report summary (CallStat), whose rows are keyed by exactly these. The
filter state lives in the URL (GET), so every view of a report can be bookmarked and
shared. Bad values give the form errors that the views turn into a 400.
"""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.calls.models import Call, Site
from hotline.reports.models import CallStat
from hotline.reports.periods import (
    DEFAULT_WEEKS,
    EARLIEST,
    MAX_DAYS,
    Period,
    last_complete_sunday,
)
from services_directory.models import County


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # A date input takes ISO dates only, whatever the interface language.
        super().__init__(attrs, format="%Y-%m-%d")


class ReportFilterForm(forms.Form):
    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if self.has_error("start") or self.has_error("end"):
            return data
        last_sunday = last_complete_sunday()
        if start is not None and start < EARLIEST:
            self.add_error("start", _("Choose a date in 2000 or later."))
            return data
        if start is not None and start > last_sunday:
            self.add_error(
                "start",
                _("Reports cover complete weeks only: choose a start before the current week."),
            )
            return data
        clamped = end is not None and end > last_sunday
        end = min(end, last_sunday) if end is not None else last_sunday
        if start is None:
            start = end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
        if end < start:
            self.add_error("end", _("The end date is before the start date."))
            return data
        if (end - start).days > MAX_DAYS:
            self.add_error("end", _("Choose a range of at most ten years."))
            return data
        data["period"] = Period.snap(start, end, clamped=clamped)
        return data


class ReportFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(label=_("From"), method="by_period", widget=DateInput)
    end = django_filters.DateFilter(label=_("To"), method="by_period", widget=DateInput)
    site = django_filters.ModelChoiceFilter(
        label=_("Helpline site"),
        # Training sites have nothing in the reports to filter by.
        queryset=Site.objects.filter(is_training=False),
        empty_label=_("All sites"),
        method="by_site",
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Call.Channel.choices, empty_label=_("All channels")
    )
    county = django_filters.ModelChoiceFilter(
        label=_("County"),
        queryset=County.objects.all(),
        to_field_name="number",
        empty_label=_("All of Norway"),
        method="by_county",
    )

    class Meta:
        model = CallStat
        fields: list[str] = []
        form = ReportFilterForm

    def by_period(self, queryset, name, value):
        # Both dates act together, through the snapped period: see filter_queryset.
        return queryset

    def by_site(self, queryset, name, value):
        return queryset.filter(site=value.pk)

    def by_county(self, queryset, name, value):
        return queryset.filter(county=value.pk)

    def filter_queryset(self, queryset):
        period: Period = self.form.cleaned_data["period"]
        queryset = queryset.filter(week__gte=period.first, week__lte=period.last)
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        # Which level of the summary to read is up to each table (Selection.of_breakdown).
        return queryset

    @property
    def all_sites_and_channels(self) -> bool:
        data = self.form.cleaned_data
        return not data.get("site") and not data.get("channel")

    @property
    def period(self) -> Period:
        return self.form.cleaned_data["period"]

    def logged_values(self) -> dict:
        """The cleaned filters as plain JSON, for the export log."""
        data = self.form.cleaned_data
        return {
            "start": data["start"].isoformat() if data.get("start") else None,
            "end": data["end"].isoformat() if data.get("end") else None,
            **self.period.as_filters(),
            "site": data["site"].pk if data.get("site") else None,
            "channel": data.get("channel") or None,
            "county": data["county"].number if data.get("county") else None,
        }
