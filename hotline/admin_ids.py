"""Admin pages answer "not found", never a 500, for an id their model cannot hold."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


def holds_id(field: models.Field, value: str) -> bool:
    """Whether ``value`` can be a value of the key ``field``: a number for a number, and
    no NUL in a text key (PostgreSQL refuses NUL in any query: a DataError)."""
    try:
        python = field.to_python(value)
    except ValidationError:
        return False
    return not (isinstance(python, str) and "\x00" in python)


class ValidIdAdmin(admin.ModelAdmin):
    """A ModelAdmin whose change, delete and history pages treat such an id as missing.
    Django's own check catches a malformed number, not a NUL in a text key."""

    def get_object(self, request, object_id, from_field=None):
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        if not holds_id(field, unquote(object_id)):
            return None
        return super().get_object(request, object_id, from_field)


class HistoryAdmin(SimpleHistoryAdmin, ValidIdAdmin):
    """SimpleHistoryAdmin with the same check on its own history pages, which hand the
    raw id to a query (``/admin/…/service/x/history/`` was a 500)."""

    def _check_ids(self, object_id: str, version_id: str | None = None) -> None:
        history_pk = self.model.history.model._meta.pk  # type: ignore[attr-defined]
        if not holds_id(self.model._meta.pk, unquote(object_id)) or (
            version_id is not None and not holds_id(history_pk, version_id)
        ):
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
