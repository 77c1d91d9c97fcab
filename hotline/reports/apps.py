from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "hotline.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from hotline.calls.signals import call_closed
        from hotline.reports.summary import on_call_closed

        # The call log does not know the reports: each close counts in the summary via
        # this receiver, inside the closing transaction.
        call_closed.connect(on_call_closed, dispatch_uid="reports.count_closed_call")
