from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "hotline.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from hotline.chat import checks  # noqa: F401 - registers the deploy checks
