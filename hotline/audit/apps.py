from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "hotline.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from hotline.audit import auth_events  # noqa: F401 - connects Django's auth signals
