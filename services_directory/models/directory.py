"""The directory of help services, in the spirit of Open Referral HSDS 3.0:
organization → service → location, with contact channels and opening hours.

History is recorded for every model here (see translation.py, where the historical
models are registered after the translated fields exist).
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from services_directory import hours
from services_directory.geo import distance_km
from services_directory.models.reference import County, Municipality
from services_directory.models.vocabulary import (
    AccessibilityFeature,
    Language,
    ServiceType,
    TargetGroup,
    Topic,
)
from services_directory.validators import (
    format_phone,
    normalize_organization_number,
    normalize_phone,
    phone_tel_uri,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_REVIEW_MONTHS = 6

# Generous box around mainland Norway, Svalbard and Jan Mayen; the municipality check
# below does the real work.
NORWAY_LAT = (57.5, 81.5)
NORWAY_LON = (-9.5, 33.5)
# A location must lie this close to its municipality's representative point. The largest
# municipalities (Kautokeino, Karasjok) are about 150 km across.
MAX_KM_FROM_MUNICIPALITY = 120


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    organization_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        help_text=_("Nine digits from the Brønnøysund register."),
    )
    url = models.URLField(_("web address"), blank=True)
    hsds_id = models.CharField(_("HSDS id"), max_length=100, unique=True, null=True, blank=True)
    # The object's HSDS id (a UUID, as HSDS asks), kept so it survives re-exports.
    uuid = models.UUIDField(_("HSDS UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.organization_number:
            try:
                self.organization_number = normalize_organization_number(self.organization_number)
            except ValidationError as error:
                raise ValidationError({"organization_number": error.messages}) from None


class ServiceQuerySet(models.QuerySet):
    def published(self):
        """What operators may see: published entries that are not inactive."""
        return self.filter(is_published=True).exclude(status=Service.Status.INACTIVE)

    def public(self):
        """What leaves the building (the public API and the HSDS export): published and
        active. Temporarily closed services stay off it, so no portal sends anyone to
        them; the one definition of "public"."""
        return self.published().filter(status=Service.Status.ACTIVE)

    def covering(self, municipality: Municipality):
        return self.filter(
            Q(covers_whole_country=True)
            | Q(coverage_counties=municipality.county_id)
            | Q(coverage_municipalities=municipality)
        ).distinct()

    def review_overdue(self, today: date):
        return self.filter(Q(next_review_due__lt=today) | Q(next_review_due__isnull=True))

    def review_due_within(self, today: date, days: int):
        return self.filter(next_review_due__gte=today, next_review_due__lte=today + timedelta(days))

    def without_hours(self):
        return self.filter(opening_hours__isnull=True)

    def without_phone(self):
        """Published entries an operator cannot ring: no phone number, and no editor has
        said the service is reached by web or chat only."""
        return self.filter(is_published=True, web_or_chat_only=False).exclude(
            channels__kind=ContactChannel.Kind.PHONE
        )

    def without_coverage(self):
        return self.filter(
            covers_whole_country=False,
            coverage_counties__isnull=True,
            coverage_municipalities__isnull=True,
        )


# Service's texts are translated: modeltranslation would wrap a plain ServiceQuerySet manager
# in a class it makes at start-up. Built on its MultilingualManager, the manager is left as
# it is, and type checkers see the class the code really uses.
ServiceManager = MultilingualManager.from_queryset(ServiceQuerySet)


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        TEMPORARILY_CLOSED = "temporarily_closed", _("temporarily closed")
        INACTIVE = "inactive", _("inactive")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Drafts are invisible to operators and to every export."),
    )
    hsds_id = models.CharField(_("HSDS id"), max_length=100, unique=True, null=True, blank=True)
    # The object's HSDS id (a UUID, as HSDS asks), kept so it survives re-exports.
    uuid = models.UUIDField(_("HSDS UUID"), default=uuid4, unique=True, editable=False)

    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    free_of_charge = models.BooleanField(_("free of charge"), default=True)
    # What it costs, in words (HSDS fees_description); free_of_charge is the filter.
    fees_description = models.CharField(_("fees"), max_length=500, blank=True)
    anonymous_contact = models.BooleanField(_("anonymous contact possible"), default=False)
    police_report_required = models.BooleanField(_("police report required"), default=False)
    # Crisis centres (service type "krisesenter") report free places anyway; this switches
    # it on for other services with beds, e.g. a shelter run by another kind of body.
    reports_capacity = models.BooleanField(
        _("reports free places"),
        default=False,
        help_text=_(
            "Shelter staff report free places through a personal link; operators see them. "
            "Always on for crisis centres."
        ),
    )
    # A service without a phone looks complete to operators mid-call; the dashboard
    # lists it as incomplete unless an editor has said there is no number on purpose.
    web_or_chat_only = models.BooleanField(
        _("reachable by web or chat only"),
        default=False,
        help_text=_(
            "Tick only if the service has no phone number on purpose. A published service "
            "without a phone is otherwise listed as incomplete on the dashboard."
        ),
    )
    operator_note = models.CharField(
        _("note for operators"),
        max_length=500,
        blank=True,
        help_text=_("Shown to operators only. Never published or exported."),
    )

    service_types = models.ManyToManyField(
        ServiceType, blank=True, related_name="services", verbose_name=_("service types")
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="services", verbose_name=_("topics")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="services", verbose_name=_("target groups")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="services", verbose_name=_("languages spoken")
    )
    accessibility = models.ManyToManyField(
        AccessibilityFeature,
        blank=True,
        related_name="services",
        verbose_name=_("accessibility"),
    )

    covers_whole_country = models.BooleanField(_("covers the whole country"), default=False)
    coverage_counties = models.ManyToManyField(
        County, blank=True, related_name="covering_services", verbose_name=_("counties covered")
    )
    coverage_municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="covering_services",
        verbose_name=_("municipalities covered"),
    )

    holiday_policy = models.CharField(
        _("on public holidays"),
        max_length=10,
        choices=[
            (hours.HolidayPolicy.NORMAL.value, _("normal weekly hours")),
            (hours.HolidayPolicy.CLOSED.value, _("closed")),
            (hours.HolidayPolicy.OWN_HOURS.value, _("own holiday hours")),
        ],
        default=hours.HolidayPolicy.NORMAL.value,
    )

    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    # Where the directory asks the service to confirm its entry (issue 24). Never
    # public, never exported: it is in NOT_PUBLIC_FIELDS, and no serializer names it.
    contact_email = models.EmailField(
        _("contact e-mail for the directory"),
        blank=True,
        help_text=_(
            "The service gets its link for confirming or correcting this entry here. "
            "Never published or exported."
        ),
    )
    confirmed_by_service_at = models.DateTimeField(
        _("last confirmed by the service"), null=True, blank=True, editable=False
    )
    # Optimistic locking: every save bumps the version; a form holding an older version
    # is refused instead of silently overwriting someone else's edit.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When something the public outputs show last changed (their ETags, Last-Modified and
    # HSDS last_modified). Database triggers stamp it (services_directory.triggers), and
    # keep a save from moving it back: an edit of only a confidential address, an operator
    # note or the review bookkeeping leaves it, so no poller learns that a shelter moved.
    public_updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ServiceManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(fields=["is_published", "status"]),
            models.Index(fields=["next_review_due"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="service_min_age_not_above_max_age",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Callers that edit a form check the version first (see admin.ServiceForm).
        if self.pk:
            self.version += 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError(
                {"max_age": _("The maximum age must be at least the minimum age.")}
            )

    # Review cycle

    def review_interval_months(self) -> int:
        intervals = [t.review_interval_months for t in self.service_types.all()]
        return min(intervals) if intervals else DEFAULT_REVIEW_MONTHS

    def mark_verified(self, user, when: datetime | None = None) -> date:
        """Record that an editor checked this entry today; schedule the next review, and
        return its date."""
        when = when or timezone.now()
        next_review = add_months(timezone.localdate(when), self.review_interval_months())
        with transaction.atomic():
            self.last_verified_at = when
            self.verified_by = user
            self.next_review_due = next_review
            # Outside a request (commands, tests) history would not know who did it.
            self._history_user = user
            # Only the review fields: the search index then has nothing to rebuild.
            self.save(
                update_fields=[
                    "last_verified_at",
                    "verified_by",
                    "next_review_due",
                    "version",
                    "updated_at",
                ]
            )
        return next_review

    # Opening hours

    def public_locations(self) -> list["Location"]:
        """The addresses that may be shown outside the desk, in a stable order: never a
        confidential one (a shelter's), nor anything measured from it. Reads the
        prefetched ``locations`` when there are any."""
        return sorted(
            (loc for loc in self.locations.all() if not loc.is_confidential),
            key=lambda loc: loc.pk,
        )

    def schedule(self) -> hours.Schedule:
        return build_schedule(
            [row for row in self.opening_hours.all() if row.channel_id is None],
            self.holiday_policy,
        )

    def hours_on(self, day: date) -> str:
        """The service's hours starting on ``day`` as editors write them ("08:00–16:00",
        "open 24 hours"), or "closed"."""
        spans = self.schedule().spans_on(day)
        return ", ".join(span_label(span) for span in spans) or gettext("closed")

    def phone_numbers(self) -> list[str]:
        """The phone numbers as operators see them, in the channels' order. Reads the
        prefetched ``channels`` when there are any."""
        channels = sorted(self.channels.all(), key=lambda c: (c.position, c.pk))
        numbers = []
        for channel in channels:
            if channel.kind != ContactChannel.Kind.PHONE:
                continue
            try:
                numbers.append(channel.display_value)
            except ValidationError:
                # Stored before validation, or imported: check_directory flags it, and
                # the editor confirming it must see it as it is.
                numbers.append(channel.value)
        return numbers


def measured_points[P](located: Iterable[tuple[P | None, bool, P | None]]) -> tuple[P, ...]:
    """The points a service's distances (and every order by distance) are measured
    from, given each location as (its own point, whether it is confidential, its
    municipality's point): its public addresses' when it has any, else the
    municipalities' of its confidential ones. Never a confidential address's own point:
    distances from it, even rounded to 0.1 km, asked from a few hundred places, give the
    shelter away to within metres; its municipality is all anyone may learn from them."""
    rows = list(located)
    public = tuple(own for own, secret, _ in rows if not secret and own is not None)
    if public:
        return public
    # Each municipality once: two secret addresses in one town measure the same.
    return tuple(dict.fromkeys(town for _, secret, town in rows if secret and town is not None))


# Service fields no public output shows: a change to them alone leaves public_updated_at.
# A field not listed counts as public, so a new one errs towards a needless new ETag.
NOT_PUBLIC_FIELDS = (
    "operator_note",
    "web_or_chat_only",  # an editorial flag for the dashboard, not exported
    "reports_capacity",
    "last_verified_at",
    "verified_by",
    "next_review_due",
    "contact_email",
    "confirmed_by_service_at",
    "version",
    "created_at",
    "updated_at",
    "public_updated_at",
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Location(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="locations", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("municipality"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_(
            "Shown to operators marked “do not share”; never in any export or public output."
        ),
    )
    # The object's HSDS id (a UUID, as HSDS asks), kept so it survives re-exports.
    uuid = models.UUIDField(_("HSDS UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        # The admin prints this in inline headings, delete confirmations and the change
        # messages it stores (LogEntry), none of which may hold a confidential address.
        if self.is_confidential:
            if self.name:
                return gettext("%(name)s (confidential address)") % {"name": self.name}
            return gettext("Confidential address")
        return self.name or self.address or str(self.municipality)

    def clean(self) -> None:
        lat, lon = self.latitude, self.longitude
        if (lat is None) != (lon is None):
            field = "latitude" if lat is None else "longitude"
            raise ValidationError({field: _("Give both latitude and longitude, or neither.")})
        if lat is None or lon is None:
            return
        if not (NORWAY_LAT[0] <= lat <= NORWAY_LAT[1]):
            raise ValidationError({"latitude": _("This latitude is outside Norway.")})
        if not (NORWAY_LON[0] <= lon <= NORWAY_LON[1]):
            raise ValidationError({"longitude": _("This longitude is outside Norway.")})
        if self.municipality_id:
            m = self.municipality
            if distance_km(lat, lon, m.latitude, m.longitude) > MAX_KM_FROM_MUNICIPALITY:
                raise ValidationError(
                    {
                        "latitude": _(
                            "These coordinates are far from %(municipality)s. "
                            "Check that latitude and longitude are not swapped."
                        )
                        % {"municipality": m.label}
                    }
                )


class ContactChannel(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("phone")
        SMS = "sms", _("SMS")
        CHAT = "chat", _("chat")
        EMAIL = "email", _("e-mail")
        WEB = "web", _("web")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="channels", verbose_name=_("service")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(
        _("number or address"),
        max_length=300,
        help_text=_("Phone: 8 digits, 110/112/113, 116 xxx or a short number."),
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The object's HSDS id (a UUID, as HSDS asks), kept so it survives re-exports.
    uuid = models.UUIDField(_("HSDS UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display_value}"

    def clean(self) -> None:
        from django.core.validators import EmailValidator, URLValidator

        try:
            if self.kind in PHONE_KINDS:
                self.value = normalize_phone(self.value)
            elif self.kind == self.Kind.EMAIL:
                EmailValidator()(self.value)
            elif self.kind in (self.Kind.CHAT, self.Kind.WEB):
                URLValidator(schemes=["https", "http"])(self.value)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from None

    @property
    def is_phone(self) -> bool:
        return self.kind in PHONE_KINDS

    @property
    def display_value(self) -> str:
        return channel_display_value(self.kind, self.value)

    @property
    def href(self) -> str:
        return channel_href(self.kind, self.value)

    def schedule(self) -> hours.Schedule:
        """The channel's own hours where it has any, else the service's."""
        own = [row for row in self.service.opening_hours.all() if row.channel_id == self.pk]
        if not own:
            return self.service.schedule()
        return build_schedule(own, self.service.holiday_policy)


PHONE_KINDS = (ContactChannel.Kind.PHONE, ContactChannel.Kind.SMS)


# Functions of (kind, value), so the search's result cards use the same rules without
# building a model instance per channel (modeltranslation makes those costly).
def channel_display_value(kind: str, value: str) -> str:
    return format_phone(value) if kind in PHONE_KINDS else value


def channel_href(kind: str, value: str) -> str:
    if kind in PHONE_KINDS:
        return phone_tel_uri(value)
    if kind == ContactChannel.Kind.EMAIL:
        return f"mailto:{value}"
    return value


class OpeningHours(models.Model):
    """One row of a schedule: a weekly span, a public-holiday span, or a dated exception."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("every week")
        HOLIDAY = "holiday", _("public holidays")
        EXCEPTION = "exception", _("dates")

    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("service")
    )
    channel = models.ForeignKey(
        ContactChannel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opening_hours",
        verbose_name=_("only for channel"),
    )
    kind = models.CharField(_("applies"), max_length=10, choices=Kind.choices, default=Kind.WEEKLY)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=WEEKDAYS, null=True, blank=True
    )
    valid_from = models.DateField(_("from date"), null=True, blank=True)
    valid_to = models.DateField(_("to date"), null=True, blank=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("A closing time at or before the opening time means the next day."),
    )
    # The object's HSDS id (a UUID, as HSDS asks), kept so it survives re-exports.
    uuid = models.UUIDField(_("HSDS UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["kind", "weekday", "valid_from", "opens"]
        indexes = [
            models.Index(fields=["service", "kind", "weekday"], name="hours_service_kind_weekday"),
        ]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        # Editors read this in the history and on delete pages: "Every week Monday
        # 08:00–16:00", never "08:00:00" nor "00:00:00–00:00:00".
        when = [str(self.get_kind_display())]
        if self.kind == self.Kind.WEEKLY and self.weekday is not None:
            when.append(str(self.get_weekday_display()))
        if self.kind == self.Kind.EXCEPTION and self.valid_from is not None:
            last = self.valid_to or self.valid_from
            dates = f"{self.valid_from:%d.%m.%Y}"
            when.append(dates if last == self.valid_from else f"{dates}–{last:%d.%m.%Y}")
        return f"{' '.join(when)} {self.span_label()}"

    def span_label(self) -> str:
        """The span as editors write it: "08:00–16:00", "open 24 hours" (opening and
        closing at the same time) or "closed" (a dated exception without times)."""
        if self.opens is None or self.closes is None:
            return gettext("closed")
        return span_label(hours.Span(self.opens, self.closes))

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.closes is not None and self.opens is None:
            errors["opens"] = _("A closing time needs an opening time.")
        if self.opens is not None and self.closes is None:
            errors["closes"] = _("An opening time needs a closing time.")
        if self.kind == self.Kind.WEEKLY and self.weekday is None:
            errors["weekday"] = _("Choose the weekday.")
        if self.kind != self.Kind.EXCEPTION and self.opens is None and "closes" not in errors:
            errors.setdefault("opens", _("Give the opening time."))
        if self.kind == self.Kind.EXCEPTION:
            if self.valid_from is None:
                errors["valid_from"] = _("Give the first date.")
            elif self.valid_to is not None and self.valid_to < self.valid_from:
                errors["valid_to"] = _("The last date cannot be before the first date.")
        channel = self.channel if self.channel_id else None
        if channel is not None and self.service_id and channel.service_id != self.service_id:
            errors["channel"] = _("The channel belongs to another service.")
        if errors:
            raise ValidationError(errors)

    @property
    def span(self) -> hours.Span | None:
        if self.opens is None or self.closes is None:
            return None
        return hours.Span(self.opens, self.closes)


def span_label(span: hours.Span) -> str:
    """ "08:00–16:00", or "open 24 hours" for a span that closes when it opens."""
    if span.is_full_day:
        return gettext("open 24 hours")
    return f"{span.opens:%H:%M}–{span.closes:%H:%M}"


def build_schedule(rows, holiday_policy: str) -> hours.Schedule:
    """Turn OpeningHours rows into the engine's Schedule."""
    weekly: list[hours.WeeklyRule] = []
    holiday: list[hours.Span] = []
    exceptions: dict[tuple[date, date], list[hours.Span]] = {}
    for row in rows:
        if row.kind == OpeningHours.Kind.WEEKLY and row.span:
            weekly.append(hours.WeeklyRule(row.weekday, row.span))
        elif row.kind == OpeningHours.Kind.HOLIDAY and row.span:
            holiday.append(row.span)
        elif row.kind == OpeningHours.Kind.EXCEPTION:
            key = (row.valid_from, row.valid_to or row.valid_from)
            exceptions.setdefault(key, [])
            if row.span:
                exceptions[key].append(row.span)
    return hours.Schedule(
        weekly=tuple(weekly),
        holiday_policy=hours.HolidayPolicy(holiday_policy),
        holiday_spans=tuple(holiday),
        exceptions=tuple(
            hours.DateException(start, end, tuple(spans))
            for (start, end), spans in sorted(exceptions.items())
        ),
    )
