import csv
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from services_directory.models import County, Municipality, Place, Postcode
from services_directory.reference_data import DATA_DIR, load_all

pytestmark = pytest.mark.django_db


def test_reference_data_is_complete():
    # conftest's django_db_setup ran load_reference_data once for the session.
    assert Municipality.objects.active().count() == 357
    assert County.objects.active().count() == 15
    with (DATA_DIR / "postcodes.csv").open(encoding="utf-8") as handle:
        expected_postcodes = sum(1 for _ in handle) - 1
    assert expected_postcodes == 5122
    assert Postcode.objects.active().count() == expected_postcodes
    assert Place.objects.active().count() > 600


def test_loading_twice_changes_nothing(capsys):
    before = list(Municipality.objects.values().order_by("number"))
    call_command("load_reference_data")
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 0 deactivated" in out
    assert out.count("0 created, 0 updated, 0 deactivated") == 5  # place names too
    assert list(Municipality.objects.values().order_by("number")) == before


def test_verbosity_0_prints_nothing_and_the_default_reports(capsys):
    # conftest loads with verbosity 0; anything printed lands in the test progress line.
    call_command("load_reference_data", verbosity=0)
    assert capsys.readouterr() == ("", "")
    call_command("load_reference_data")
    assert "counties: 0 created, 0 updated, 0 deactivated, 15 unchanged" in capsys.readouterr().out


def test_svalbard_and_jan_mayen_postcodes_are_kept_as_territories():
    longyearbyen = Postcode.objects.get(code="9170")
    assert longyearbyen.territory == Postcode.Territory.SVALBARD
    assert longyearbyen.municipality is None
    assert longyearbyen.area_number == "2100"
    assert Postcode.objects.get(code="8099").territory == Postcode.Territory.JAN_MAYEN
    assert Postcode.objects.filter(municipality__isnull=True).count() == 8


def test_postcode_resolves_to_its_municipality():
    assert Postcode.objects.get(code="0150").municipality.number == "0301"
    assert Postcode.objects.get(code="9520").municipality.name == "Kautokeino"


def test_shared_names_are_labelled_with_county():
    labels = {m.label for m in Municipality.objects.filter(name="Herøy")}
    assert labels == {"Herøy (Nordland)", "Herøy (Møre og Romsdal)"}
    assert Municipality.objects.get(number="0301").label == "Oslo"


def test_sami_names_are_loaded():
    assert Municipality.objects.get(number="5612").sami_name == "Guovdageaidnu"


