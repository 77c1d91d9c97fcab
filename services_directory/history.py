"""Change history as editors read it in the admin.

django-simple-history keeps every version of every row; its history page lists the
differences between a model's versions. Here that list leaves out what no editor changed
(a translation that was empty and still is, the version counter), shows values as the
forms do ("08:00", "yes", "–" rather than "08:00:00", "True", "None"), and, for a service,
adds the changes to its inline rows (contact channels, opening hours and locations) that
were saved with it. A confidential address's values never appear there.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper

from hotline.admin_ids import HistoryAdmin

# Bookkeeping that changes with every save: a line for it would hide the real change.
BOOKKEEPING_FIELDS = frozenset({"version", "updated_at", "uuid"})
# A confidential location's fields that would give the address away, or its place.
REVEALING_LOCATION_FIELDS = frozenset({"name", "address", "postcode", "latitude", "longitude"})
BLANK = "–"


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _translated_originals(model: type[models.Model]) -> set[str]:
    """Fields that modeltranslation shadows with per-language fields ("name" beside
    "name_nb", …): each change would show twice."""
    return {
        field.translated_field.name
        for field in model._meta.get_fields()
        if hasattr(field, "translated_field")
    }


def display_value(field: models.Field | None, value: Any) -> str:
    """A stored value as the admin's forms show it."""
    if _is_blank(value):
        return BLANK
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "d.m.Y H:i")
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.Field) else None


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """Lines for real changes only, with values as the forms show them."""

    def context_for_delta_changes(self, delta: ModelDelta) -> list[dict[str, Any]]:
        skipped = BOOKKEEPING_FIELDS | _translated_originals(self.model)
        changes = [
            change
            for change in delta.changes
            if change.field not in skipped and not (_is_blank(change.old) and _is_blank(change.new))
        ]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        field = _field(self.model, change.field)
        if isinstance(field, models.ManyToManyField):
            related = super().prepare_delta_change_value(change, value)
            return ", ".join(map(str, related)) or BLANK
        if isinstance(field, models.ForeignKey) and getattr(value, "pk", None) is None:
            # No related object (simple-history shows "Deleted user (pk=None)").
            return BLANK
        return display_value(field, value)


class ReadableHistoryAdmin(HistoryAdmin):
    """HistoryAdmin (ids checked) with the readable list: no "None" for a missing change reason
    or user, and no lines for what did not change."""

    object_history_list_template = "admin/readable_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)


@dataclasses.dataclass(frozen=True)
class InlineChange:
    """One inline row added, changed or removed with a save of its service."""

    action: str  # "Added", "Changed", "Removed", translated
    kind: str  # the row's model, e.g. "opening hours"
    label: str  # the row as it reads, e.g. "every week Monday 08:00–16:00"
    details: tuple[tuple[str, str, str], ...] = ()  # (field, old, new)


def _row_label(record) -> str:
    try:
        return str(record.instance)
    except models.ObjectDoesNotExist:  # a related row that is gone
        return gettext("(deleted)")


def _details(model, old, new) -> tuple[tuple[str, str, str], ...]:
    confidential = getattr(old, "is_confidential", False) or getattr(new, "is_confidential", False)
    lines = []
    skipped = BOOKKEEPING_FIELDS | _translated_originals(model) | {"service_id"}
    for field in model._meta.concrete_fields:
        name = field.attname
        if field.primary_key or name in skipped or field.name in skipped:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after or (_is_blank(before) and _is_blank(after)):
            continue
        if confidential and field.name in REVEALING_LOCATION_FIELDS:
            # The history page is no way round the logged "Show" of a shelter's address.
            hidden = gettext("(confidential)")
            lines.append((capfirst(field.verbose_name), hidden, hidden))
            continue
        if isinstance(field, models.ForeignKey):
            before = _related_label(old, field)
            after = _related_label(new, field)
        label = capfirst(field.verbose_name)
        lines.append((label, display_value(field, before), display_value(field, after)))
    return tuple(lines)


def _related_label(record, field: models.ForeignKey) -> str | None:
    if getattr(record, field.attname) is None:
        return None
    try:
        return str(getattr(record, field.name))
    except models.ObjectDoesNotExist:
        return gettext("(deleted)")


def attach_inline_changes(service_pk: Any, records: Sequence, inline_models: Sequence) -> None:
    """Give each of a service's history ``records`` (newest first, one page of them) an
    ``inline_changes`` list: the inline rows added, changed or removed from that record
    until the service's next one. The admin saves the service first and its inline rows
    after it, so each row's history belongs to the last service record before it."""
    if not records:
        return
    for record in records:
        record.inline_changes = []
    ordered = sorted(records, key=lambda record: record.history_date)
    starts = [record.history_date for record in ordered]
    newer = (
        type(records[0])
        .objects.filter(id=service_pk, history_date__gt=starts[-1])
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    found: list[tuple[datetime, InlineChange, Any]] = []
    for model in inline_models:
        # Every version, oldest first: a change is told against the row's version before.
        versions = model.history.filter(service_id=service_pk).order_by("history_date", "pk")
        previous: dict[Any, Any] = {}
        for version in versions:
            before = previous.get(version.id)
            previous[version.id] = version
            at = version.history_date
            if at < starts[0] or (newer is not None and at >= newer):
                continue
            change = _inline_change(model, version, before)
            if change is not None:
                owner = ordered[bisect.bisect_right(starts, at) - 1]
                found.append((at, change, owner))
    for _at, change, owner in sorted(found, key=lambda item: item[0]):
        owner.inline_changes.append(change)


def _inline_change(model, version, before) -> InlineChange | None:
    kind = str(model._meta.verbose_name)
    if version.history_type == "+":
        return InlineChange(gettext("Added"), kind, _row_label(version))
    if version.history_type == "-":
        return InlineChange(gettext("Removed"), kind, _row_label(version))
    if before is None:
        return InlineChange(gettext("Changed"), kind, _row_label(version))
    details = _details(model, before, version)
    if not details:
        return None
    return InlineChange(gettext("Changed"), kind, _row_label(version), details)


CHANGE_REASON_HELP = _(
    "Saved in the history with this change, e.g. “New number from the centre's website”. "
    "Never anything about a caller."
)
