"""The one check behind every "next" address: only this site's own pages are followed."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hotline.calls.models import Call
from hotline.http import safe_next_url
from services_directory.models import ErrorReport
from tests.factories import enrol, make_service

# What an attacker (or a typo) may put in "next": none of it may be followed, and none of
# it may be taken for a URL name ("logout" once led to the logout page).
UNSAFE = [
    "foo",
    "logout",
    "//evil.example",
    "/\\evil",
    "https://evil.example/",
    "/\t/evil.example",
    "/desk/\r\nSet-Cookie: x=1",
]
SAFE = "/desk/?municipality=1804&topic=rape"


@pytest.fixture
def request_(rf: RequestFactory):
    return rf.get("/")


@pytest.mark.parametrize(
    "url",
    ["/desk/?municipality=1804", "/desk/?topic=rape&topic=violence#results", "/"],
)
def test_a_path_on_this_site_is_kept(request_, url):
    assert safe_next_url(request_, url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        *UNSAFE,
        "//evil.example/desk/",
        "///evil.example/",
        "/\\/evil.example/",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
        # A full address, even of this site: only paths are followed.
        "http://testserver/desk/",
    ],
)
def test_anything_else_is_dropped(request_, url):
    assert safe_next_url(request_, url) == ""


def test_over_https_a_path_is_kept(rf):
    assert safe_next_url(rf.get("/", secure=True), "/desk/") == "/desk/"


# Every view that follows a posted or linked "next", each with the page it falls back to.


@pytest.fixture
def open_call(operator_client, operator, operator_site):
    return Call.start(operator, operator_site)


@pytest.mark.parametrize("next_", UNSAFE)
def test_start_call_ignores_an_unsafe_next(operator_client, operator_site, next_):
    response = operator_client.post(
        reverse("calls:start"), {"site": operator_site.pk, "next": next_}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home")


def test_start_call_follows_a_path(operator_client, operator_site):
    response = operator_client.post(
        reverse("calls:start"), {"site": operator_site.pk, "next": SAFE}
    )
    assert response.status_code == 302
    assert response["Location"] == SAFE


@pytest.mark.parametrize("next_", UNSAFE)
def test_autosave_ignores_an_unsafe_next(operator_client, open_call, next_):
    response = operator_client.post(reverse("calls:autosave"), {"next": next_})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home")


def test_autosave_follows_a_path(operator_client, open_call):
    response = operator_client.post(reverse("calls:autosave"), {"next": SAFE})
    assert response.status_code == 302
    assert response["Location"] == SAFE


def test_autosave_without_an_open_call_is_404(operator_client):
    assert operator_client.post(reverse("calls:autosave"), {"next": "foo"}).status_code == 404


def test_start_call_refuses_get(operator_client):
    assert operator_client.get(reverse("calls:start"), {"next": "foo"}).status_code == 405


def test_start_call_is_forbidden_to_an_editor(editor_client):
    assert editor_client.post(reverse("calls:start"), {"next": "foo"}).status_code == 403


@pytest.fixture
def service(db):
    return make_service("Krisesenteret")


def _report(client, service, next_):
    url = reverse("directory:report_error", args=[service.pk])
    return client.post(url, {"kind": ErrorReport.Kind.choices[0][0], "next": next_})


@pytest.mark.parametrize("next_", UNSAFE)
def test_report_error_ignores_an_unsafe_next(operator_client, service, next_):
    response = _report(operator_client, service, next_)
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert response["Location"] == reverse("home")


def test_report_error_follows_a_path(operator_client, service):
    response = _report(operator_client, service, SAFE)
    assert response.status_code == 302
    assert response["Location"] == SAFE


def test_report_error_on_an_unknown_service_is_404(operator_client, service):
    url = reverse("directory:report_error", args=[service.pk + 1000])
    assert operator_client.post(url, {"next": "foo"}).status_code == 404


def test_report_error_is_forbidden_to_a_supervisor(supervisor_client, service):
    assert _report(supervisor_client, service, "foo").status_code == 403


@pytest.mark.parametrize("next_", UNSAFE)
def test_two_factor_link_ignores_an_unsafe_next(operator_client, next_):
    # A link anyone can send a signed-in user.
    response = operator_client.get(reverse("two_factor"), {"next": next_})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_two_factor_link_follows_a_path(operator_client):
    response = operator_client.get(reverse("two_factor"), {"next": SAFE})
    assert response.status_code == 302
    assert response["Location"] == SAFE


def test_two_factor_step_keeps_only_a_safe_next_in_its_form(client, operator):
    enrol(operator)
    client.force_login(operator)
    for next_ in UNSAFE:
        response = client.get(reverse("two_factor"), {"next": next_})
        assert response.status_code == 200
        assert response.context["next"] == reverse("home")


def test_two_factor_refuses_put(operator_client):
    assert operator_client.put(reverse("two_factor")).status_code == 405


def test_two_factor_for_anonymous_goes_to_login(client):
    response = client.get(reverse("two_factor"), {"next": "logout"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
