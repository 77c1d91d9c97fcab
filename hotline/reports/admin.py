from django.contrib import admin

from hotline.reports.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Read-only, and for superusers only: an audit log nobody may edit."""

    list_display = ["created_at", "user", "table", "filters"]
    list_filter = ["table"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = ["created_at", "user", "table", "filters"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
