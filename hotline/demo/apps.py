from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The zero-setup demo (``manage.py demo``): no models, only the command and its
    accounts, kept apart from the apps that run in production."""

    name = "hotline.demo"
    label = "demo"
