"""The audit page's filters, from the URL: event kind, a date range, and a page number."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.audit.models import AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data


class AuditFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Event"), choices=AuditEvent.Kind.choices, empty_label=_("All events")
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "since", "until"]
        form = AuditFilterForm

    def filter_queryset(self, queryset):
        # The form's "page" is for the paginator, not a filter.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset
