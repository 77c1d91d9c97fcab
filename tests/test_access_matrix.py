"""Every URL, for every kind of user, gets the expected status.

The table must name every URL pattern: adding a view without adding its access rule
here fails `test_every_url_has_a_rule`. Django admin's own per-model pages are governed
by the admin's staff/permission checks; the matrix covers its index.
"""

from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hotline.accounts.roles import Role
from tests.factories import enrol, login_verified, make_user

ANON, OPERATOR, EDITOR, SUPERVISOR = "anonymous", "operator", "editor", "supervisor"
USERS = [ANON, OPERATOR, EDITOR, SUPERVISOR]

# url name -> (kwargs, {user: expected GET status})
EXPECTED: dict[str, tuple[dict, dict[str, int]]] = {
    "home": ({}, {ANON: 302, OPERATOR: 302, EDITOR: 302, SUPERVISOR: 302}),
    "about": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "healthz": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "login": ({}, {ANON: 200, OPERATOR: 302, EDITOR: 302, SUPERVISOR: 302}),
    "logout": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    # A verified session has nothing left to do here and goes on.
    "two_factor": ({}, {ANON: 302, OPERATOR: 302, EDITOR: 302, SUPERVISOR: 302}),
    "two_factor_setup": ({}, {ANON: 302, OPERATOR: 302, EDITOR: 302, SUPERVISOR: 302}),
    "passkeys": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "passkey_add_begin": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "passkey_add": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "passkey_remove": ({"pk": 1}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "passkey_sign_in_begin": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "passkey_sign_in": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "set_language": ({}, {ANON: 405, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "desk:home": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 403, SUPERVISOR: 403}),
    "directory:dashboard": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 200, SUPERVISOR: 403}),
    "directory:verify": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "desk:places": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 403, SUPERVISOR: 403}),
    "desk:confidential_address": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "audit:log": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "desk:shelters": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 403, SUPERVISOR: 403}),
    "desk:guide": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 403}),
    "desk:guide_article": (
        {"pk": 1},  # no such article
        {ANON: 302, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 403},
    ),
    "guide:reviewed": ({"pk": 1}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "calls:start": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "calls:autosave": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "calls:close": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "calls:discard": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "calls:add_referral": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "calls:remove_referral": (
        {"service_pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "api:search": ({}, {ANON: 401, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "directory:report_error": (
        {"pk": 1},  # no such service: 404 for the roles that may report
        {ANON: 302, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 403},
    ),
    "directory:resolve_error_report": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "api:public_services": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_hsds_services": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_hsds": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_hsds_profile": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_hsds_organizations": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_hsds_taxonomies": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_hsds_taxonomy_terms": (
        {},
        {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200},
    ),
    "api:public_hsds_service_at_locations": (
        {},
        {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200},
    ),
    # No such object: the same 404 for everyone.
    **{
        f"api:public_hsds_{name}": (
            {"id": "5b9e3f0e-2f4e-4d7a-8f59-0d7a2b1c9e11"},
            {ANON: 404, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 404},
        )
        for name in ("service", "organization", "taxonomy", "taxonomy_term", "service_at_location")
    },
    "api:public_openapi": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_gaps": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_gaps_csv": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "open_gaps": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "api:public_not_found": (
        {"rest": "nothing"},
        {ANON: 404, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 404},
    ),
    # Without its personal key the shelters' form does not exist for anyone.
    "capacity:update": ({}, {ANON: 404, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 404}),
    "directory:capacity_link": (
        {"pk": 1},  # no such shelter
        {ANON: 302, OPERATOR: 403, EDITOR: 404, SUPERVISOR: 403},
    ),
    "directory:revoke_capacity_link": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    # Without its personal key a service's confirmation page does not exist for anyone.
    "confirm:entry": ({}, {ANON: 404, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 404}),
    "confirm:all_correct": ({}, {ANON: 405, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "confirm:propose": ({}, {ANON: 404, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 404}),
    "directory:confirmation_link": (
        {"pk": 1},  # no such service
        {ANON: 302, OPERATOR: 403, EDITOR: 404, SUPERVISOR: 403},
    ),
    "directory:revoke_confirmation_link": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "directory:proposal": (
        {"pk": 1},  # no such proposal
        {ANON: 302, OPERATOR: 403, EDITOR: 404, SUPERVISOR: 403},
    ),
    "directory:accept_proposal": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "directory:reject_proposal": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "reports:home": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:callers": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:referrals": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:unmet": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:export": (
        {"table": "channels"},
        {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200},
    ),
    "admin:index": ({}, {ANON: 302, OPERATOR: 302, EDITOR: 200, SUPERVISOR: 302}),
    # The anonymous chat is open to anyone; recording one needs the chat's id (400 without).
    "chat:writer": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "chat:leave": ({}, {ANON: 405, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "chat:record": ({}, {ANON: 302, OPERATOR: 400, EDITOR: 403, SUPERVISOR: 403}),
    "chat:live": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if inner == "admin:":
                yield "admin:index"  # the admin's own pages share one access rule
                continue
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else str(pattern.pattern)


def test_every_url_has_a_rule():
    assert set(_url_names()) == set(EXPECTED)


@pytest.fixture(scope="module")
def users(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        created = {
            OPERATOR: make_user(Role.OPERATOR, username="matrix-op"),
            EDITOR: make_user(Role.EDITOR, username="matrix-ed", is_staff=True),
            SUPERVISOR: make_user(Role.SUPERVISOR, username="matrix-sup"),
            "admin": make_user(username="matrix-admin", is_superuser=True, is_staff=True),
        }
    yield created
    with django_db_blocker.unblock():
        for user in created.values():
            user.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_status(client, users, name, who):
    kwargs, statuses = EXPECTED[name]
    if who != ANON:
        login_verified(client, users[who])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == statuses[who]


# Pages that are open without a password, or are themselves sign-in steps: everything
# else needs the second factor.
SIGN_IN_STEPS = {
    "login",
    "logout",
    "two_factor",
    "two_factor_setup",
    "passkey_sign_in_begin",
    "passkey_sign_in",
}
OPEN = {name for name, (_kwargs, statuses) in EXPECTED.items() if statuses[ANON] != 302}
ROLE_PAGES = sorted(set(EXPECTED) - OPEN - SIGN_IN_STEPS)


@pytest.mark.django_db
@pytest.mark.parametrize("who", [OPERATOR, EDITOR, SUPERVISOR, "admin"])
@pytest.mark.parametrize("name", ROLE_PAGES)
def test_a_password_alone_reaches_no_role_page(client, users, name, who):
    """Signed in with the password but not the code: every role page (the admin's too)
    sends the user to the second factor, and never answers with its content."""
    user = users[who]
    enrol(user)
    client.force_login(user)  # the password step only
    kwargs, _statuses = EXPECTED[name]
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor')}?{urlencode({'next': url})}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["desk:home", "reports:home", "admin:index"])
def test_without_an_authenticator_the_user_is_sent_to_set_one_up(client, name):
    client.force_login(make_user(Role.OPERATOR, Role.SUPERVISOR, is_staff=True))
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


@pytest.mark.django_db
def test_the_staff_api_refuses_a_password_alone(client, users):
    enrol(users[OPERATOR])
    client.force_login(users[OPERATOR])
    response = client.get(reverse("api:search"))
    assert response.status_code == 401
    assert "errors" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OPEN - {"api:search"}))
def test_open_pages_stay_open_before_the_second_factor(client, users, name):
    client.force_login(users[OPERATOR])
    kwargs, statuses = EXPECTED[name]
    assert client.get(reverse(name, kwargs=kwargs)).status_code == statuses[OPERATOR]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.OPERATOR, "desk:home"),
        (Role.EDITOR, "directory:dashboard"),
        (Role.SUPERVISOR, "reports:home"),
    ],
)
def test_each_role_lands_on_its_home(client, role, home):
    login_verified(client, make_user(role))
    response = client.get(reverse("home"))
    assert response["Location"] == reverse(home)


@pytest.mark.django_db
def test_user_without_role_is_refused(client):
    login_verified(client, make_user())
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("desk:home")).status_code == 403


@pytest.mark.django_db
def test_superuser_chooses_among_all_roles(client):
    login_verified(client, make_user(username="admin", is_superuser=True, is_staff=True))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    for home in ("desk:home", "directory:dashboard", "reports:home"):
        assert reverse(home) in response.text


@pytest.mark.django_db
def test_post_to_a_read_only_page_is_405(operator_client):
    assert operator_client.post(reverse("desk:home")).status_code == 405


@pytest.mark.django_db
def test_unknown_url_is_404_for_staff(operator_client):
    assert operator_client.get("/no-such-page/").status_code == 404
