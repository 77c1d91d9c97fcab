from django.contrib import admin

from hotline.admin_a11y import AccessibleTabbedTranslationAdmin
from hotline.admin_ids import HistoryAdmin
from hotline.guide.models import Article


@admin.register(Article)
class ArticleAdmin(HistoryAdmin, AccessibleTabbedTranslationAdmin):
    list_display = ["title", "owner", "review_due", "is_published", "updated_at"]
    list_filter = ["is_published", "topics", "audiences"]
    search_fields = ["title", "summary", "body"]
    filter_horizontal = ["topics"]
    list_select_related = ["owner"]

    def get_changeform_initial_data(self, request):
        # Whoever writes an article owns it until they hand it on.
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            from django.contrib.auth import get_user_model
            from django.db.models import Q

            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(Q(groups__name="editor") | Q(is_superuser=True), is_active=True)
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        from django import forms

        if db_field.name == "audiences":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)
