"""A NUL byte (or any id the model cannot hold) in a path is "not found", never a 500.

PostgreSQL refuses NUL in any query (a DataError), so this matters most there: CI runs it
on both databases.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import login_verified, make_user
from tests.urlwalk import routes

pytestmark = pytest.mark.django_db

# Every route with an id in its path (not the admin's app list, whose part is a fixed word).
WITH_IDS = [r for r in routes() if (r.params or r.positional) and not r.regex_choices]


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "x" * 300, "-1"])
def test_no_path_parameter_takes_the_server_down(value):
    admin = Client(raise_request_exception=False)
    login_verified(admin, make_user(username="admin", is_staff=True, is_superuser=True))
    for route in WITH_IDS:
        response = admin.get(route.url(value))
        # The admin answers a missing object by going back to its index (302); a
        # read-only admin page refuses its delete page first (403).
        assert response.status_code == 302 or 400 <= response.status_code < 500, route.name


@pytest.mark.parametrize(
    "name",
    [
        "public_hsds_service",
        "public_hsds_organization",
        "public_hsds_taxonomy",
        "public_hsds_taxonomy_term",
        "public_hsds_service_at_location",
    ],
)
def test_a_nul_in_a_public_id_is_the_apis_json_404(client, name):
    url = reverse(f"api:{name}", kwargs={"id": "x"}).removesuffix("x") + "%00"
    response = client.get(url)
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["__all__"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_language_with_a_nul_in_its_code_is_missing_in_the_admin():
    admin = Client()
    login_verified(admin, make_user(username="admin", is_staff=True, is_superuser=True))
    url = reverse("admin:services_directory_language_change", args=["x"]).replace("/x/", "/%00/")
    response = admin.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_history_page_with_a_word_for_an_id_is_404():
    admin = Client()
    login_verified(admin, make_user(username="admin", is_staff=True, is_superuser=True))
    url = reverse("admin:services_directory_service_history", args=["x"])
    assert admin.get(url).status_code == 404
