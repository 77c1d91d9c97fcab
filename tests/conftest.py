import os

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from hotline.accounts.roles import Role

TEST_PASSWORD = "correct horse battery staple"

# CI (.ci/run) tries the same examples on every run, so whether a change lands never
# depends on luck; a developer's run keeps exploring new ones (and found the bug
# test_public_api's newline case pins).
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    from django.conf import settings

    # Password hashing dominates a login-heavy suite; MD5 is fine for throwaway users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference geography once; each test's transaction rolls back on top of it."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(autouse=True)
def _bokmal():
    """Each test starts in bokmål: a request in English leaves English active in this
    thread, and modeltranslation would then store new names in the English field."""
    from django.utils import translation

    translation.activate("nb")
    yield
    translation.activate("nb")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A browser test's flush empties every table after its fixtures are torn down;
    put the session's reference geography back for the tests that follow."""
    result = yield
    if item.get_closest_marker("browser"):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            call_command("load_reference_data", verbosity=0)
    return result


def make_user(*roles: Role, username: str | None = None, **fields) -> User:
    username = username or "-".join(role.value for role in roles) or "norole"
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, **fields)
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user


@pytest.fixture
def operator(db):
    return make_user(Role.OPERATOR)


@pytest.fixture
def editor(db):
    return make_user(Role.EDITOR, is_staff=True)


@pytest.fixture
def supervisor(db):
    return make_user(Role.SUPERVISOR)


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


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


def make_site(name="Testsenter Oslo", *members, **fields):
    """A helpline site (call-log centre) with the given users as members."""
    from hotline.calls.models import Site

    site = Site.objects.create(name=name, **fields)
    site.members.add(*members)
    return site


@pytest.fixture
def operator_site(operator):
    return make_site("Testsenter Oslo", operator)


def make_call(site, when, *, topics=(), referrals=(), **fields):
    """A closed (anonymous) call at ``when`` (a datetime, or a date: noon, Oslo time).

    ``topics`` are topic codes, ``referrals`` services, ``municipality`` may be a number.
    Closed through ``Call.close``, as the desk does, so the reports' summary counts it.
    """
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from hotline.calls.models import Call, start_of_hour
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
    call.close()
    return call
