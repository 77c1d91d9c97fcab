"""Services confirm or correct their own entry (issue 24): what the service sees, what
it may propose, and how an editor's decision reaches the directory.

A write here spans the service, its channels, hours, location, languages and
accessibility, so it lives in this module rather than on one model. Every accepted
change is a normal save: history with ``PROPOSED_REASON``, the version check the
admin's form makes (optimistic locking), and the database triggers that bring the desk's
search index and the public outputs up to date.

The "entry" is a plain dict in one shape, ``public_entry``: what the public sees and
nothing else. A confidential address has no place in it.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.audit.models import AuditEvent
from services_directory import hours
from services_directory.models import (
    AccessibilityFeature,
    ConfirmationLink,
    ContactChannel,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Service,
    ServiceProposal,
)
from services_directory.models.directory import add_months, span_label
from services_directory.validators import format_phone

logger = logging.getLogger(__name__)

# The history's reasons, as the HSDS importer's ("HSDS import"): constants, in English.
PROPOSED_REASON = "Proposed by the service"
CONFIRMED_REASON = "Confirmed by the service"

# What a proposal can change, in groups an editor accepts or leaves one by one.
GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("name_nb", "name_en"),
    "description": ("description_nb", "description_en"),
    "phones": ("phones",),
    "address": ("address", "postcode", "municipality"),
    "languages": ("languages",),
    "accessibility": ("accessibility",),
    "hours": ("hours", "holiday_policy", "holiday_hours"),
}
GROUP_LABELS = {
    "name": _("Name"),
    "description": _("Description"),
    "phones": _("Phone numbers"),
    "address": _("Address"),
    "languages": _("Languages"),
    "accessibility": _("Accessibility"),
    "hours": _("Opening hours"),
}
WEEKDAYS = [label for _number, label in OpeningHours.WEEKDAYS]
MAIL_LANGUAGES = ("nb", "en")
LINK_TEMPLATE = "confirm/link_mail.txt"
REMINDER_TEMPLATE = "confirm/reminder_mail.txt"

Spans = list[list[str]]  # [["08:00", "16:00"], ...]: one day's spans, as stored in JSON


class StaleEntry(Exception):
    """Someone saved the service after the editor opened the proposal."""


# Hours as text: "08:00–16:00, 18:00–22:00"; empty is closed; "00:00–00:00" all day.

_SPAN = re.compile(r"^(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})$")
ALL_DAY_WORDS = frozenset({"døgnåpent", "hele døgnet", "open 24 hours", "24 hours", "24t", "24h"})
CLOSED_WORDS = frozenset({"stengt", "closed", "-", "–"})


def parse_spans(text: str) -> Spans:
    """One day's spans from what a service typed; ValidationError names the format."""
    text = " ".join(text.split()).casefold()
    if not text or text in CLOSED_WORDS:
        return []
    if text in ALL_DAY_WORDS:
        return [["00:00", "00:00"]]
    spans = []
    for part in text.split(","):
        match = _SPAN.match(part.strip())
        if match is None:
            raise ValidationError(
                _(
                    "Write the hours as 08:00–16:00 (several separated by commas), "
                    "or leave the day empty if closed."
                ),
                code="hours",
            )
        oh, om, ch, cm = (int(g) for g in match.groups())
        try:
            opens, closes = time(oh, om), time(ch, cm)
        except ValueError:
            raise ValidationError(
                _("%(text)s is not a time of day.") % {"text": part.strip()}, code="hours"
            ) from None
        spans.append([f"{opens:%H:%M}", f"{closes:%H:%M}"])
    return sorted(spans)


def spans_text(spans: Spans) -> str:
    """The day's spans as the form and the page show them; "" for closed."""
    return ", ".join(span_label(_span(pair)) for pair in spans)


def _span(pair: list[str]) -> hours.Span:
    return hours.Span(time.fromisoformat(pair[0]), time.fromisoformat(pair[1]))


# The entry as the public sees it


