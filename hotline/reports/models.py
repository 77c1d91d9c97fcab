"""The reports' summary of closed calls.

Exports are written to the audit log (``hotline.audit``), which took over the export log
this module used to hold.
"""

from datetime import date

from django.db import models
from django.utils import timezone

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
