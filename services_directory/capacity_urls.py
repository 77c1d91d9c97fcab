"""The shelter staff's personal links, ``/capacity/?key=<token>`` (open without a login).

The token travels in the query string, not the path: the logs record paths only (see
gunicorn.conf.py and hotline/log_privacy.py), so they never hold a working link."""

from django.urls import path

from services_directory import capacity_views

app_name = "capacity"
urlpatterns = [
    path("", capacity_views.update_capacity, name="update"),
]