def _copy_data(tmp_path):
    for name in ("municipalities.csv", "postcodes.csv", "places.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _rewrite(path, transform):
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, [transform(row) for row in reader]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(row for row in rows if row)


def test_a_merger_deactivates_old_municipalities_and_never_deletes_them(tmp_path):
    """Hypothetical merger: Hole (3310) joins Ringerike (3305)."""
    data = _copy_data(tmp_path)
    _rewrite(data / "municipalities.csv", lambda row: None if row["number"] == "3310" else row)

    def move_to_ringerike(row):
        if row["municipality_number"] == "3310":
            row["municipality_number"] = "3305"
        return row

    _rewrite(data / "postcodes.csv", move_to_ringerike)
    _rewrite(data / "places.csv", move_to_ringerike)
    hole = Municipality.objects.get(number="3310")

    results = load_all(data)

    assert results["municipalities"].deactivated == 1
    hole.refresh_from_db()
    assert hole.is_active is False
    assert Municipality.objects.active().count() == 356
    assert Municipality.objects.count() == 357
    moved = Postcode.objects.filter(code="3530")
    assert moved.get().municipality.number == "3305"


def test_a_renumbering_creates_the_new_number_and_keeps_the_old(tmp_path):
    data = _copy_data(tmp_path)

    def renumber(row):
        for key in ("number", "municipality_number"):
            if row.get(key) == "0301":
                row[key] = "0399"
        return row

    for name in ("municipalities.csv", "postcodes.csv", "places.csv"):
        _rewrite(data / name, renumber)

    load_all(data)

    assert Municipality.objects.get(number="0301").is_active is False
    assert Municipality.objects.get(number="0399").name == "Oslo"
    assert Postcode.objects.get(code="0150").municipality.number == "0399"


def test_unknown_municipality_in_postcodes_fails_loudly(tmp_path):
    data = _copy_data(tmp_path)

    def break_row(row):
        if row["postcode"] == "0150":
            row["municipality_number"] = "9999"
        return row

    _rewrite(data / "postcodes.csv", break_row)
    with pytest.raises(CommandError, match="0150"):
        call_command("load_reference_data", data_dir=data)


def test_coordinates_outside_norway_are_rejected(tmp_path):
    data = _copy_data(tmp_path)

    def swap(row):
        if row["number"] == "0301":
            row["lat"], row["lon"] = row["lon"], row["lat"]
        return row

    _rewrite(data / "municipalities.csv", swap)
    with pytest.raises(CommandError, match="outside Norway"):
        call_command("load_reference_data", data_dir=data)
    assert Municipality.objects.get(number="0301").latitude > 59


def test_every_place_name_says_where_it_comes_from():
    from services_directory.models import PlaceName

    names = {n.name: n for n in PlaceName.objects.active().select_related("municipality")}
    assert {"Romsa", "Tromssa", "Máze", "Masi"} <= set(names)
    assert (names["Romsa"].language, names["Romsa"].municipality.number) == ("se", "5501")
    assert (names["Tromssa"].language, names["Tromssa"].municipality.number) == ("fkv", "5501")
    assert names["Máze"].place == "Masi"
    assert all(name.source.strip() for name in names.values())


def test_place_names_taken_from_geonames_keep_to_the_documented_rule():
    """GeoNames gives alternate names without a language: only names written with North
    Sámi letters, for places in Troms or Finnmark (where Lule and South Sámi are not
    written), are taken, as North Sámi, each for its GeoNames place (SOURCES.md)."""
    import csv
    import re

    from services_directory.reference_data import DATA_DIR

    with open(DATA_DIR / "places.csv", encoding="utf-8") as file:
        places = {row["geonameid"]: row for row in csv.DictReader(file)}
    with open(DATA_DIR / "place_names.csv", encoding="utf-8") as file:
        taken = [
            row
            for row in csv.DictReader(file)
            if row["source"].startswith("GeoNames alternate name of ")
        ]
    assert len(taken) >= 15
    for row in taken:
        geonameid = re.match(r"GeoNames alternate name of (\d+) ", row["source"])[1]
        place = places[geonameid]
        assert row["language"] == "se", row
        assert set(row["name"]) & set("áčđŋšŧžÁČĐŊŠŦŽ"), row
        assert (row["place"], row["municipality_number"]) == (
            place["name"],
            place["municipality_number"],
        ), row
        assert row["municipality_number"][:2] in {"55", "56"}, row


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": ""}, "no source"),
        ({"language": "xx"}, "unknown language"),
        ({"municipality_number": "9999"}, "unknown municipality number"),
    ],
)
def test_a_place_name_without_source_or_with_unknown_codes_is_refused(tmp_path, change, message):
    data = _copy_data(tmp_path)
    shutil.copy(DATA_DIR / "place_names.csv", data / "place_names.csv")
    _rewrite(
        data / "place_names.csv", lambda row: {**row, **change} if row["name"] == "Romsa" else row
    )
    with pytest.raises(ValidationError, match=message):
        load_all(data)


def test_a_data_directory_without_place_names_keeps_them(tmp_path):
    from services_directory.models import PlaceName

    results = load_all(_copy_data(tmp_path))
    assert "place names" not in results
    assert PlaceName.objects.active().filter(name="Romsa").exists()
