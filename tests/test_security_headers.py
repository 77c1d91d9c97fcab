from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse

from hotline.accounts.roles import Role
from services_directory.models import CapacityLink
from tests.factories import make_service, make_user

pytestmark = pytest.mark.django_db

# Every response of the app carries these, whatever its kind.
HEADERS = {
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def test_pages_carry_a_strict_content_security_policy(operator_client):
    response = operator_client.get(reverse("desk:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_base_page_sets_csrf_for_htmx_once_and_loads_only_local_scripts(operator_client):
    text = operator_client.get(reverse("desk:home")).text
    assert text.count("hx-headers=") == 1
    assert "/static/vendor/htmx-2.0.11.min.js" in text
    assert "https://" not in text.split("<body")[0]


def capacity_form(client):
    shelter = make_service("Krisesenteret", types=["krisesenter"], covers_whole_country=True)
    _link, token = CapacityLink.issue(shelter, make_user(Role.EDITOR, username="issuer"))
    return client.get(f"{reverse('capacity:update')}?{urlencode({'key': token})}")


def as_role(role, path, **extra):
    def fetch(client):
        client.force_login(make_user(role, username="viewer", **extra))
        return client.get(path)

    return fetch


def public_api_limited(client, settings):
    settings.PUBLIC_API_RATE_LIMIT = 1
    cache.clear()
    client.get(reverse("api:public_services"))
    response = client.get(reverse("api:public_services"))
    cache.clear()
    return response


def static_file(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # read at start-up: no collectstatic in tests
    return client.get("/static/js/desk.js")


PAGES = {
    # name: (how to fetch it, the status it must have, whether it is an HTML page)
    "login": (lambda c: c.get(reverse("login")), 200, True),
    "redirect to login": (lambda c: c.get(reverse("desk:home")), 302, False),
    "desk": (as_role(Role.OPERATOR, "/desk/"), 200, True),
    "staff API": (as_role(Role.OPERATOR, "/api/v1/search?municipality=0301"), 200, False),
    "directory": (as_role(Role.EDITOR, "/directory/", is_staff=True), 200, True),
    "reports": (as_role(Role.SUPERVISOR, "/reports/"), 200, True),
    "forbidden": (as_role(Role.OPERATOR, "/reports/"), 403, True),
    "admin": (as_role(Role.EDITOR, "/admin/", is_staff=True), 200, True),
    "about": (as_role(Role.OPERATOR, "/about/"), 200, True),
    "public API": (lambda c: c.get(reverse("api:public_services")), 200, False),
    "public API schema": (lambda c: c.get(reverse("api:public_openapi")), 200, False),
    "public API 404": (lambda c: c.get("/api/v1/public/nothing"), 404, False),
    "healthz": (lambda c: c.get(reverse("healthz")), 200, False),
    "capacity form": (capacity_form, 200, True),
    "capacity, bad key": (lambda c: c.get(reverse("capacity:update"), {"key": "x"}), 404, True),
    "not found": (as_role(Role.OPERATOR, "/no/such/page/"), 404, True),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_kind_of_response_carries_the_security_headers(client, settings, name):
    fetch, status, html = PAGES[name]
    response = fetch(client)
    assert response.status_code == status
    check(response, html)


@pytest.mark.parametrize("fetch", [public_api_limited, static_file])
def test_rate_limited_and_static_responses_carry_them_too(client, settings, fetch):
    response = fetch(client, settings)
    assert response.status_code == (429 if fetch is public_api_limited else 200)
    check(response, html=False, framable=fetch is static_file)


def check(response, html: bool, framable: bool = False) -> None:
    """``framable``: WhiteNoise answers static files before the clickjacking middleware;
    scripts and stylesheets cannot be framed into a page anyway."""
    for header, value in HEADERS.items():
        if not (framable and header == "X-Frame-Options"):
            assert response[header] == value, header
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "publickey-credentials" not in policy  # passkeys stay usable on our origin
    if html:
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
