"""The editors' workspace: the Django admin, tuned for non-technical editors."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.utils import unquote
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationStackedInline

from hotline.admin_a11y import AccessibleTabbedTranslationAdmin, LabelledTabularInline
from hotline.admin_ids import ValidIdAdmin
from hotline.audit.models import AuditEvent
from services_directory.history import (
    CHANGE_REASON_HELP,
    ReadableHistoryAdmin,
    attach_inline_changes,
)
from services_directory.models import (
    AccessibilityFeature,
    CapacityLink,
    ContactChannel,
    County,
    DirectoryCheck,
    ErrorReport,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Place,
    PlaceName,
    Postcode,
    Service,
    ServiceType,
    ShelterCapacity,
    TargetGroup,
    Topic,
)
from services_directory.models.capacity import capacity_reporting, reports_capacity
from services_directory.models.vocabulary import SERVICE_VOCABULARIES
from services_directory.validators import normalize_organization_number


class ServiceForm(forms.ModelForm):
    # The version the editor started from; a mismatch on save means someone else saved.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Kept in the history (history_change_reason, 100 characters there).
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        required=False,
        help_text=CHANGE_REASON_HELP,
    )

    class Meta:
        model = Service
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets pick the fields
        # Languages are too many for checkboxes: they get filter_horizontal below.
        widgets = {
            name: forms.CheckboxSelectMultiple
            for name in SERVICE_VOCABULARIES
            if name != "languages"
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk:
            # Lock the row until the admin's transaction ends, so two saves cannot race.
            current = (
                Service.objects.select_for_update()
                .values_list("version", flat=True)
                .get(pk=self.instance.pk)
            )
            if cleaned.get("loaded_version") != current:
                raise forms.ValidationError(
                    _(
                        "Someone else saved this service while you were editing it. "
                        "Your changes were not saved. Open the service again to see "
                        "their changes, then make yours."
                    ),
                    code="stale",
                )
        return cleaned


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    fields = [
        ("name", "is_confidential"),
        "address",
        ("postcode", "municipality"),
        ("latitude", "longitude"),
    ]
    autocomplete_fields = ["municipality"]


class ContactChannelInline(TranslationStackedInline):
    model = ContactChannel
    extra = 0
    fields = [("kind", "value", "position"), "description"]


class OpeningHoursInline(LabelledTabularInline):
    model = OpeningHours
    extra = 0
    fields = ["kind", "weekday", "valid_from", "valid_to", "opens", "closes", "channel"]
    # Hours and minutes only: the default format shows "08:00:00".
    formfield_overrides = {
        models.TimeField: {"widget": admin_widgets.AdminTimeWidget(format="%H:%M")},
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            service_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = ContactChannel.objects.filter(service_id=service_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReviewStateFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("due30", _("due within 30 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_overdue(today)
        if self.value() == "due30":
            return queryset.review_due_within(today, 30)
        return queryset


@admin.register(Service)
class ServiceAdmin(ReadableHistoryAdmin, AccessibleTabbedTranslationAdmin):
    form = ServiceForm
    inlines = [ContactChannelInline, OpeningHoursInline, LocationInline]
    list_display = [
        "name",
        "organization",
        "status",
        "is_published",
        "covers_whole_country",
        "next_review_due",
    ]
    list_filter = [
        "is_published",
        "status",
        ReviewStateFilter,
        "covers_whole_country",
        "service_types",
        "topics",
        "target_groups",
        "coverage_counties",
    ]
    search_fields = ["name", "name_nb", "name_en", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["coverage_counties", "coverage_municipalities", "languages"]
    readonly_fields = [
        "last_verified_at",
        "verified_by",
        "version",
        "capacity_link_admin",
        "confirmed_by_service_at",
        "confirmation_link_admin",
    ]
    actions = ["mark_verified", "publish", "unpublish"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "organization",
                    "description",
                    "status",
                    "is_published",
                    "web_or_chat_only",
                ]
            },
        ),
        (
            _("Who it is for"),
            {
                "fields": [
                    "service_types",
                    "topics",
                    "target_groups",
                    ("min_age", "max_age"),
                    ("free_of_charge", "anonymous_contact", "police_report_required"),
                    "fees_description",
                    "languages",
                    "accessibility",
                ]
            },
        ),
        (
            _("Coverage"),
            {
                "description": _(
                    "Who the service is for geographically: the whole country, whole "
                    "counties, and/or single municipalities (e.g. an inter-municipal "
                    "crisis centre's member municipalities)."
                ),
                "fields": ["covers_whole_country", "coverage_counties", "coverage_municipalities"],
            },
        ),
        (_("Opening hours on public holidays"), {"fields": ["holiday_policy"]}),
        (_("Free places"), {"fields": ["reports_capacity", "capacity_link_admin"]}),
        (_("For operators only"), {"fields": ["operator_note"]}),
        (
            _("Confirmation by the service"),
            {"fields": ["contact_email", "confirmed_by_service_at", "confirmation_link_admin"]},
        ),
        (
            _("Review"),
            {"fields": ["next_review_due", "last_verified_at", "verified_by", "loaded_version"]},
        ),
        (_("This change"), {"fields": ["change_reason"]}),
    ]
    # The inline rows' own history, shown with the service's (see history.py).
    history_inline_models = (ContactChannel, OpeningHours, Location)

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason") or None
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The inline rows' history records carry the editor's reason too.
        reason = form.cleaned_data.get("change_reason") or None
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if records:
            attach_inline_changes(records[0].id, records, self.history_inline_models)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # The locations inline shows confidential addresses, so each look is logged as at
        # the desk. Only a GET shows them from the database: a POST that fails shows the
        # editor's own input again, and one that saves redirects to a GET.
        if request.method == "GET" and response.status_code == 200:
            service = self.get_object(request, unquote(object_id))
            if service is not None and service.locations.filter(is_confidential=True).exists():
                AuditEvent.record(
                    AuditEvent.Kind.CONFIDENTIAL_ADDRESS_VIEWED, request, service=service
                )
        return response

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Labels mention the county; fetch it in the same query.
        if db_field.name == "coverage_municipalities":
            kwargs["queryset"] = Municipality.objects.active().select_related("county")
        if db_field.name == "coverage_counties":
            kwargs["queryset"] = County.objects.active()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("link for shelter staff"))
    def capacity_link_admin(self, obj):
        if obj is None or not obj.pk or not reports_capacity(obj):
            return _("Tick “reports free places” and save first (crisis centres need not).")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("directory:capacity_link", args=[obj.pk]),
            _("Create, replace or revoke the link for reporting free places"),
        )

    @admin.display(description=_("link for confirming the entry"))
    def confirmation_link_admin(self, obj):
        if obj is None or not obj.pk:
            return _("Save the service first.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("directory:confirmation_link", args=[obj.pk]),
            _("Send, or revoke, the service's link for confirming its entry"),
        )

    @admin.action(description=_("Mark as verified today"))
    def mark_verified(self, request, queryset):
        with transaction.atomic():
            for service in queryset.prefetch_related("service_types"):
                service.mark_verified(request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d service verified.", "%(count)d services verified.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish (back to draft)"))
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, value: bool):
        # Save one by one so history and versions are recorded.
        with transaction.atomic():
            for service in queryset:
                service.is_published = value
                service.save()


class OrganizationForm(forms.ModelForm):
    # Editors paste numbers as "974 760 673"; the model stores the 9 digits.
    organization_number = forms.CharField(
        label=_("organisation number"), max_length=20, required=False
    )

    class Meta:
        model = Organization
        fields = ["name", "organization_number", "url"]

    def clean_organization_number(self) -> str:
        value = self.cleaned_data["organization_number"]
        return normalize_organization_number(value) if value else ""


@admin.register(Organization)
class OrganizationAdmin(ReadableHistoryAdmin):
    form = OrganizationForm
    list_display = ["name", "organization_number", "url"]
    search_fields = ["name", "organization_number"]


class TermAdmin(ReadableHistoryAdmin, AccessibleTabbedTranslationAdmin):
    list_display = ["label", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["code", "label"]


admin.site.register(ServiceType, TermAdmin)
admin.site.register(Topic, TermAdmin)
admin.site.register(TargetGroup, TermAdmin)
admin.site.register(AccessibilityFeature, TermAdmin)


@admin.register(Language)
class LanguageAdmin(ValidIdAdmin):
    list_display = ["code", "name_nb", "name_en"]
    search_fields = ["code", "name_nb", "name_en"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reference data comes from load_reference_data, not from hand edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "sami_name", "county", "population", "is_active"]
    list_filter = ["county", "is_active"]
    search_fields = ["number", "name", "sami_name", "kven_name"]
    list_select_related = ["county"]

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("county"), distinct


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "is_active"]


@admin.register(Postcode)
class PostcodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "place", "municipality", "territory", "category"]
    search_fields = ["code", "place"]
    list_filter = ["territory", "category"]
    list_select_related = ["municipality__county"]


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "municipality", "population"]
    search_fields = ["name"]
    list_select_related = ["municipality__county"]


@admin.register(PlaceName)
class PlaceNameAdmin(ReadOnlyAdmin):
    list_display = ["name", "language", "place", "municipality", "source"]
    list_filter = ["language"]
    search_fields = ["name", "place"]
    list_select_related = ["municipality__county"]


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """A read-only record; operators file reports at the desk, editors resolve them on the
    dashboard, so nobody adds or edits them here."""

    list_display = ["service", "kind", "status", "reported_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["service"]
    search_fields = ["service__name"]
    date_hierarchy = "reported_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ShelterCapacity)
class ShelterCapacityAdmin(ReadableHistoryAdmin):
    """Shelter staff report through their link; editors may enter figures phoned in."""

    list_display = ["service", "status", "women", "men", "families", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["service"]
    search_fields = ["service__name"]
    fields = ["service", "status", "women", "men", "families", "updated_at"]
    readonly_fields = ["updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            kwargs["queryset"] = capacity_reporting(Service.objects.all()).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A report is as new as its last save; nobody backdates it.
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(CapacityLink)
class CapacityLinkAdmin(ReadableHistoryAdmin):
    """Who issued which shelter's link, and when. Links are made and revoked on the
    link page (the token is shown there once), never edited here."""

    list_display = ["service", "created_at", "created_by", "revoked_at", "manage"]
    list_select_related = ["service", "created_by"]
    search_fields = ["service__name"]
    fields = ["service", "created_at", "created_by", "revoked_at"]

    @admin.display(description=_("link"))
    def manage(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("directory:capacity_link", args=[obj.service_id]),
            _("Manage link"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DirectoryCheck)
class DirectoryCheckAdmin(admin.ModelAdmin):
    """Written by manage.py check_directory only."""

    list_display = ["service", "kind", "target", "ok", "problem", "status_code", "checked_at"]
    list_filter = ["ok", "kind", "problem"]
    list_select_related = ["service"]
    search_fields = ["service__name", "target"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
