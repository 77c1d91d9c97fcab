from django.urls import path

from hotline.calls import views

# No route carries the call's id: an operator has at most one open call, and an id in a
# URL would let an access log tie a call to an exact time and the operator's IP address.
app_name = "calls"
urlpatterns = [
    path("start/", views.start, name="start"),
    path("current/", views.autosave, name="autosave"),
    path("current/close/", views.close, name="close"),
    path("current/discard/", views.discard, name="discard"),
    path("current/referrals/", views.add_referral, name="add_referral"),
    path(
        "current/referrals/<int:service_pk>/remove/",
        views.remove_referral,
        name="remove_referral",
    ),
]
