"""What a caller says about where they live, turned into a municipality."""

import pytest
from django.core.exceptions import ValidationError

from services_directory import places


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Bodø", "1804"),
        ("bodo", "1804"),  # no ø on the keyboard
        ("  BODØ ", "1804"),
        ("Guovdageaidnu", "5612"),  # Northern Sámi name of Kautokeino
        ("Kautokeino", "5612"),
        ("Mo i Rana", "1833"),  # a place, not a municipality
        ("8006", "1804"),  # a postcode
        ("8006 Bodø", "1804"),
        ("Herøy (Nordland)", "1818"),
        ("Herøy (Møre og Romsdal)", "1515"),
        ("Aal", "3328"),  # old spelling of Ål
        ("Romsa", "5501"),  # North Sámi name of the town of Tromsø
        ("Tromssa", "5501"),  # Kven name of the town of Tromsø
        ("tromssa", "5501"),
        ("Máze", "5612"),  # North Sámi name of Masi, in Kautokeino
        ("Maze", "5612"),  # as typed without á
        ("Masi", "5612"),
        ("Raane", "1833"),  # South Sámi name of Rana, official since 2024 (SSB)
        ("Fuolldá", "1845"),  # Lule Sámi, Sørfold
        ("Levangke", "5037"),  # South Sámi, Levanger
        ("Rivtták", "5516"),  # North Sámi, Gratangen
        ("Čáhcesuolu", "5607"),  # North Sámi name of the town of Vadsø (GeoNames)
        ("Hámmárfeasta", "5603"),  # Hammerfest
        ("Deanušaldi", "5628"),  # Tana bru, in Tana
        ("Máze (Masi)", "5612"),  # as suggested: with the place, not the municipality
        ("Guovžajávri (Bjørnevatn)", "5605"),
    ],
)
def test_resolves(db, text, number):
    assert places.resolve(text).municipality.number == number


def test_shared_names_are_ambiguous_and_list_the_counties(db):
    with pytest.raises(ValidationError) as caught:
        places.resolve("Herøy")
    assert caught.value.code == "ambiguous"
    assert "Herøy (Nordland)" in caught.value.message
    assert "Herøy (Møre og Romsdal)" in caught.value.message


@pytest.mark.parametrize("text", ["Atlantis", "0000", "Herøy (Troms)"])
def test_unknown_places(db, text):
    with pytest.raises(ValidationError) as caught:
        places.resolve(text)
    assert caught.value.code == "unknown"


def test_svalbard_postcodes_have_no_municipality(db):
    resolved = places.resolve("9170")
    assert resolved.municipality is None
    assert "Svalbard" in resolved.label


def test_suggestions_show_the_county_for_shared_names(db):
    values = [entry.value for entry in places.suggest("herø")]
    assert values[:2] == ["Herøy (Møre og Romsdal)", "Herøy (Nordland)"]


def test_suggestions_cover_sami_names_places_and_postcodes(db):
    assert "Guovdageaidnu" in [e.value for e in places.suggest("guovda")]
    assert "Mo i Rana (Rana)" in [e.value for e in places.suggest("mo i r")]
    postcodes = [e.value for e in places.suggest("800")]
    assert postcodes and all(code.startswith("800") for code in postcodes)


def test_suggested_values_resolve(db):
    for prefix in ("her", "tr", "mo", "guov", "80", "ma", "deanu"):
        for entry in places.suggest(prefix):
            assert places.resolve(entry.value).municipality.pk == entry.municipality_id


def test_municipality_numbers(db):
    assert places.resolve_municipality_number("0301").municipality.name == "Oslo"
    with pytest.raises(ValidationError):
        places.resolve_municipality_number("9999")


def test_sami_and_kven_place_names_are_suggested_with_the_place(db):
    suggestions = {e.value: e for e in places.suggest("roms")}
    assert "Romsa (Tromsø)" in suggestions
    assert suggestions["Romsa (Tromsø)"].label == "Tromsø"
    assert "Tromssa (Tromsø)" in [e.value for e in places.suggest("tromss")]
    assert "Máze (Masi)" in [e.value for e in places.suggest("maze")]
    # What the suggestion puts in the box resolves too.
    assert places.resolve("Romsa (Tromsø)").municipality.number == "5501"
