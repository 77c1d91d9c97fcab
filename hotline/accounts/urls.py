from django.contrib.auth import views as auth_views
from django.urls import path

from hotline.accounts import views
from hotline.accounts.two_factor import otp_not_required

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Logout needs no second factor: leaving must always work.
    path("logout/", otp_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
]
