from django.urls import path

from hotline.reports import views

app_name = "reports"
# The four report pages share one view; "page" names the page in tables.PAGES.
urlpatterns = [
    # Workload: calls over time, by weekday and hour, and by channel.
    path("", views.report_page, {"page": "workload"}, name="home"),
    # What the calls are about: topics, callers, age and gender, relation, acute, language.
    path("calls/", views.report_page, {"page": "callers"}, name="callers"),
    # Referrals by service type, and the services referred to most.
    path("referrals/", views.report_page, {"page": "referrals"}, name="referrals"),
    # Where help is missing: unmet needs by county, municipality, topic and reason.
    path("unmet-needs/", views.report_page, {"page": "unmet"}, name="unmet"),
    path("export/<slug:table>.csv", views.export_table, name="export"),
]
