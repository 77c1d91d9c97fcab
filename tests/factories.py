"""Plain helpers that build test data; fixtures that use them live in conftest.py.

Test modules import from here, never from one another or from conftest, so a test module
can be moved, renamed or run alone without breaking another.
"""

import os
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User

from hotline.accounts.roles import Role

TEST_PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# Municipality numbers the shared directory is built around.
BODO, NARVIK, OSLO = "1804", "1806", "0301"


def make_user(*roles: Role, username: str | None = None, **fields) -> User:
    username = username or "-".join(role.value for role in roles) or "norole"
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, **fields)
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user


def make_service(name="Testsenter", *, topics=(), types=(), groups=(), municipalities=(), **fields):
    """A published, active service with the given vocabulary codes and coverage numbers."""
    from services_directory.models import (
        Municipality,
        Organization,
        Service,
        ServiceType,
        TargetGroup,
        Topic,
    )

    organization = fields.pop("organization", None) or Organization.objects.create(
        name=f"{name} org"
    )
    fields.setdefault("is_published", True)
    service = Service.objects.create(name=name, organization=organization, **fields)
    service.topics.set(Topic.objects.filter(code__in=topics))
    service.service_types.set(ServiceType.objects.filter(code__in=types))
    service.target_groups.set(TargetGroup.objects.filter(code__in=groups))
    service.coverage_municipalities.set(Municipality.objects.filter(number__in=municipalities))
    return service


def add_location(service, number, *, confidential=False):
    """A location at the centre of municipality ``number``."""
    from services_directory.models import Location, Municipality

    m = Municipality.objects.get(number=number)
    return Location.objects.create(
        service=service,
        municipality=m,
        latitude=m.latitude,
        longitude=m.longitude,
        address="Storgata 1",
        is_confidential=confidential,
    )


def add_phone(service, number, description=""):
    """A phone channel, validated (and so normalised) as the admin would."""
    from services_directory.models import ContactChannel

    channel = ContactChannel(service=service, kind="phone", value=number, description=description)
    channel.full_clean()
    channel.save()
    return channel


def open_weekdays(service, opens=time(8), closes=time(16)):
    from services_directory.models import OpeningHours

    for weekday in range(5):
        OpeningHours.objects.create(service=service, weekday=weekday, opens=opens, closes=closes)


def make_site(name="Testsenter Oslo", *members, **fields):
    """A helpline site (call-log centre) with the given users as members."""
    from hotline.calls.models import Site

    site = Site.objects.create(name=name, **fields)
    site.members.add(*members)
    return site


def make_call(site, when, *, topics=(), referrals=(), **fields):
    """A closed (anonymous) call at ``when`` (a datetime, or a date: noon, Oslo time).

    ``topics`` are topic codes, ``referrals`` services, ``municipality`` may be a number.
    Closed through ``close_call``, as the desk does, so the reports' summary counts it.
    """
    from hotline.calls.models import Call, start_of_hour
    from hotline.calls.services import close_call
    from services_directory.models import Municipality, Topic

    if not isinstance(when, datetime) and isinstance(when, date):
        when = datetime(when.year, when.month, when.day, 12, tzinfo=ZoneInfo("Europe/Oslo"))
    if isinstance(fields.get("municipality"), str):
        fields["municipality"] = Municipality.objects.get(number=fields["municipality"])
    call = Call.objects.create(site=site, is_open=True, started_hour=start_of_hour(when), **fields)
    if topics:
        call.topics.set(Topic.objects.filter(code__in=topics))
    if referrals:
        call.referrals.set(referrals)
    close_call(call)
    return call


def screenshot(page, name: str) -> None:
    """Save a README picture of this moment (browser tests), only when asked with
    SCREENSHOTS=1: the files are committed."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def log_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the login page, as a person would (browser tests)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def rebuild_report_summary() -> None:
    """``manage.py rebuild_report_summary`` inside a test's transaction. On PostgreSQL the
    calls the test just wrote leave deferred foreign-key checks pending, and TRUNCATE
    refuses a table with pending trigger events: check them now, as a commit would."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("rebuild_report_summary", verbosity=0)
