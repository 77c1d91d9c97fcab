from django.urls import path

from hotline.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.desk_home, name="home"),
    path("places/", views.place_options, name="places"),
    path("shelters/", views.shelters, name="shelters"),
]
