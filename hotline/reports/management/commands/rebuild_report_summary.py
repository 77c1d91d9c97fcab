import time

from django.core.management.base import BaseCommand

from hotline.reports.summary import rebuild_summary


class Command(BaseCommand):
    help = (
        "Recount the report summary from the call log. Closing a call keeps the summary "
        "current; rebuild after loading calls in bulk, deleting calls, or a change of "
        "municipal structure (a municipality moving county). Weeks whose calls were "
        "purged (purge_old_calls) are kept as they are."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = rebuild_summary()
        if options["verbosity"]:
            self.stdout.write(
                f"Report summary rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s."
            )
