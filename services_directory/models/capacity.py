"""Free places at shelters, reported by shelter staff through a personal link.

Shelter staff have no staff account: an editor gives each shelter one secret link
(``CapacityLink``) that opens a single form and nothing else. Only a SHA-256 hash of the
link's token is stored, so a database dump or backup cannot be used to update a shelter.

``ShelterCapacity`` is the current report, one row per service; every change is kept in
its history (registered in translation.py), which is what "how often were shelters full"
is counted from.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services_directory.geo import distance_km
from services_directory.models.directory import ContactChannel, Service, measured_points
from services_directory.models.reference import Municipality

if TYPE_CHECKING:
    from services_directory.search_cards import CardService

# Shelters of this type report capacity without an editor switching it on.
SHELTER_TYPE_CODE = "krisesenter"
# secrets.token_urlsafe(32): 43 URL-safe base64 characters.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_PLACES = 999


def reports_capacity(service: "Service | CardService", service_types=None) -> bool:
    """Whether ``service`` reports free places. ``service_types`` saves the query where
    the caller has them already (the desk's search index does, with its cards)."""
    if service_types is None:
        service_types = cast(Service, service).service_types.all()
    return service.reports_capacity or any(term.code == SHELTER_TYPE_CODE for term in service_types)


def capacity_reporting(queryset):
    """The services in ``queryset`` that report free places."""
    return queryset.filter(
        Q(reports_capacity=True) | Q(service_types__code=SHELTER_TYPE_CODE)
    ).distinct()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CapacityReport:
    """What the desk shows on a result card: the figures, and how old they are."""

    status: str
    status_label: str
    women: int | None
    men: int | None
    families: int | None
    updated_at: datetime
    age: str  # "3 hours", in the active language
    stale: bool
    # "3 hours ago", or "just now" under a minute (timesince would say "0 minutes").
    ago: str = ""

    @property
    def figures(self) -> list[tuple[str, int]]:
        """The reported figures, labelled; unknown ones are left out."""
        labelled = [
            (_("women"), self.women),
            (_("men"), self.men),
            (_("families with children"), self.families),
        ]
        return [(str(label), n) for label, n in labelled if n is not None]

    @property
    def has_figures(self) -> bool:
        return bool(self.figures)

    def has_free_place(self, kind: str = "") -> bool:
        """Whether a current (not stale) report offers a free place; for ``kind`` (one of
        FREE_PLACE_KINDS) only a figure above 0 for that kind counts."""
        if self.stale or self.status == ShelterCapacity.Status.FULL:
            return False
        if kind:
            figure = getattr(self, kind)
            return figure is not None and figure > 0
        figures = [n for n in (self.women, self.men, self.families) if n is not None]
        return any(figures) or (self.status == ShelterCapacity.Status.PLACES_FREE and not figures)


# The kinds of place a shelter reports, as the desk's filters name them.
FREE_PLACE_KINDS = (
    ("women", _("women")),
    ("men", _("men")),
    ("families", _("families with children")),
)


class ShelterCapacity(models.Model):
    class Status(models.TextChoices):
        FULL = "full", _("full")
        PLACES_FREE = "places_free", _("places free")
        CALL_US = "call_us", _("call us")

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="capacity", verbose_name=_("service")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # None is "not reported", which is not the same as 0 free places.
    women = models.PositiveSmallIntegerField(
        _("free places for women"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PLACES)],
    )
    men = models.PositiveSmallIntegerField(
        _("free places for men"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PLACES)],
    )
    families = models.PositiveSmallIntegerField(
        _("free places for families with children"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PLACES)],
    )
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("shelter capacity")
        verbose_name_plural = _("shelter capacity")

    def __str__(self) -> str:
        return f"{self.service}: {self.get_status_display()}"

    def clean(self) -> None:
        # Operators read status and figures together; a contradiction would leave them
        # guessing which one is true.
        figures = [n for n in (self.women, self.men, self.families) if n is not None]
        if self.status == self.Status.FULL and any(figures):
            raise ValidationError(
                {"status": _("You chose “full” but entered free places. Set them to 0.")}
            )
        if self.status == self.Status.PLACES_FREE and figures and not any(figures):
            raise ValidationError({"status": _("You chose “places free” but every figure is 0.")})

    @classmethod
    def report(
        cls,
        service: Service,
        *,
        status: str,
        women: int | None = None,
        men: int | None = None,
        families: int | None = None,
        when: datetime | None = None,
    ) -> "ShelterCapacity":
        """Replace the service's current report. The previous one stays in history."""
        fields = {
            "status": status,
            "women": women,
            "men": men,
            "families": families,
            "updated_at": when or timezone.now(),
        }
        cls(service=service, **fields).full_clean(exclude=["service"], validate_unique=False)
        with transaction.atomic():
            # update_or_create locks the row, and survives two first reports at once.
            capacity, _created = cls.objects.update_or_create(service=service, defaults=fields)
        return capacity

    def for_desk(self, now: datetime | None = None) -> CapacityReport:
        now = now or timezone.now()
        stale_after = timedelta(hours=settings.CAPACITY_STALE_HOURS)
        return CapacityReport(
            status=self.status,
            status_label=self.get_status_display(),
            women=self.women,
            men=self.men,
            families=self.families,
            updated_at=self.updated_at,
            age=timesince(self.updated_at, now, depth=1),
            stale=now - self.updated_at > stale_after,
            ago=(
                gettext("just now")
                if now - self.updated_at < timedelta(minutes=1)
                else gettext("%(age)s ago") % {"age": timesince(self.updated_at, now, depth=1)}
            ),
        )


