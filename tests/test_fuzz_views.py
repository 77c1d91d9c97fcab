"""Bad input is a 4xx, never a 5xx: every view, for every role, with hostile values.

The sweep finds its views through the URL resolver (tests/urlwalk.py), so a new view is
swept the day it is added, and its fields in the pages themselves: every form (and every
htmx control with a name) a role's pages show is sent back with each field in turn set to
each hostile value, GET and POST alike. The JSON APIs, which show no forms, get the field
names of the project's forms and filter sets. Runs on both databases in CI: PostgreSQL
refuses NUL bytes and out-of-range numbers that SQLite takes.
"""

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import django_filters
import pytest
from django import forms
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.calls.models import Call
from hotline.http import PUBLIC_API_PREFIX
from services_directory.models import CapacityLink, ConfirmationLink, ErrorReport
from services_directory.self_confirmation import propose, public_entry
from tests.factories import (
    BODO,
    login_verified,
    make_article,
    make_service,
    make_site,
    make_user,
)
from tests.urlwalk import Route, routes

pytestmark = pytest.mark.django_db

# Hostile values for every field. Dates at the calendar's ends, numbers past any column's
# range, NUL (which PostgreSQL refuses in text), unicode a form may not expect, and a
# value longer than any column.
VALUES = [
    "",
    "x" * 3000,
    "\x00",
    "a\x00b",
    "æøå ÆØÅ 𝕏 \u202e\ufeff",
    "-1",
    "99999999999999999999999",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59+14:00",
    "1e309",
    "logout",
]
CHOICE_VALUES = ["\x00", "99999999999999999999999", "x" * 3000]
# In a path: what a client can put where an id goes.
PATH_VALUES = ["\x00", "-1", "0", "99999999999999999999999", "x" * 300, "æ"]
# Not even UTF-8.
NOT_UTF8 = "%FF%FE%00"

# Views the sweep leaves alone, and why.
SKIP = {
    "logout": "signs the client out: every later request would be anonymous",
}
ROLES = ["anonymous", "operator", "editor", "supervisor", "admin"]


@dataclass(frozen=True)
class Form:
    method: str
    action: str
    fields: tuple[tuple[str, str], ...]  # (name, value the page gave it)
    choices: frozenset[str]  # the names of its checkboxes, radio buttons and selects


