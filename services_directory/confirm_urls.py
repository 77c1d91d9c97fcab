"""A service's personal link for confirming or correcting its entry,
``/confirm/?key=<token>`` (open without a login; see confirm_views.py).

The token travels in the query string, not the path: the logs record paths only (see
gunicorn.conf.py and hotline/log_privacy.py), so they never hold a working link."""

from django.urls import path

from services_directory import confirm_views

app_name = "confirm"
urlpatterns = [
    path("", confirm_views.entry, name="entry"),
    path("all-correct/", confirm_views.all_correct, name="all_correct"),
    path("propose/", confirm_views.propose, name="propose"),
]
