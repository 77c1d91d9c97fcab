"""Every URL, for every kind of user, gets the expected status.

The table must name every URL pattern: adding a view without adding its access rule
here fails `test_every_url_has_a_rule`. Django admin's own per-model pages are governed
by the admin's staff/permission checks; the matrix covers its index.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hotline.accounts.roles import Role
from tests.factories import make_user

ANON, OPERATOR, EDITOR, SUPERVISOR = "anonymous", "operator", "editor", "supervisor"
USERS = [ANON, OPERATOR, EDITOR, SUPERVISOR]

# url name -> (kwargs, {user: expected GET status})
EXPECTED: dict[str, tuple[dict, dict[str, int]]] = {
    "home": ({}, {ANON: 302, OPERATOR: 302, EDITOR: 302, SUPERVISOR: 302}),
    "about": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "healthz": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
    "login": ({}, {ANON: 200, OPERATOR: 302, EDITOR: 302, SUPERVISOR: 302}),
    "logout": ({}, {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "set_language": ({}, {ANON: 405, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405}),
    "desk:home": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 403, SUPERVISOR: 403}),
    "directory:dashboard": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 200, SUPERVISOR: 403}),
    "directory:verify": (
        {"pk": 1},
        {ANON: 302, OPERATOR: 405, EDITOR: 405, SUPERVISOR: 405},
    ),
    "desk:places": ({}, {ANON: 302, OPERATOR: 200, EDITOR: 403, SUPERVISOR: 403}),
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
    "api:public_hsds_service": (
        {"pk": 1},
        {ANON: 404, OPERATOR: 404, EDITOR: 404, SUPERVISOR: 404},
    ),
    "api:public_openapi": ({}, {ANON: 200, OPERATOR: 200, EDITOR: 200, SUPERVISOR: 200}),
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
    "reports:home": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:callers": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:referrals": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:unmet": ({}, {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200}),
    "reports:export": (
        {"table": "channels"},
        {ANON: 302, OPERATOR: 403, EDITOR: 403, SUPERVISOR: 200},
    ),
    "admin:index": ({}, {ANON: 302, OPERATOR: 302, EDITOR: 200, SUPERVISOR: 302}),
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
        client.force_login(users[who])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == statuses[who]


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
    client.force_login(make_user(role))
    response = client.get(reverse("home"))
    assert response["Location"] == reverse(home)


@pytest.mark.django_db
def test_user_without_role_is_refused(client):
    client.force_login(make_user())
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("desk:home")).status_code == 403


@pytest.mark.django_db
def test_superuser_chooses_among_all_roles(client):
    client.force_login(make_user(username="admin", is_superuser=True, is_staff=True))
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
