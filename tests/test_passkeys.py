"""Passkeys (WebAuthn) as a second factor: add, sign in with, remove; driven end to end
through the views by a software authenticator (tests.factories.SoftPasskey)."""

import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.models import Passkey
from hotline.accounts.roles import Role
from hotline.accounts.two_factor import reset_devices
from hotline.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, SoftPasskey, enrol, login_verified, make_user, totp_code
from tests.settings_process import start

pytestmark = pytest.mark.django_db


def verified(client) -> bool:
    return client.get(reverse("about")).status_code == 200


def add(client, passkey: SoftPasskey, name: str = "Work laptop"):
    begin = client.post(reverse("passkey_add_begin"))
    assert begin.status_code == 200
    answer = json.dumps(passkey.register(begin.json()))
    return client.post(reverse("passkey_add"), {"name": name, "credential": answer})


def password_step(client, user):
    response = client.post(
        reverse("login"), {"username": user.get_username(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def begin_sign_in(client) -> dict:
    response = client.post(reverse("passkey_sign_in_begin"))
    assert response.status_code == 200
    return response.json()


def finish_sign_in(client, answer: dict, next_url: str = "/desk/"):
    return client.post(
        reverse("passkey_sign_in"), {"credential": json.dumps(answer), "next": next_url}
    )


def sign_in(client, passkey: SoftPasskey, **sign_kwargs):
    return finish_sign_in(client, passkey.sign(begin_sign_in(client), **sign_kwargs))


@pytest.fixture
def user():
    user = make_user(Role.OPERATOR, username="kari")
    enrol(user)
    return user


@pytest.fixture
def passkey(user) -> SoftPasskey:
    """A passkey ``user`` added from a verified session (since ended)."""
    passkey = SoftPasskey()
    assert add(login_verified(Client(), user), passkey).status_code == 200
    return passkey


# Adding


def test_a_verified_user_adds_a_passkey(client, user):
    login_verified(client, user)
    begin = client.post(reverse("passkey_add_begin"))
    options = begin.json()
    assert options["rp"] == {"id": settings.WEBAUTHN_RP_ID, "name": "Hjelpetelefonen"}
    assert options["attestation"] == "none"
    passkey = SoftPasskey()
    answer = json.dumps(passkey.register(options))
    response = client.post(reverse("passkey_add"), {"name": "Work laptop", "credential": answer})
    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("passkeys")}
    credential = Passkey.objects.get(user=user)
    assert credential.name == "Work laptop"
    assert bytes(credential.credential_id) == passkey.credential_id
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSKEY_ADDED)
    assert event.actor == user and event.details == {"passkey": "Work laptop"}
    page = client.get(reverse("passkeys"))
    assert page.status_code == 200
    assert "Work laptop" in page.text
    assert "Passnøkkel lagt til" in page.text  # the message after adding
    # The passkey this browser has is not offered for creating a second time.
    again = client.post(reverse("passkey_add_begin")).json()
    assert [c["id"] for c in again["excludeCredentials"]] == [passkey.b64(passkey.credential_id)]


def test_the_passkeys_page_lists_only_the_users_own_and_hides_js_forms(client, user, passkey):
    other = make_user(Role.OPERATOR, username="ola")
    enrol(other)
    add(login_verified(Client(), other), SoftPasskey(), name="Ola's phone")
    login_verified(client, user)
    page = client.get(reverse("passkeys"))
    assert "Work laptop" in page.text and "Ola's phone" not in page.text
    # The add form is for browsers with WebAuthn only: static/js/passkeys.js shows it.
    assert 'data-passkey="add"' in page.text and "js/passkeys.js" in page.text
    assert "<script>" not in page.text


def test_the_user_handle_is_the_same_each_time_and_each_users_own(client, user):
    """So an authenticator knows its passkeys for one account; it names nobody."""
    login_verified(client, user)
    first = client.post(reverse("passkey_add_begin")).json()["user"]
    again = client.post(reverse("passkey_add_begin")).json()["user"]
    assert first == again and first["name"] == "kari"
    assert len(SoftPasskey.unb64(first["id"])) == 64
    assert b"kari" not in SoftPasskey.unb64(first["id"])
    other = make_user(Role.OPERATOR, username="ola")
    enrol(other)
    theirs = login_verified(Client(), other).post(reverse("passkey_add_begin")).json()["user"]
    assert theirs["id"] != first["id"]


def test_a_passkey_never_accepts_a_typed_code(user, passkey):
    device = Passkey.objects.get(user=user)
    assert device.verify_token("123456") is False
    assert verify_token(user, device.persistent_id, "123456") is None


def test_a_registration_answering_another_challenge_adds_nothing(client, user):
    login_verified(client, user)
    passkey = SoftPasskey()
    stale = client.post(reverse("passkey_add_begin")).json()
    client.post(reverse("passkey_add_begin"))  # a new challenge replaces it
    answer = json.dumps(passkey.register(stale))
    response = client.post(reverse("passkey_add"), {"name": "Laptop", "credential": answer})
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Passkey.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSKEY_ADDED).exists()


