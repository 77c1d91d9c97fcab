import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


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