class FormParser(HTMLParser):
    """Every <form> of a page with its named fields, and every htmx control with a name
    and its own hx-get/hx-post (a field sent on its own)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            method, action = self._target(attributes)
            self._open = {"method": method, "action": action, "fields": [], "choices": set()}
            return
        name = attributes.get("name")
        if tag not in {"input", "select", "textarea", "button"} or not name:
            return
        kind = attributes.get("type", "")
        value = attributes.get("value", "")
        if kind in {"checkbox", "radio"} and "checked" not in attributes:
            value = ""
        choice = tag == "select" or kind in {"checkbox", "radio"}
        if self._open is not None:
            self._open["fields"].append((name, value))
            if choice:
                self._open["choices"].add(name)
        if "hx-get" in attributes or "hx-post" in attributes:
            method, action = self._target(attributes)
            choices = frozenset({name} if choice else ())
            self.forms.append(Form(method, action, ((name, value),), choices))

    def handle_endtag(self, tag):
        if tag == "form" and self._open is not None:
            fields = tuple(dict(self._open["fields"]).items())
            choices = frozenset(self._open["choices"])
            self.forms.append(Form(self._open["method"], self._open["action"], fields, choices))
            self._open = None

    def _target(self, attributes: dict) -> tuple[str, str]:
        if attributes.get("hx-post"):
            return "post", attributes["hx-post"]
        if attributes.get("hx-get"):
            return "get", attributes["hx-get"]
        method = attributes.get("method", "get").lower()
        return method, attributes.get("action") or self.page


def forms_in(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    return [form for form in parser.forms if urlsplit(form.action).netloc == ""]


def project_field_names() -> list[str]:
    """The field names of every form and filter set of ours (not the admin's)."""
    names: set[str] = set()
    pending: list[type] = [forms.BaseForm, django_filters.FilterSet]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        module = cls.__module__
        if not module.startswith(("hotline.", "services_directory.")) or ".admin" in module:
            continue
        names.update(getattr(cls, "base_fields", None) or getattr(cls, "base_filters", {}))
    return sorted(names)


@pytest.fixture
def world(db):
    """A little of everything, so the pages show their forms: a directory with a shelter
    and a capacity link, an error report, a guidance article, a site for the operator."""
    users = {
        "operator": make_user(Role.OPERATOR),
        "editor": make_user(Role.EDITOR, is_staff=True),
        "supervisor": make_user(Role.SUPERVISOR),
        "admin": make_user(username="admin", is_staff=True, is_superuser=True),
    }
    site = make_site("Testsenter Bodø", users["operator"])
    shelter = make_service("Krisesenteret", types=["krisesenter"], municipalities=[BODO])
    make_service("Overgrepsmottaket", topics=["voldtekt"], covers_whole_country=True)
    _link, key = CapacityLink.issue(shelter, users["editor"])
    shelter.contact_email = "post@krisesenteret.example.no"
    shelter.save()
    confirmation, confirm_key = ConfirmationLink.issue(shelter)
    seen = public_entry(shelter)
    proposal = propose(confirmation, seen, {**seen, "phones": ["+4775555555"]})
    report = ErrorReport.report(shelter, ErrorReport.Kind.choices[0][0])
    article = make_article("Når noen ringer", users["editor"], topics=["voldtekt"])
    # The operator's call is open, so the desk shows the call panel's forms.
    Call.start(users["operator"], site)
    return {
        "users": users,
        "ids": sorted({shelter.pk, report.pk, article.pk, users["operator"].pk, proposal.pk}),
        "seeds": [
            f"{reverse('desk:home')}?{urlencode({'municipality': BODO, 'topic': 'voldtekt'})}",
            f"{reverse('capacity:update')}?{urlencode({'key': key})}",
            f"{reverse('confirm:entry')}?{urlencode({'key': confirm_key})}",
            f"{reverse('confirm:propose')}?{urlencode({'key': confirm_key})}",
            reverse("directory:proposal", args=[proposal.pk]),
        ],
    }


def client_for(role: str, world: dict) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        login_verified(client, world["users"][role])
    return client


def addresses(route: Route, ids: list[int]) -> Iterator[str]:
    if not route.params:
        yield route.url("")
        return
    for value in [*map(str, ids), *PATH_VALUES]:
        yield route.url(value)


class Sweep:
    """Sends requests, keeps every 5xx with the exception behind it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.failures: list[str] = []
        self.count = 0
        self._exception: BaseException | None = None

    def _record(self, sender, request=None, **kwargs):
        self._exception = sys.exc_info()[1]

    def send(self, method: str, url: str, data=None, **extra):
        self._exception = None
        self.count += 1
        got_request_exception.connect(self._record)
        try:
            response = getattr(self.client, method)(url, data, **extra)
        finally:
            got_request_exception.disconnect(self._record)
        if response.status_code >= 500:
            shown = {k: (v[:40] if isinstance(v, str) else v) for k, v in (data or {}).items()}
            self.failures.append(
                f"{method.upper()} {url[:120]} {shown} -> {response.status_code} "
                f"{self._exception!r}"
            )
        return response


def fuzz_form(sweep: Sweep, form: Form) -> None:
    defaults = dict(form.fields)
    for name in defaults:
        # A choice refuses anything not offered the same way: a few values suffice.
        for value in CHOICE_VALUES if name in form.choices else VALUES:
            sweep.send(form.method, form.action, {**defaults, name: value})
        sweep.send(form.method, form.action, {**defaults, name: [defaults[name] or "1", "2"]})
    # Every field at once, in bytes that are not UTF-8.
    raw = "&".join(f"{name}={NOT_UTF8}" for name in defaults)
    if form.method == "get":
        sweep.send("get", f"{form.action.split('?')[0]}?{raw}")
    else:
        sweep.send(
            "post", form.action, raw.encode(), content_type="application/x-www-form-urlencoded"
        )


def fuzz_api(sweep: Sweep, url: str, names: list[str]) -> None:
    """The JSON APIs show no forms: every field name of ours, each with what breaks most."""
    for name in names:
        for value in ["\x00", "99999999999999999999999", "0001-01-01", "x" * 3000]:
            sweep.send("get", url, {name: value})


def sweep_admin(sweep: Sweep, route: Route, real_id: int) -> None:
    """The admin is Django's: its pages, their ids, and a changelist's own parameters."""
    for url in addresses(route, [real_id]):
        sweep.send("get", url)
    if route.name.endswith("_changelist"):
        for params in [{"q": "\x00"}, {"q": "x" * 3000}, {"p": "-1"}, {"o": "x.y"}, {"e": "1"}]:
            sweep.send("get", route.url(""), params)


@pytest.mark.parametrize("role", ROLES)
def test_no_view_answers_a_5xx(world, role):
    sweep = Sweep(client_for(role, world))
    seen: set[Form] = set()
    api_names = project_field_names()
    pages = list(world["seeds"])
    posted: list[str] = []
    for route in routes():
        if route.name in SKIP:
            continue
        if route.is_admin:
            if role == "admin":
                sweep_admin(sweep, route, world["ids"][0])
            continue
        for url in addresses(route, world["ids"]):
            posted.append(url)
            response = sweep.send("get", url)
            if response.status_code != 200:
                continue
            if response["Content-Type"].startswith("application/json"):
                # The public API answers everyone alike: swept once, anonymously.
                if role == "anonymous" or not url.startswith(PUBLIC_API_PREFIX):
                    fuzz_api(sweep, url, api_names)
            elif response["Content-Type"].startswith("text/html") and role != "admin":
                # An admin holds every role: the pages' forms are swept for each role.
                pages.append(url)
    for page in pages:
        response = sweep.send("get", page)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in forms_in(page, response.text):
            if form not in seen and form.action.split("?")[0] != reverse("logout"):
                seen.add(form)
                fuzz_form(sweep, form)
    # Last, as it may close the call or sign the client out: a bare POST everywhere.
    for url in posted:
        sweep.send("post", url, {"next": "logout"})
    assert sweep.count > 100
    # The sweep reached the forms it is for (a parser that found none would pass).
    expected = {
        "anonymous": reverse("login"),
        "operator": reverse("calls:autosave"),
        "editor": reverse("directory:dashboard") + "services/",  # "Verified today"
        "supervisor": reverse("reports:home"),
    }
    if role in expected:
        assert any(form.action.startswith(expected[role]) for form in seen), sorted(seen)


def test_a_report_ending_on_the_calendars_first_day_is_not_a_5xx(world):
    client = client_for("supervisor", world)
    for name in ["reports:home", "reports:callers", "reports:referrals", "reports:unmet"]:
        assert client.get(reverse(name), {"end": "0001-01-01"}).status_code == 400
