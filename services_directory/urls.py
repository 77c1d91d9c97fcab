from django.urls import path

from services_directory import views

app_name = "directory"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("services/<int:pk>/verify/", views.verify_service, name="verify"),
]
