from django.urls import path

from hotline.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.desk_home, name="home"),
    path("places/", views.place_options, name="places"),
    path(
        "services/<int:pk>/confidential-address/",
        views.confidential_address,
        name="confidential_address",
    ),
]
