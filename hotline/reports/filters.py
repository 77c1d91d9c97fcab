"""The report filters: a quarter (of whole weeks), site, channel and county.

They filter the report summary (CallStat), whose rows are keyed by exactly these. The
filter state lives in the URL (GET), so every view of a report can be bookmarked and
shared. Bad values give the form errors that the views turn into a 400.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.calls.models import Call, Site
from hotline.reports.models import CallStat
from hotline.reports.periods import Quarter
from services_directory.models import County

# The date range the reports took before they showed whole quarters only: refused by
# name, so an old bookmark says why instead of silently showing another period.
RETIRED = ("start", "end")


def quarter_choices() -> list[tuple[str, str]]:
    """Every complete quarter since 2000, newest first; computed on every request."""
    return [(quarter.slug, quarter.label) for quarter in Quarter.complete()]


class ReportFilterForm(forms.Form):
    def clean(self):
        super().clean()
        data = self.cleaned_data
        retired = [name for name in RETIRED if self.data.get(name)]
        if retired:
            self.add_error(
                "period",
                _(
                    "Reports show whole quarters only, not from and to dates (%(fields)s): "
                    "choose a quarter."
                )
                % {"fields": ", ".join(retired)},
            )
            return data
        if self.has_error("period"):
            return data
        slug = data.get("period")
        data["quarter"] = Quarter.parse(slug) if slug else Quarter.latest_complete()
        return data


class ReportFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(
        label=_("Quarter"), choices=quarter_choices, empty_label=None, method="by_period"
    )
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
        # The quarter (the latest complete one by default) acts in filter_queryset.
        return queryset

    def by_site(self, queryset, name, value):
        return queryset.filter(site=value.pk)

    def by_county(self, queryset, name, value):
        return queryset.filter(county=value.pk)

    def filter_queryset(self, queryset):
        quarter: Quarter = self.form.cleaned_data["quarter"]
        queryset = queryset.filter(week__gte=quarter.first, week__lte=quarter.last)
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        # Which level of the summary to read is up to each table (Selection.of_breakdown).
        return queryset

    @property
    def all_sites_and_channels(self) -> bool:
        data = self.form.cleaned_data
        return not data.get("site") and not data.get("channel")

    @property
    def quarter(self) -> Quarter:
        return self.form.cleaned_data["quarter"]

    def logged_values(self) -> dict:
        """The cleaned filters as plain JSON, for the export log."""
        data = self.form.cleaned_data
        return {
            "period": self.quarter.slug,
            **self.quarter.as_filters(),
            "site": data["site"].pk if data.get("site") else None,
            "channel": data.get("channel") or None,
            "county": data["county"].number if data.get("county") else None,
        }
