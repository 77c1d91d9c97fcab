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
    path("passkeys/", views.passkeys, name="passkeys"),
    path("passkeys/add/begin/", views.passkey_add_begin, name="passkey_add_begin"),
    path("passkeys/add/", views.passkey_add, name="passkey_add"),
    path("passkeys/<int:pk>/remove/", views.passkey_remove, name="passkey_remove"),
    path("passkeys/sign-in/begin/", views.passkey_sign_in_begin, name="passkey_sign_in_begin"),
    path("passkeys/sign-in/", views.passkey_sign_in, name="passkey_sign_in"),
]
