from django.contrib import admin

from hotline.calls.models import Site

# Call is deliberately not registered: nobody browses individual calls, only statistics.


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "is_active", "is_training"]
    list_filter = ["is_active", "is_training"]
    search_fields = ["name"]
    list_select_related = ["municipality"]
    filter_horizontal = ["members"]
