import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from hotline.accounts.roles import Role
from tests.factories import (
    BODO,
    NARVIK,
    OSLO,
    add_location,
    add_phone,
    login_verified,
    make_service,
    make_site,
    make_user,
    open_weekdays,
)

# CI (.ci/run) tries the same examples on every run, so whether a change lands never
# depends on luck; a developer's run keeps exploring new ones (and found the bug
# test_public_api's newline case pins).
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    from django.conf import settings

    # Password hashing dominates a login-heavy suite; MD5 is fine for throwaway users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        _serve_live_requests_one_at_a_time()


def _serve_live_requests_one_at_a_time() -> None:
    """On SQLite the test database lives in memory and the live server's request
    threads share its one connection: two requests at once (a search typed, a box
    ticked) then fail with "bad parameter or other API misuse". Serve one at a time,
    as Django's LiveServerTestCase documentation asks; Django then closes each HTTP
    connection after its response, so a browser's idle connection blocks nobody."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The server thread already uses the overridden connections (run()).
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialWSGIServer


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no rate-limit count, failed sign-in from
    127.0.0.1, slot or kept public answer is carried over from another test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Set when a test has flushed the database: the reference geography is then gone.
_flushed = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test's flush (every browser test's, and the migration tests')
    empties every table after its fixtures are torn down."""
    global _flushed
    result = yield
    database = item.get_closest_marker("django_db")
    if item.get_closest_marker("browser") or (
        database is not None and database.kwargs.get("transaction")
    ):
        _flushed = True
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Put the session's reference geography back before the test after a flush. Here
    rather than at the flushing test's teardown: under pytest-xdist a worker's last
    test of one batch has no next item although more follow, and after the very last
    test the test database is already dropped (a reload would write to the real one)."""
    global _flushed
    if _flushed:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            call_command("load_reference_data", verbosity=0)
        _flushed = False
    return (yield)


@pytest.fixture
def fresh_chat_store():
    """The chat's in-memory store (kept by the process, not the test database), empty
    before and after the test."""
    from hotline.chat.store import reset_store

    reset_store()
    yield
    reset_store()


@pytest.fixture
def chat_desk(client):
    """A client signed in as an operator who may take chats."""
    from tests.chat_helpers import chat_operator

    return login_verified(client, chat_operator())


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
    login_verified(client, operator)
    return client


@pytest.fixture
def editor_client(client, editor):
    login_verified(client, editor)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    login_verified(client, supervisor)
    return client


@pytest.fixture
def operator_site(operator):
    return make_site("Testsenter Oslo", operator)


@pytest.fixture
def directory(db):
    """Six services around a caller in Bodø, one per ranking position."""
    from datetime import time

    from services_directory.models import County, OpeningHours

    nordland = County.objects.get(number="18")
    local = make_service("Local centre", topics=["voldtekt"], municipalities=[BODO])
    add_location(local, BODO)
    add_phone(local, "75 55 55 55", "Døgnvakt")
    open_weekdays(local)
    regional_far = make_service("Regional far", topics=["voldtekt"])
    regional_far.coverage_counties.set([nordland])
    add_location(regional_far, NARVIK)
    regional_near = make_service("Regional near", topics=["voldtekt", "incest"])
    regional_near.coverage_counties.set([nordland])
    add_location(regional_near, BODO)
    national = make_service("National line", topics=["voldtekt"], covers_whole_country=True)
    add_phone(national, "800 57 000")
    for weekday in range(7):
        OpeningHours.objects.create(
            service=national, weekday=weekday, opens=time(0), closes=time(0)
        )
    outside = make_service("Oslo centre", topics=["voldtekt"], municipalities=[OSLO])
    add_location(outside, OSLO)
    outside_nowhere = make_service("Oslo line", topics=["voldtekt"], municipalities=[OSLO])
    return {
        "local": local,
        "regional_near": regional_near,
        "regional_far": regional_far,
        "national": national,
        "outside": outside,
        "outside_nowhere": outside_nowhere,
    }


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def page(live_server):
    """A page in Debian's headless Chromium on the live server (browser tests only)."""
    if not Path(CHROMIUM).exists():
        message = "Chromium is missing: apt-get install -y chromium (.ci/run does this)"
        # CI sets REQUIRE_BROWSER so a missing browser fails there instead of skipping.
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                context = browser.new_context(
                    base_url=live_server.url,
                    viewport={"width": 1400, "height": 1000},
                    locale="nb-NO",
                )
                context.set_default_timeout(10_000)
                yield context.new_page()
                browser.close()
            finally:
                # With that loop running, asgiref keeps the test's database connections
                # per context instead of per thread, out of pytest-django's sight: close
                # them while the loop still runs, or one stays open and the test database
                # cannot be dropped ("is being accessed by other users").
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
