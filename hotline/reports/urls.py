from django.urls import path

from hotline.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.reports_home, name="home"),
    path("calls/", views.reports_callers, name="callers"),
    path("referrals/", views.reports_referrals, name="referrals"),
    path("unmet-needs/", views.reports_unmet, name="unmet"),
    path("export/<slug:table>.csv", views.export_table, name="export"),
]
