import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.calls.models import Call, Site
from hotline.demo.users import DEMO_SITE_NAME
from hotline.reports.demo import CallFaker, save_calls
from hotline.reports.periods import Quarter
from hotline.reports.summary import rebuild_summary
from services_directory.models import Municipality


class Command(BaseCommand):
    help = (
        "Made-up closed calls over the last four complete quarters for the demo site, so the "
        "demo reports are not empty. Does nothing if the demo site has calls already."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=4000)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, calls: int, seed: int | None, **options):
        # Made-up calls would pollute real statistics: demo databases only.
        if not settings.DEBUG:
            raise CommandError("Demo calls are only loaded with DEBUG on.")
        site, _created = Site.objects.get_or_create(
            name=DEMO_SITE_NAME,
            defaults={"municipality": Municipality.objects.filter(number="0301").first()},
        )
        if Call.objects.filter(site=site).exists():
            if options["verbosity"]:
                self.stdout.write("The demo site has calls already; none added.")
            return
        # The last four complete quarters: the reports show nothing more recent.
        latest = Quarter.latest_complete()
        first = latest.previous.previous.previous.first
        faker = CallFaker(random.Random(seed), {site.pk: 1})  # noqa: S311 (made-up data)
        made, _topics, _referrals = save_calls(faker.calls(calls, first, latest.last))
        rebuild_summary()  # bulk_create bypasses Call.close, which keeps it current
        if options["verbosity"]:
            self.stdout.write(f"Demo calls: {made} closed calls over the last four quarters.")
