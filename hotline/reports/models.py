"""The audit log of report exports.

Reports are anonymised, but an export leaves the system for good: who took which
table with which filters, and when, is kept.
"""

from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    # PROTECT: an audit trail must not lose its "who" when an account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("exported at"), default=timezone.now, editable=False)
    table = models.CharField(_("table"), max_length=50, editable=False)
    filters = models.JSONField(_("filters"), default=dict, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")

    def __str__(self) -> str:
        return f"{self.table} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, user, table: str, filters: dict) -> "ExportLog":
        with transaction.atomic():
            return cls.objects.create(user=user, table=table, filters=filters)


# Sentinels of CallStat's roll-up rows: every site, every channel, every county.
ALL_SITES = 0
ALL_CHANNELS = "*"
ALL_COUNTIES = -1
NO_COUNTY = 0  # the call has no municipality


class CallStat(models.Model):
    """Closed calls counted per week, site, channel and county, for one breakdown.

    The reports read only this table: a 12-month page then aggregates narrow summary
    rows instead of joining a million calls to their topics and referrals.
    ``hotline.reports.summary`` keeps it current as each call is closed (inside the
    closing transaction) and rebuilds it from the call log on demand
    (``manage.py rebuild_report_summary``). Each row also sums its calls' disclosure
    keys, so every report cell still gets the cell key of exactly its calls.

    Every call is counted three times: per site, channel and county; for all sites and
    channels per county; and for all sites, channels and counties. The unfiltered
    national pages, the most common, then read a few thousand rows instead of hundreds
    of thousands. Site and county are plain numbers, not foreign keys, so the roll-ups
    can use sentinels (above) instead of NULLs, which a unique key would not match.
    """

    breakdown = models.CharField(max_length=20)
    week = models.DateField()  # the Monday, Oslo time
    site = models.PositiveIntegerField(default=ALL_SITES)  # Site primary key
    channel = models.CharField(max_length=10, blank=True)
    county = models.IntegerField(default=NO_COUNTY)  # County primary key
    a = models.CharField(max_length=32, blank=True)
    b = models.CharField(max_length=32, blank=True)
    calls = models.PositiveIntegerField(default=0)
    key_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index every report query uses: one breakdown, a range of weeks.
            models.UniqueConstraint(
                fields=["breakdown", "week", "site", "channel", "county", "a", "b"],
                name="reports_callstat_unique_cell",
            )
        ]
        indexes = [
            # The roll-ups, read by every page without a site or channel filter.
            models.Index(
                fields=["breakdown", "county", "week"],
                condition=models.Q(site=ALL_SITES),
                name="reports_callstat_rollups",
            )
        ]

    def __str__(self) -> str:
        return f"{self.breakdown} {self.week} {self.a} {self.b}: {self.calls}"


class CountedCall(models.Model):
    """The calls already in CallStat, so a call closed twice is still counted once.

    Holds nothing but the id of a call that exists anyway.
    """

    call = models.OneToOneField(
        "calls.Call", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.pk)


class SummaryPurge(models.Model):
    """A purge of old calls (``manage.py purge_old_calls``): calls that started before
    ``before`` were deleted, and the summary is now the only record of their weeks.

    ``rebuild_summary`` keeps the summary rows of those weeks instead of recounting them
    from calls that no longer exist. Holds a date and a count, nothing about any call.
    """

    before = models.DateField()  # a Monday, Oslo time: purges cut at whole weeks
    purged_at = models.DateTimeField(default=timezone.now)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-before"]

    def __str__(self) -> str:
        return f"calls before {self.before}: {self.calls}"

    @classmethod
    def purged_before(cls) -> date | None:
        """The Monday before which the summary is all there is (None: nothing purged)."""
        return cls.objects.aggregate(before=models.Max("before"))["before"]
