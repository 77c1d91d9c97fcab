"""manage.py validate_hsds: the official schemas and the Norwegian profile, nothing
imported."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from services_directory.models import Organization, Service
from tests.factories import make_hsds_service

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data" / "hsds"


def validate(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("validate_hsds", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(path) -> tuple[str, str]:
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("validate_hsds", str(path), stdout=io.StringIO(), stderr=err)
    return str(raised.value), err.getvalue()


def test_a_valid_file_is_valid_and_nothing_is_imported():
    out, err = validate(DATA / "service_full_no.json")
    assert "valid HSDS 3.0.1 in the Norwegian profile (1 services)" in out
    assert err == ""
    assert not Service.objects.exists() and not Organization.objects.exists()


def test_every_problem_is_listed_from_both_checks(tmp_path):
    record = make_hsds_service(id="svc-1", status="closed", languages=[{"code": "xx"}])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    summary, printed = failing(path)
    lines = printed.splitlines()
    # The official schema: not a UUID, an unknown status, nested objects without ids.
    assert "HSDS 3.0.1: svc-1: id: 'svc-1' is not a 'uuid'" in lines
    assert any(
        line.startswith("HSDS 3.0.1: svc-1: status: 'closed' is not one of") for line in lines
    )
    assert any(
        line.startswith("HSDS 3.0.1: svc-1: phones[0]: 'id' is a required") for line in lines
    )
    # The profile.
    assert any(line.startswith("profile: svc-1: status: Unknown status “closed”") for line in lines)
    assert "profile: svc-1: languages[0].code: Unknown language code “xx”." in lines
    assert "problem(s) with the HSDS 3.0.1 schemas" in summary
    assert not Service.objects.exists()


def test_the_official_example_passes_the_schema_but_not_the_profile():
    summary, printed = failing(DATA / "service_full.json")
    assert "0 problem(s) with the HSDS 3.0.1 schemas" in summary
    assert "profile: ac148810-d857-441c-9679-408f346de14b: phones[0].extension" in printed
    assert not printed.count("HSDS 3.0.1:")


def test_a_page_of_services_is_checked_too(tmp_path):
    page = json.loads((DATA / "service_list.json").read_text(encoding="utf-8"))
    path = tmp_path / "page.json"
    path.write_text(json.dumps({**page, "total_items": "ten"}), encoding="utf-8")
    _summary, printed = failing(path)
    assert "HSDS 3.0.1: file: total_items: missing or not int" in printed


@pytest.mark.parametrize("content", ["[{", '"a string"'])
def test_unreadable_files_are_refused(tmp_path, content):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("validate_hsds", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("validate_hsds", str(tmp_path / "missing.json"))
