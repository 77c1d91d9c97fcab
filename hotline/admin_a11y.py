"""Accessibility fixes for Django admin's and modeltranslation's own widgets.

The admin is where editors work, so it is held to WCAG 2.1 AA like the rest of the
product. The fixes are small and additive (widget attributes, one script) so that
upgrades of Django or modeltranslation do not need template overrides merged.
"""

from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin


class AccessibleTabbedTranslationAdmin(TabbedTranslationAdmin):
    """modeltranslation's tabs and language switch, made usable by screen readers.

    static/js/admin_a11y.js labels the language switch, takes the links inside the
    language tabs out of the tab order (the tab itself is focusable and operated with
    the arrow keys, Enter and Space) and gives the filter widgets' search icons a role.
    """

    class Media:
        js = ("js/admin_a11y.js",)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose fields are labelled for assistive technology.

    The column headers of a tabular inline are not <label>s, so each field gets its
    verbose name as aria-label: without it a screen reader announces "edit text".
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            widget = formfield.widget
            # Related fields come wrapped in RelatedFieldWidgetWrapper; label the input.
            while hasattr(widget, "widget"):
                widget = widget.widget
            widget.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):  # type: ignore[valid-type,misc]
            def add_fields(self, form, index):
                super().add_fields(form, index)
                # The "Delete?" checkbox is added by the formset, not by a model field.
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", _("Delete"))

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
