"""The UI is bokmål by default, English on request, from committed catalogs."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db
PO_FILE = Path(__file__).resolve().parent.parent / "locale/nb/LC_MESSAGES/django.po"


def test_desk_is_in_bokmal_by_default(operator_client):
    text = operator_client.get(reverse("desk:home")).text
    assert '<html lang="nb">' in text
    assert "Operatørpult" in text
    assert "Hopp til innholdet" in text


def test_language_switch_gives_english(operator_client):
    operator_client.post(reverse("set_language"), {"language": "en", "next": "/desk/"})
    text = operator_client.get(reverse("desk:home")).text
    assert '<html lang="en">' in text
    assert "Operator desk" in text


def test_every_catalog_entry_is_translated_and_compiled():
    """Guards against a .po edited without recompiling, or strings left untranslated."""
    po = PO_FILE.read_text(encoding="utf-8")
    assert "#, fuzzy\nmsgid" not in po
    assert not re.search(r'\nmsgstr ""\n\n', po), "untranslated entries in django.po"
    with translation.override("nb"):
        assert translation.gettext("Review overdue") == "Gjennomgang forfalt"
        assert translation.gettext("Operator desk") == "Operatørpult"


def test_an_english_browser_still_gets_bokmal_until_the_user_switches(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="nb">' in response.text
