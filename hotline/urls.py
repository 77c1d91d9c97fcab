from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from hotline import views
from hotline.reports import views as report_views

admin.site.site_header = _("Helpline – directory of help services")
admin.site.site_title = _("Helpline for violence and abuse")

handler500 = "hotline.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("hotline.accounts.urls")),
    # Open so the login page can switch language too.
    path("i18n/setlang/", login_not_required(require_POST(set_language)), name="set_language"),
    path("desk/calls/", include("hotline.calls.urls")),
    path("desk/", include("hotline.desk.urls")),
    path("api/v1/", include("hotline.api.urls")),
    path("directory/guide/", include("hotline.guide.urls")),
    path("directory/", include("services_directory.urls")),
    path("capacity/", include("services_directory.capacity_urls")),
    path("confirm/", include("services_directory.confirm_urls")),
    path("reports/", include("hotline.reports.urls")),
    # Open data for everyone: unmet needs by county and quarter (no login).
    path("open-data/gaps/", report_views.open_gaps, name="open_gaps"),
    path("audit/", include("hotline.audit.urls")),
    path("chat/", include("hotline.chat.urls")),
    path("admin/", admin.site.urls),
]
