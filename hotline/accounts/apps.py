from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hotline.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from hotline.accounts.middleware import start_session_clocks

        user_logged_in.connect(start_session_clocks, dispatch_uid="accounts_session_clocks")