@dataclass(frozen=True)
class ShelterRow:
    service: Service
    report: CapacityReport | None
    link: "CapacityLink | None"


def shelter_overview(services) -> list[ShelterRow]:
    """The capacity-reporting services in ``services``, each with its current report and
    its link, in three queries however many shelters there are."""
    rows = (
        capacity_reporting(services)
        .select_related("capacity", "capacity_link")
        .order_by("name", "pk")
    )
    now = timezone.now()
    return [
        ShelterRow(
            service=service,
            report=capacity.for_desk(now)
            if (capacity := getattr(service, "capacity", None))
            else None,
            link=getattr(service, "capacity_link", None),
        )
        for service in rows
    ]


@dataclass(frozen=True)
class ShelterPlaces:
    """One line of the operators' national overview of free places."""

    service: Service
    report: CapacityReport | None
    municipality: Municipality | None  # where the shelter is
    distance_km: float | None
    phone: ContactChannel | None


def _nearest(service: Service, origin: Municipality | None):
    """The service's location nearest ``origin`` (the first without one) and its distance,
    measured as the search measures (``measured_points``): a confidential address from
    its municipality, never from its own point."""
    located = []
    for location in service.locations.all():
        town = location.municipality
        lat, lon = location.latitude, location.longitude
        if lat is None or lon is None:  # placed at its municipality
            lat, lon = town.latitude, town.longitude
        in_town = (location, town.latitude, town.longitude)
        located.append(((location, lat, lon), location.is_confidential, in_town))
    best, best_km = None, None
    for location, lat, lon in measured_points(located):
        km = None if origin is None else distance_km(origin.latitude, origin.longitude, lat, lon)
        if best is None or (km is not None and (best_km is None or km < best_km)):
            best, best_km = location, km
    return best, best_km


def shelters_with_places(
    origin: Municipality | None = None, kind: str = "", only_free: bool = False
) -> list[ShelterPlaces]:
    """Every published shelter that reports free places, nationally: nearest ``origin``
    first when one is given, else by name. ``only_free`` keeps those whose current report
    offers a place (of ``kind``, when given). A fixed number of queries."""
    services = (
        capacity_reporting(Service.objects.published())
        .select_related("capacity")
        .prefetch_related("locations__municipality", "channels")
    )
    now = timezone.now()
    rows = []
    for service in services:
        capacity = getattr(service, "capacity", None)
        report = capacity.for_desk(now) if capacity is not None else None
        if only_free and (report is None or not report.has_free_place(kind)):
            continue
        location, km = _nearest(service, origin)
        phone = next(
            (c for c in service.channels.all() if c.kind == ContactChannel.Kind.PHONE), None
        )
        rows.append(
            ShelterPlaces(
                service=service,
                report=report,
                municipality=location.municipality if location is not None else None,
                distance_km=km,
                phone=phone,
            )
        )
    # By the name in the active language (with its fallback), which SQL cannot order by.
    rows.sort(key=lambda row: (row.service.name.casefold(), row.service.pk))
    if origin is not None:
        rows.sort(key=lambda row: (row.distance_km is None, row.distance_km or 0.0))
    return rows


class CapacityLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CapacityLink(models.Model):
    """One personal link per service for reporting free places; editors rotate and
    revoke it. The token itself is shown once and never stored."""

    service = models.OneToOneField(
        Service,
        on_delete=models.CASCADE,
        related_name="capacity_link",
        verbose_name=_("service"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CapacityLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("capacity link")
        verbose_name_plural = _("capacity links")

    def __str__(self) -> str:
        return str(self.service)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, service: Service, user) -> tuple["CapacityLink", str]:
        """Create the service's link, or replace its token (the old link stops working at
        once). Returns the link and the new token, which the caller shows once."""
        if not reports_capacity(service):
            raise ValidationError(
                _("This service does not report free places."), code="not_a_shelter"
            )
        token = secrets.token_urlsafe(32)
        with transaction.atomic():
            link, _created = cls.objects.update_or_create(
                service=service,
                defaults={
                    "token_hash": hash_token(token),
                    "created_at": timezone.now(),
                    "created_by": user,
                    "revoked_at": None,
                },
            )
        return link, token

    def revoke(self) -> None:
        with transaction.atomic():
            # Only an active link is revoked, so the first revocation time is kept.
            updated = CapacityLink.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        self.refresh_from_db(fields=["revoked_at"])
        if not updated:
            raise ValidationError(_("This link was already revoked."), code="revoked")

    @classmethod
    def service_for_token(cls, token: str) -> Service | None:
        """The service an active, valid link belongs to, or None. Whatever the reason a
        token fails, the answer is the same None: callers must not tell them apart."""
        if not TOKEN_PATTERN.fullmatch(token):
            return None
        digest = hash_token(token)
        # Looked up by hash: the database compares hashes, never the secret itself, so
        # the time a lookup takes tells nothing about the token.
        link = cls.objects.active().filter(token_hash=digest).select_related("service").first()
        if link is None or not hmac.compare_digest(link.token_hash, digest):
            return None
        service = link.service
        if service.status == Service.Status.INACTIVE or not reports_capacity(service):
            return None
        return service
