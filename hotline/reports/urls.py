from django.urls import path

from hotline.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.reports_home, name="home"),
]