def public_entry(service: Service) -> dict[str, Any]:
    """What the public outputs show of ``service``, in the one shape proposals use."""
    rows = [row for row in service.opening_hours.all() if row.channel_id is None]
    weekly: list[Spans] = [[] for _day in range(7)]
    holiday: Spans = []
    for row in rows:
        if row.opens is None or row.closes is None:
            continue
        pair = [f"{row.opens:%H:%M}", f"{row.closes:%H:%M}"]
        if row.kind == OpeningHours.Kind.WEEKLY and row.weekday is not None:
            weekly[row.weekday].append(pair)
        elif row.kind == OpeningHours.Kind.HOLIDAY:
            holiday.append(pair)
    public = service.public_locations()
    location = public[0] if public else None
    phones = sorted(
        (c for c in service.channels.all() if c.kind == ContactChannel.Kind.PHONE),
        key=lambda c: (c.position, c.pk),
    )
    return {
        "name_nb": getattr(service, "name_nb", None) or "",
        "name_en": getattr(service, "name_en", None) or "",
        "description_nb": getattr(service, "description_nb", None) or "",
        "description_en": getattr(service, "description_en", None) or "",
        "phones": [c.value for c in phones],
        "address": location.address if location else "",
        "postcode": location.postcode if location else "",
        "municipality": location.municipality.number if location else "",
        "languages": sorted(lang.code for lang in service.languages.all()),
        "accessibility": sorted(f.code for f in service.accessibility.all()),
        "hours": [sorted(day) for day in weekly],
        "holiday_policy": service.holiday_policy,
        "holiday_hours": sorted(holiday),
    }


def entry_service(pk: int) -> Service:
    """The service with everything ``public_entry`` reads, in a few queries."""
    return (
        Service.objects.select_related("organization")
        .prefetch_related("channels", "opening_hours", "locations__municipality", "languages")
        .prefetch_related("accessibility")
        .get(pk=pk)
    )


