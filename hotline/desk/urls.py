from django.urls import path

from hotline.desk import views
from hotline.guide import views as guide

app_name = "desk"
urlpatterns = [
    path("", views.desk_home, name="home"),
    path("places/", views.place_options, name="places"),
    path(
        "services/<int:pk>/confidential-address/",
        views.confidential_address,
        name="confidential_address",
    ),
    path("shelters/", views.shelters, name="shelters"),
    path("guide/", guide.guide_home, name="guide"),
    path("guide/<int:pk>/", guide.guide_article, name="guide_article"),
]
