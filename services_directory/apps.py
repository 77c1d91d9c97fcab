from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesDirectoryConfig(AppConfig):
    name = "services_directory"
    verbose_name = _("Services directory")

    def ready(self) -> None:
        from services_directory.triggers import install_after_migrate

        # Infrastructure, not domain logic: keeps the search index's change triggers on.
        post_migrate.connect(install_after_migrate, sender=self)
