from django.urls import path

from hotline.chat import views

# No route carries a chat's or a call's id: ids travel in query strings and forms, which
# the logs never hold (settings.LOGGING).
app_name = "chat"
urlpatterns = [
    path("", views.writer, name="writer"),
    path("leave/", views.leave, name="leave"),
    path("desk/record/", views.record, name="record"),
    path("live/", views.live, name="live"),
]