def changed_groups(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [
        group
        for group, keys in GROUPS.items()
        if any(key in after and after[key] != before.get(key) for key in keys)
    ]


def only_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The groups of ``after`` that differ from ``before``, each group whole."""
    return {key: after[key] for group in changed_groups(before, after) for key in GROUPS[group]}


# How an entry reads (page, diff, e-mail)


def display(entry: dict[str, Any]) -> dict[str, list[str]]:
    """Each group of ``entry`` as lines of text, in the active language."""
    languages = {lang.code: lang.label for lang in Language.objects.all()}
    features = {f.code: f.label for f in AccessibilityFeature.objects.all()}
    municipality = (
        Municipality.objects.filter(number=entry["municipality"]).first()
        if entry.get("municipality")
        else None
    )
    hours_lines = [
        f"{capfirst(label)}: {spans_text(day) or gettext('closed')}"
        for label, day in zip(WEEKDAYS, entry["hours"], strict=True)
    ]
    policy = entry["holiday_policy"]
    if policy == hours.HolidayPolicy.CLOSED:
        hours_lines.append(gettext("Public holidays: closed"))
    elif policy == hours.HolidayPolicy.OWN_HOURS:
        hours_lines.append(
            gettext("Public holidays: %(hours)s") % {"hours": spans_text(entry["holiday_hours"])}
        )
    else:
        hours_lines.append(gettext("Public holidays: as on the same weekday"))
    address = " ".join(
        part
        for part in (
            entry["address"],
            entry["postcode"],
            municipality.label if municipality else entry.get("municipality", ""),
        )
        if part
    )
    return {
        "name": [
            f"{gettext('Bokmål')}: {entry['name_nb']}",
            f"{gettext('English')}: {entry['name_en'] or '–'}",
        ],
        "description": [
            f"{gettext('Bokmål')}: {entry['description_nb'] or '–'}",
            f"{gettext('English')}: {entry['description_en'] or '–'}",
        ],
        "phones": [_phone(number) for number in entry["phones"]],
        "address": [address] if address else [],
        "languages": [languages.get(code, code) for code in entry["languages"]],
        "accessibility": [features.get(code, code) for code in entry["accessibility"]],
        "hours": hours_lines,
    }


def _phone(number: str) -> str:
    try:
        return format_phone(number)
    except ValidationError:
        return number


def diff_rows(current: dict[str, Any], proposed: dict[str, Any]) -> list[dict[str, Any]]:
    """Side by side, the groups a proposal changes: now, and as proposed."""
    merged = {**current, **proposed}
    now, then = display(current), display(merged)
    return [
        {"group": group, "label": GROUP_LABELS[group], "now": now[group], "proposed": then[group]}
        for group in changed_groups(current, merged)
    ]


# The service's answers


def confirm(link: ConfirmationLink) -> date:
    """ "All correct": record the confirmation, move the next review, audit it. Returns
    the new review date."""
    service = link.service
    now = timezone.now()
    with transaction.atomic():
        service.confirmed_by_service_at = now
        next_review = add_months(timezone.localdate(now), service.review_interval_months())
        service.next_review_due = next_review
        service._change_reason = CONFIRMED_REASON  # type: ignore[attr-defined]
        service.save(
            update_fields=["confirmed_by_service_at", "next_review_due", "version", "updated_at"]
        )
        link.mark_answered()
        AuditEvent.record(AuditEvent.Kind.SERVICE_CONFIRMED, service=service)
    return next_review


def propose(
    link: ConfirmationLink, seen: dict[str, Any], proposed: dict[str, Any]
) -> ServiceProposal:
    """Queue what the service changed for an editor. ValidationError when nothing
    changed or a proposal is already waiting; nothing is applied either way."""
    changes = only_changes(seen, proposed)
    if not changes:
        raise ValidationError(
            _("You changed nothing. If everything is correct, choose “All correct”."),
            code="unchanged",
        )
    try:
        with transaction.atomic():
            if ServiceProposal.objects.pending().filter(service=link.service).exists():
                raise ValidationError(PENDING_MESSAGE, code="pending")
            proposal = ServiceProposal.objects.create(
                service=link.service, changes=changes, seen=seen
            )
            link.mark_answered()
            AuditEvent.record(
                AuditEvent.Kind.PROPOSAL_RECEIVED,
                service=link.service,
                details={"fields": changed_groups(seen, proposed)},
            )
    except IntegrityError:  # two submissions at once: the constraint keeps one
        raise ValidationError(PENDING_MESSAGE, code="pending") from None
    return proposal


PENDING_MESSAGE = _(
    "Your earlier proposal is still waiting for an editor. You can propose more changes "
    "when it has been handled."
)


# An editor's decision


def accept(
    proposal: ServiceProposal,
    entry: dict[str, Any],
    groups: Iterable[str],
    editor,
    loaded_version: int | None,
    request: HttpRequest | None = None,
) -> None:
    """Apply ``groups`` of ``entry`` (the proposal as the editor left it) to the service
    through the normal save. StaleEntry when the service changed since the editor
    opened the proposal; ValidationError when the proposal was decided meanwhile."""
    groups = [g for g in GROUPS if g in set(groups)]
    with transaction.atomic():
        current = _lock_pending(proposal)
        service = Service.objects.select_for_update().get(pk=proposal.service_id)
        if loaded_version != service.version:
            raise StaleEntry
        service = entry_service(service.pk)
        _apply(service, entry, groups, editor)
        proposal.status = (
            ServiceProposal.Status.ACCEPTED
            if set(groups) >= set(changed_groups(current.seen, {**current.seen, **current.changes}))
            else ServiceProposal.Status.PARTLY_ACCEPTED
        )
        _decide(proposal, editor, accepted_fields=groups)
        AuditEvent.record(
            AuditEvent.Kind.PROPOSAL_DECIDED,
            request,
            actor=editor,
            service=service,
            details={"status": proposal.status, "fields": groups},
        )


def reject(
    proposal: ServiceProposal, reason: str, editor, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        _lock_pending(proposal)
        proposal.status = ServiceProposal.Status.REJECTED
        proposal.reject_reason = reason
        _decide(proposal, editor)
        AuditEvent.record(
            AuditEvent.Kind.PROPOSAL_DECIDED,
            request,
            actor=editor,
            service=proposal.service,
            details={"status": proposal.status},
        )


def _lock_pending(proposal: ServiceProposal) -> ServiceProposal:
    current = ServiceProposal.objects.select_for_update().get(pk=proposal.pk)
    if current.status != ServiceProposal.Status.PENDING:
        raise ValidationError(
            _("Another editor has already decided on this proposal."), code="decided"
        )
    return current


def _decide(proposal: ServiceProposal, editor, accepted_fields: list[str] | None = None) -> None:
    proposal.decided_at = timezone.now()
    proposal.decided_by = editor
    proposal.accepted_fields = accepted_fields or []
    proposal.save(
        update_fields=["status", "decided_at", "decided_by", "accepted_fields", "reject_reason"]
    )


def _apply(service: Service, entry: dict[str, Any], groups: list[str], editor) -> None:
    def tag(row) -> None:
        # The reason and the editor on every history row this decision writes.
        row._change_reason = PROPOSED_REASON
        row._history_user = editor

    if "name" in groups or "description" in groups:
        for key in ("name_nb", "name_en", "description_nb", "description_en"):
            if any(key in GROUPS[g] for g in groups):
                setattr(service, key, entry[key])
    if "hours" in groups:
        service.holiday_policy = entry["holiday_policy"]
    tag(service)
    service.full_clean(exclude=["organization"])
    service.save()
    if "phones" in groups:
        _apply_phones(service, entry["phones"], tag)
    if "address" in groups:
        _apply_address(service, entry, tag)
    if "languages" in groups:
        service.languages.set(Language.objects.filter(code__in=entry["languages"]))
    if "accessibility" in groups:
        service.accessibility.set(
            AccessibilityFeature.objects.filter(code__in=entry["accessibility"])
        )
    if "hours" in groups:
        _apply_hours(service, entry, tag)


def _apply_phones(service: Service, numbers: list[str], tag: Callable) -> None:
    """Phone channels in the proposed order: existing rows keep their descriptions and
    their own hours; the rest are added or removed."""
    channels = sorted(
        (c for c in service.channels.all() if c.kind == ContactChannel.Kind.PHONE),
        key=lambda c: (c.position, c.pk),
    )
    for position, number in enumerate(numbers):
        if position < len(channels):
            channel = channels[position]
            if channel.value == number:
                continue
            channel.value = number
        else:
            channel = ContactChannel(
                service=service, kind=ContactChannel.Kind.PHONE, value=number, position=position
            )
        channel.full_clean()
        tag(channel)
        channel.save()
    for channel in channels[len(numbers) :]:
        tag(channel)
        channel.delete()


def _apply_address(service: Service, entry: dict[str, Any], tag: Callable) -> None:
    """The first public location only: a confidential one is the editors' alone."""
    public = service.public_locations()
    location = public[0] if public else None
    if not entry["address"] and not entry["municipality"]:
        if location is not None:
            tag(location)
            location.delete()
        return
    municipality = Municipality.objects.active().get(number=entry["municipality"])
    if location is None:
        location = Location(service=service, municipality=municipality)
    moved = location.address != entry["address"] or location.municipality_id != municipality.pk
    location.address, location.postcode = entry["address"], entry["postcode"]
    location.municipality = municipality
    if moved:
        # Coordinates of the old address would be wrong; until an editor places the new
        # one, it is measured from its municipality, as a location without them is.
        location.latitude = location.longitude = None
    location.full_clean()
    tag(location)
    location.save()


def _apply_hours(service: Service, entry: dict[str, Any], tag: Callable) -> None:
    """The service's own weekly and holiday rows; dated exceptions and a channel's own
    hours stay as the editors set them."""
    for row in service.opening_hours.filter(
        channel__isnull=True, kind__in=[OpeningHours.Kind.WEEKLY, OpeningHours.Kind.HOLIDAY]
    ):
        tag(row)
        row.delete()
    rows = [
        OpeningHours(
            service=service,
            kind=OpeningHours.Kind.WEEKLY,
            weekday=day,
            opens=_span(p).opens,
            closes=_span(p).closes,
        )
        for day, spans in enumerate(entry["hours"])
        for p in spans
    ]
    if entry["holiday_policy"] == hours.HolidayPolicy.OWN_HOURS:
        rows += [
            OpeningHours(
                service=service,
                kind=OpeningHours.Kind.HOLIDAY,
                opens=_span(p).opens,
                closes=_span(p).closes,
            )
            for p in entry["holiday_hours"]
        ]
    for row in rows:
        row.full_clean()
        tag(row)
        row.save()


# The e-mails


def link_url(token: str, base: str) -> str:
    return f"{base}{reverse('confirm:entry')}?{urlencode({'key': token})}"


def _compose(template: str, service: Service, url: str, link: ConfirmationLink) -> tuple[str, str]:
    subjects, bodies = [], []
    context = {"service": service, "url": url, "expires": timezone.localtime(link.expires_at)}
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            text = render_to_string(template, context).strip()
        subject, _blank, body = text.partition("\n")
        subjects.append(subject.strip())
        bodies.append(body.strip())
    return " / ".join(subjects), "\n\n-----\n\n".join(bodies) + "\n"


def send_link(
    service: Service, base: str, user=None, request: HttpRequest | None = None
) -> ConfirmationLink:
    """Issue a new link (the old one stops working) and e-mail it to the service. The
    link is only kept if the mail left: a failed send raises and rolls back."""
    with transaction.atomic():
        replaced = ConfirmationLink.objects.filter(service=service).exists()
        link, token = ConfirmationLink.issue(service, user)
        subject, body = _compose(LINK_TEMPLATE, service, link_url(token, base), link)
        EmailMessage(subject, body, to=[service.contact_email]).send()
        AuditEvent.record(
            AuditEvent.Kind.CONFIRMATION_LINK_SENT,
            request,
            actor=user,
            service=service,
            details={"replaced": replaced, "automatic": user is None},
        )
    return link


def send_reminder(link: ConfirmationLink, base: str) -> None:
    with transaction.atomic():
        token = link.renew_for_reminder()
        subject, body = _compose(REMINDER_TEMPLATE, link.service, link_url(token, base), link)
        EmailMessage(subject, body, to=[link.service.contact_email]).send()


def send_confirmation_requests(now: datetime, base: str) -> tuple[int, int, list[str]]:
    """For review_reminders: ask each service whose review has come due (and that has
    not been asked since), and remind each one that has not answered in 14 days.
    Returns links sent, reminders sent, and the services whose mail failed."""
    today = timezone.localdate(now)
    due = (
        Service.objects.exclude(status=Service.Status.INACTIVE)
        .exclude(contact_email="")
        .review_overdue(today)
        .select_related("organization", "confirmation_link")
        .order_by("pk")
    )
    failed: list[str] = []
    sent = reminded = 0
    for service in due:
        link = getattr(service, "confirmation_link", None)
        # Asked once per review: an unanswered link then shows as "not confirmed" until
        # an editor sends another, rather than a new one every night.
        if link is not None and (
            service.next_review_due is None
            or timezone.localdate(link.requested_at) >= service.next_review_due
        ):
            continue
        try:
            send_link(service, base)
            sent += 1
        except (OSError, smtplib.SMTPException) as error:
            logger.warning("Confirmation link to service %s failed: %s", service.pk, error)
            failed.append(service.name)
    for link in ConfirmationLink.objects.needing_reminder(now).select_related(
        "service__organization"
    ):
        if not link.service.contact_email or link.service.status == Service.Status.INACTIVE:
            continue
        try:
            send_reminder(link, base)
            reminded += 1
        except (OSError, smtplib.SMTPException) as error:
            logger.warning("Confirmation reminder to service %s failed: %s", link.service_id, error)
            failed.append(link.service.name)
    return sent, reminded, failed