def test_a_registration_from_another_origin_or_site_adds_nothing(client, user):
    login_verified(client, user)
    for passkey in (SoftPasskey(origin="https://evil.example"), SoftPasskey(rp_id="evil.example")):
        options = client.post(reverse("passkey_add_begin")).json()
        options["rp"]["id"] = passkey.rp_id  # the authenticator answers for its own site
        answer = json.dumps(passkey.register(options))
        response = client.post(reverse("passkey_add"), {"name": "Laptop", "credential": answer})
        assert response.status_code == 400
    assert not Passkey.objects.exists()


def test_a_registration_without_a_begin_is_a_400(client, user):
    login_verified(client, user)
    answer = json.dumps(SoftPasskey().register({"challenge": "AAAA", "rp": {"id": "localhost"}}))
    response = client.post(reverse("passkey_add"), {"name": "Laptop", "credential": answer})
    assert response.status_code == 400
    assert not Passkey.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Laptop", "credential": "{not json"}, "credential"),
        ({"name": "Laptop", "credential": "[1, 2]"}, "credential"),
        ({"name": "Laptop"}, "credential"),
        ({"name": "", "credential": "{}"}, "name"),
        ({"name": "x" * 65, "credential": "{}"}, "name"),
    ],
)
def test_bad_input_to_adding_is_a_400_naming_the_field(client, user, data, field):
    login_verified(client, user)
    client.post(reverse("passkey_add_begin"))
    response = client.post(reverse("passkey_add"), data)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Passkey.objects.exists()


def test_a_malformed_answer_is_a_400_not_a_500(client, user):
    login_verified(client, user)
    client.post(reverse("passkey_add_begin"))
    answer = json.dumps({"id": "x", "rawId": "!!", "response": {"clientDataJSON": 5}})
    response = client.post(reverse("passkey_add"), {"name": "Laptop", "credential": answer})
    assert response.status_code == 400


def test_the_same_passkey_cannot_be_added_twice(client, user, passkey):
    login_verified(client, user)
    assert add(client, passkey, name="Again").status_code == 400
    assert Passkey.objects.count() == 1


# Signing in


def test_the_second_factor_page_offers_a_passkey_only_to_users_with_one(client, user):
    password_step(client, user)
    page = client.get(reverse("two_factor"))
    assert 'data-passkey="sign-in"' not in page.text
    add(login_verified(Client(), user), SoftPasskey())
    page = client.get(reverse("two_factor"))
    assert 'data-passkey="sign-in"' in page.text
    assert "Bruk en passnøkkel" in page.text


