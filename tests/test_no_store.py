"""No browser or proxy may keep a staff response: every one is Cache-Control: no-store,
error pages included. Only the public API's answers are cacheable, by design."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.http import PUBLIC_API_PREFIX
from tests.factories import login_verified, make_service, make_user
from tests.urlwalk import routes

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "operator": {"roles": [Role.OPERATOR]},
    "editor": {"roles": [Role.EDITOR], "is_staff": True},
    "supervisor": {"roles": [Role.SUPERVISOR]},
    "admin": {"roles": [], "is_staff": True, "is_superuser": True},
}


def client_as(role: str) -> Client:
    client = Client(raise_request_exception=False)
    if ROLES[role] is not None:
        fields = dict(ROLES[role])
        login_verified(client, make_user(*fields.pop("roles"), username=role, **fields))
    return client


def assert_no_store(response, what: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), f"{what}: {response.status_code}"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_staff_response_is_no_store(role):
    service = make_service("Krisesenteret")
    client = client_as(role)
    checked = 0
    for route in routes():
        if route.name == "logout" or (route.is_admin and role != "admin"):
            continue
        url = route.url(str(service.pk))
        if url.startswith(PUBLIC_API_PREFIX):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert_no_store(response, f"{role} {method.upper()} {url}")
            checked += 1
    assert checked > 60


@pytest.mark.parametrize(
    "url", ["/directory/", "/accounts/passkeys/", "/no/such/page/", "/reports/"]
)
def test_named_pages_are_no_store(editor_client, url):
    # /reports/ is a 403 for an editor; /no/such/page/ a 404.
    response = editor_client.get(url)
    assert response.status_code in {200, 403, 404}
    assert_no_store(response, url)


def test_a_bad_request_and_a_server_error_are_no_store(operator):
    client = Client(raise_request_exception=False)
    login_verified(client, operator)
    response = client.get(reverse("desk:home"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_no_store(response, "400")
    with mock.patch("hotline.desk.views.render", side_effect=RuntimeError("bug")):
        response = client.get(reverse("desk:home"))
    assert response.status_code == 500
    assert_no_store(response, "500")


def test_the_csrf_failure_page_is_no_store(operator):
    client = Client(enforce_csrf_checks=True)
    login_verified(client, operator)
    response = client.post(reverse("calls:start"))
    assert response.status_code == 403
    assert_no_store(response, "CSRF failure")


def test_the_public_api_stays_cacheable(client, db):
    response = client.get(reverse("api:public_services"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
