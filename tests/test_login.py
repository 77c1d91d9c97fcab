from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.roles import Role
from tests.factories import TEST_PASSWORD, enrol, login_verified, make_user, totp_code

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_norwegian_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="nb">' in response.text
    assert "Logg inn" in response.text


def test_login_page_in_english_after_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert "Log in" in client.get(reverse("login")).text


def test_login_with_password_and_code_lands_on_role_home(client):
    device = enrol(make_user(Role.OPERATOR))
    response = login(client, "operator", TEST_PASSWORD)
    assert response.status_code == 302
    step = client.get(response["Location"])["Location"]
    assert step == f"{reverse('two_factor')}?next=%2F"
    response = client.post(step, {"token": totp_code(device)})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("desk:home")


def test_wrong_password_shows_form_error(client):
    make_user(Role.OPERATOR)
    response = login(client, "operator", "wrong")
    assert response.status_code == 200
    assert 'role="alert"' in response.text


def test_logout_is_post_only_and_ends_session(client):
    login_verified(client, make_user(Role.OPERATOR))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("desk:home")).status_code == 302


def test_lockout_refuses_correct_password_until_cool_off_ends(client):
    make_user(Role.OPERATOR)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, "operator", "wrong")

        refused = login(client, "operator", TEST_PASSWORD)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

        clock.move_to(start + settings.AXES_COOLOFF_TIME - timedelta(seconds=30))
        assert login(client, "operator", TEST_PASSWORD).status_code == 429

        clock.move_to(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        accepted = login(client, "operator", TEST_PASSWORD)
        assert accepted.status_code == 302
        assert "_auth_user_id" in client.session


def test_lockout_is_per_address_so_staff_elsewhere_can_log_in(client):
    make_user(Role.OPERATOR)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "operator", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
        )
    assert login(client, "operator", TEST_PASSWORD).status_code == 302


def test_password_validators_reject_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    with pytest.raises(ValidationError):
        validate_password("password123")
    validate_password("lytte-og-lose-hver-dag")