def test_a_passkey_completes_the_sign_in_instead_of_a_code(client, user, passkey):
    password_step(client, user)
    assert not verified(client)
    options = begin_sign_in(client)
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.b64(passkey.credential_id)]
    response = finish_sign_in(client, passkey.sign(options), next_url="/about/")
    assert response.status_code == 200
    assert response.json() == {"redirect": "/about/"}
    assert verified(client)
    assert client.get(reverse("desk:home")).status_code == 200
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_PASSED).get()
    assert event.actor == user and event.details == {"method": "passkey"}
    credential = Passkey.objects.get()
    assert credential.last_used_at is not None and credential.sign_count == passkey.sign_count
    # The session is verified with the passkey, which the passkeys page says.
    assert "brukt for denne innloggingen" in client.get(reverse("passkeys")).text


def test_next_cannot_leave_the_site(client, user, passkey):
    password_step(client, user)
    response = finish_sign_in(client, passkey.sign(begin_sign_in(client)), "https://evil.example/")
    assert response.json() == {"redirect": reverse("home")}


def test_an_answer_to_another_challenge_is_refused_and_counted(client, user, passkey):
    password_step(client, user)
    stale = begin_sign_in(client)
    begin_sign_in(client)
    response = finish_sign_in(client, passkey.sign(stale))
    assert response.status_code == 400
    assert response.json()["error"]
    assert not verified(client)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_FAILED, actor=user).exists()
    assert AccessAttempt.objects.get(username="kari").failures_since_start == 1


def test_an_answer_works_once(client, user, passkey):
    password_step(client, user)
    answer = passkey.sign(begin_sign_in(client))
    assert finish_sign_in(client, answer).status_code == 200
    client.post(reverse("logout"))
    password_step(client, user)
    begin_sign_in(client)
    assert finish_sign_in(client, answer).status_code == 400
    assert not verified(client)


def test_a_forged_signature_is_refused(client, user, passkey):
    password_step(client, user)
    impostor = SoftPasskey()
    impostor.credential_id = passkey.credential_id  # the right id, the wrong key
    assert sign_in(client, impostor).status_code == 400
    assert not verified(client)


def test_someone_elses_passkey_does_not_sign_in_this_user(client, user, passkey):
    other = make_user(Role.OPERATOR, username="ola")
    enrol(other)
    theirs = SoftPasskey()
    add(login_verified(Client(), other), theirs)
    password_step(client, user)
    response = sign_in(client, theirs)
    assert response.status_code == 400
    assert not verified(client)
    assert AccessAttempt.objects.get(username="kari").failures_since_start == 1


def test_an_unknown_credential_is_refused(client, user, passkey):
    password_step(client, user)
    assert sign_in(client, passkey, credential_id=b"no such credential").status_code == 400
    assert not verified(client)


@pytest.mark.parametrize("credential", ["{not json", "[]", ""])
def test_bad_input_to_signing_in_is_a_400_naming_the_field(client, user, passkey, credential):
    password_step(client, user)
    begin_sign_in(client)
    response = client.post(reverse("passkey_sign_in"), {"credential": credential})
    assert response.status_code == 400
    assert "credential" in response.json()["errors"]
    assert not verified(client)


def test_a_sign_in_without_a_begin_is_refused(client, user, passkey):
    password_step(client, user)
    answer = passkey.sign({"challenge": "AAAA"})
    assert finish_sign_in(client, answer).status_code == 400
    assert not verified(client)


def test_without_a_passkey_there_is_nothing_to_begin(client, user):
    password_step(client, user)
    response = client.post(reverse("passkey_sign_in_begin"))
    assert response.status_code == 400
    assert "error" in response.json()


