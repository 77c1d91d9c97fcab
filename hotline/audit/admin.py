from django.contrib import admin

from hotline.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, and for admins (superusers) only: nobody edits or deletes the log."""

    list_display = ["created_at", "kind", "actor", "subject", "service", "ip_address"]
    list_filter = ["kind"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "subject", "service"]
    readonly_fields = ["created_at", "kind", "actor", "subject", "service", "ip_address", "details"]
    actions = None

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
