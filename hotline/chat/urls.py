from django.urls import path

from hotline.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.writer, name="writer"),
]