def test_refused_passkeys_lock_the_account_out_like_wrong_codes(client, user, passkey):
    impostor = SoftPasskey()
    impostor.credential_id = passkey.credential_id
    password_step(client, user)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, impostor)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session  # locked out means signed out
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_FAILED).count() == (
        settings.AXES_FAILURE_LIMIT
    )
    # Even the right passkey cannot get past the lockout.
    response = client.post(reverse("login"), {"username": "kari", "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_wrong_codes_and_refused_passkeys_share_one_count(client, user, passkey):
    impostor = SoftPasskey()
    impostor.credential_id = passkey.credential_id
    password_step(client, user)
    client.post(reverse("two_factor"), {"token": "000000"})
    sign_in(client, impostor)
    assert AccessAttempt.objects.get(username="kari").failures_since_start == 2
    assert sign_in(client, passkey).status_code == 200
    assert not AccessAttempt.objects.filter(username="kari").exists()  # forgotten on success


def test_the_code_still_works_beside_a_passkey(client, user, passkey):
    password_step(client, user)
    token = totp_code(TOTPDevice.objects.get(user=user))
    assert client.post(reverse("two_factor"), {"token": token}).status_code == 302
    assert verified(client)


# Removing


def test_a_user_removes_a_passkey_and_it_no_longer_signs_in(client, user, passkey):
    spare = SoftPasskey()
    login_verified(client, user)
    add(client, spare, name="Security key")
    removed = Passkey.objects.get(name="Work laptop")
    response = client.post(reverse("passkey_remove", kwargs={"pk": removed.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("passkeys")
    assert list(Passkey.objects.values_list("name", flat=True)) == ["Security key"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSKEY_REMOVED)
    assert event.actor == user and event.details == {"passkey": "Work laptop"}
    assert verified(client)  # this session was verified with the app, and goes on

    fresh = Client()
    password_step(fresh, user)
    assert sign_in(fresh, passkey).status_code == 400
    assert not verified(fresh)
    assert sign_in(fresh, spare).status_code == 200


def test_someone_elses_passkey_cannot_be_removed(client, user, passkey):
    other = make_user(Role.OPERATOR, username="ola")
    enrol(other)
    login_verified(client, other)
    theirs = Passkey.objects.get(user=user)
    assert client.post(reverse("passkey_remove", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("passkey_remove", kwargs={"pk": 99999})).status_code == 404
    assert Passkey.objects.filter(pk=theirs.pk).exists()


def test_removing_the_passkey_this_session_used_signs_it_out(client, user, passkey):
    password_step(client, user)
    assert sign_in(client, passkey).status_code == 200
    credential = Passkey.objects.get()
    client.post(reverse("passkey_remove", kwargs={"pk": credential.pk}))
    response = client.get(reverse("about"))
    assert response["Location"].startswith(reverse("login"))


def test_a_reset_removes_passkeys_too(user, passkey):
    reset_devices(user)
    assert not Passkey.objects.exists()


# Other sessions


def test_adding_a_passkey_signs_out_the_users_other_sessions(user):
    desk, laptop, phone = Client(), Client(), Client()
    for client in (desk, laptop):
        login_verified(client, user)
    bystander = make_user(Role.OPERATOR, username="ola")
    login_verified(phone, bystander)
    assert add(desk, SoftPasskey()).status_code == 200
    assert verified(desk)
    response = laptop.get(reverse("about"))
    assert response["Location"].startswith(reverse("login"))
    # "Your two-factor settings changed: sign in again."
    assert "totrinnsinnlogging er endret" in laptop.get(response["Location"]).text
    assert verified(phone)  # another user's session is untouched


def test_removing_a_passkey_signs_out_sessions_verified_with_anything(user, passkey):
    desk, with_code, with_passkey = Client(), Client(), Client()
    login_verified(desk, user)
    spare = SoftPasskey()
    add(desk, spare, name="Security key")
    password_step(with_code, user)
    token = totp_code(TOTPDevice.objects.get(user=user))
    assert with_code.post(reverse("two_factor"), {"token": token}).status_code == 302
    password_step(with_passkey, user)
    assert sign_in(with_passkey, spare).status_code == 200
    assert verified(with_code) and verified(with_passkey)

    credential = Passkey.objects.get(name="Work laptop")
    desk.post(reverse("passkey_remove", kwargs={"pk": credential.pk}))
    assert verified(desk)
    assert not verified(with_code)
    assert not verified(with_passkey)


def test_other_sessions_signed_out_keep_every_device_working(client, user, passkey):
    """The devices are issued again under new ids: keys, codes and dates stay."""
    static = StaticDevice.objects.create(user=user, name="recovery codes")
    StaticToken.objects.create(device=static, token="abcd2345")
    added_at = Passkey.objects.get().created_at
    login_verified(client, user)
    add(client, SoftPasskey(), name="Spare")
    assert Passkey.objects.get(name="Work laptop").created_at == added_at

    for answer in ("totp", "recovery", "passkey"):
        fresh = Client()
        password_step(fresh, user)
        if answer == "totp":
            token = totp_code(TOTPDevice.objects.get(user=user))
            assert fresh.post(reverse("two_factor"), {"token": token}).status_code == 302
        elif answer == "recovery":
            assert fresh.post(reverse("two_factor"), {"token": "abcd2345"}).status_code == 302
        else:
            assert sign_in(fresh, passkey).status_code == 200
        assert verified(fresh)


# Access


@pytest.mark.parametrize(
    "name", ["passkey_add_begin", "passkey_add", "passkey_sign_in_begin", "passkey_sign_in"]
)
def test_the_ceremony_steps_refuse_get(client, user, name):
    login_verified(client, user)
    assert client.get(reverse(name)).status_code == 405


def test_removing_refuses_get(client, user, passkey):
    login_verified(client, user)
    pk = Passkey.objects.get().pk
    assert client.get(reverse("passkey_remove", kwargs={"pk": pk})).status_code == 405


@pytest.mark.parametrize(
    "name", ["passkeys", "passkey_add_begin", "passkey_add", "passkey_sign_in_begin"]
)
def test_anonymous_users_are_sent_to_sign_in(client, name):
    response = client.post(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["passkeys", "passkey_add_begin", "passkey_add"])
def test_managing_passkeys_needs_the_second_factor_first(client, user, name):
    password_step(client, user)
    response = client.post(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))
    assert not Passkey.objects.exists()


def test_a_user_without_a_role_cannot_add_passkeys(client):
    nobody = make_user()
    login_verified(client, nobody)
    assert client.get(reverse("passkeys")).status_code == 403
    assert client.post(reverse("passkey_add_begin")).status_code == 403
    assert client.post(reverse("passkey_add"), {"name": "x", "credential": "{}"}).status_code == 403


def test_a_verified_session_has_nothing_to_sign_in_with(client, user, passkey):
    login_verified(client, user)
    assert client.post(reverse("passkey_sign_in_begin")).status_code == 400
    response = client.post(reverse("passkey_sign_in"), {"credential": "{}", "next": "/about/"})
    assert response.json() == {"redirect": "/about/"}
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_FAILED).exists()


# Settings

PRINT_WEBAUTHN = (
    "from django.conf import settings; import django; django.setup(); "
    "print(settings.WEBAUTHN_RP_ID, settings.WEBAUTHN_RP_NAME, "
    "','.join(settings.WEBAUTHN_ALLOWED_ORIGINS))"
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "s" * 60,
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "true"}, "localhost Hjelpetelefonen http://localhost:8000"),
        (
            {**PRODUCTION, "ALLOWED_HOSTS": ".desk.example.no,other.example.no"},
            "desk.example.no Hjelpetelefonen https://desk.example.no",
        ),
        (
            {
                **PRODUCTION,
                "ALLOWED_HOSTS": "*",
                "WEBAUTHN_RP_ID": "example.no",
                "WEBAUTHN_RP_NAME": "Vakt",
                "WEBAUTHN_ALLOWED_ORIGINS": "https://desk.example.no,https://vakt.example.no",
            },
            "example.no Vakt https://desk.example.no,https://vakt.example.no",
        ),
    ],
)
def test_the_relying_party_comes_from_the_environment(env, expected):
    result = start(PRINT_WEBAUTHN, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# Start-up


def test_django_and_the_urls_load_without_webauthn_or_cryptography():
    """Each worker loads these at start-up; py_webauthn and the crypto stack it pulls in
    (some 23 MB a worker) are imported only by a passkey ceremony."""
    code = (
        "import sys, django; django.setup(); import hotline.urls; "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'cryptography', 'webauthn'}))"
    )
    result = start(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
