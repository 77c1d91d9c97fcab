"""The one check behind every "next" address: only this site's own pages are followed."""

import pytest
from django.test import RequestFactory

from hotline.http import safe_next_url


@pytest.fixture
def request_(rf: RequestFactory):
    return rf.get("/")


@pytest.mark.parametrize(
    "url",
    [
        "/desk/?municipality=1804",
        "/desk/?topic=rape&topic=violence#results",
        "http://testserver/desk/",
    ],
)
def test_an_address_on_this_site_is_kept(request_, url):
    assert safe_next_url(request_, url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/desk/",
        "///evil.example/",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_anything_else_is_dropped(request_, url):
    assert safe_next_url(request_, url) == ""


def test_over_https_a_plain_http_address_is_dropped(rf):
    secure = rf.get("/", secure=True)
    assert safe_next_url(secure, "http://testserver/desk/") == ""
    assert safe_next_url(secure, "https://testserver/desk/") == "https://testserver/desk/"
    assert safe_next_url(secure, "/desk/") == "/desk/"
