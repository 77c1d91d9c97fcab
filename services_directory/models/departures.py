"""Services that left the public set, so a partner syncing with ``modified_after`` learns
that a service it holds was unpublished, closed or deleted (docs/hsds-profile.md,
"Closures").

A row is written by the database's triggers (services_directory.triggers) whenever a
service stops being public, however it happens: a save, a bulk update, a delete or raw
SQL. It holds the service's ids and the moment, nothing else: no name (a draft renamed
before it was deleted never appeared anywhere), no location, no reason.
"""

from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

# Kept at least two years: a partner that syncs less often than that must reload
# everything (the profile says so). A little more, so a purge that runs late in the day
# never cuts into the promise.
KEEP_DEPARTURES = timedelta(days=2 * 366)


class ServiceDepartureQuerySet(models.QuerySet):
    def since(self, moment: datetime):
        """Departures at or after ``moment`` (ties included, as ``modified_after``) of
        services that are not public now: a service that came back is an active record
        with a newer ``last_modified`` instead."""
        from services_directory.models.directory import Service

        public = Service.objects.public().values("uuid")
        return (
            self.filter(departed_at__gte=moment)
            .exclude(service_uuid__in=public)
            .order_by("departed_at", "service_uuid")
        )

    def newest(self) -> datetime | None:
        return self.aggregate(newest=models.Max("departed_at"))["newest"]


class ServiceDeparture(models.Model):
    # The service's HSDS id (its UUID) and its id in the public API; the service row may
    # be gone, so these are copies, not a foreign key.
    service_uuid = models.UUIDField(_("service's HSDS id"), unique=True)
    service_pk = models.BigIntegerField(_("service's id"))
    # The database's clock, as public_updated_at: one clock for both.
    departed_at = models.DateTimeField(_("left the public directory"), db_index=True)

    objects = ServiceDepartureQuerySet.as_manager()

    class Meta:
        verbose_name = _("service departure")
        verbose_name_plural = _("service departures")

    def __str__(self) -> str:
        return f"{self.service_uuid} @ {self.departed_at.isoformat()}"

    @classmethod
    def purge(cls, now: datetime) -> int:
        """Delete departures older than ``KEEP_DEPARTURES``; how many went."""
        with transaction.atomic():
            deleted, _by_model = cls.objects.filter(departed_at__lt=now - KEEP_DEPARTURES).delete()
        return deleted
