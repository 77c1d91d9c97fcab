"""Plain helpers that build test data; fixtures that use them live in conftest.py.

Test modules import from here, never from one another or from conftest, so a test module
can be moved, renamed or run alone without breaking another.
"""

import copy
import os
from datetime import date, datetime, time
from html.parser import HTMLParser
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


def enrol(user):
    """A confirmed authenticator for ``user``, as after two-factor set-up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_code(device) -> str:
    """The code the authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login_verified(client, user):
    """``client.force_login`` plus a passed second factor: a fully signed-in session."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol(user).persistent_id
    session.save()
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


def open_around_the_clock(service):
    """Open every day, all day: for tests that must find it open whatever the clock says."""
    from services_directory.models import OpeningHours

    for weekday in range(7):
        OpeningHours.objects.create(service=service, weekday=weekday, opens=time(0), closes=time(0))


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


# --- HSDS records (tests of the import, the export and the schemas) ---------------------


def term(taxonomy: str, code: str) -> dict:
    return {"taxonomy_term": {"code": code, "taxonomy": taxonomy}}


def weekly(byday: str, opens: str | None, closes: str | None) -> dict:
    row = {"freq": "WEEKLY", "byday": byday}
    if opens is not None:
        row["opens_at"] = opens
    if closes is not None:
        row["closes_at"] = closes
    return row


def make_hsds_service(**overrides) -> dict:
    service = {
        "id": "svc-1",
        "name": "Krisesenteret i Oslo",
        "description": "Botilbud og samtaler for den som er utsatt for vold.",
        "status": "active",
        "url": "https://krisesenter.example.no",
        "email": "post@krisesenter.example.no",
        "minimum_age": 18,
        "organization": {
            "id": "org-1",
            "name": "Oslo krisesenter",
            "website": "https://krisesenter.example.no",
            "x_organization_number": "974 760 673",
        },
        "service_at_locations": [
            {
                "location": {
                    "name": "Kontoret",
                    "latitude": 59.9127,
                    "longitude": 10.7461,
                    "addresses": [
                        {
                            "address_1": "Storgata 1",
                            "postal_code": "0150",
                            "city": "Oslo",
                            "country": "NO",
                        }
                    ],
                }
            }
        ],
        "phones": [
            {"number": "22 33 44 55", "type": "voice", "description": "Døgnåpen telefon"},
            {"number": "+47 912 34 567", "type": "text"},
        ],
        "schedules": [weekly("MO,TU,WE,TH,FR", "08:00", "16:00")],
        "service_areas": [
            {"extent_type": "text", "extent": "0301"},
            {"extent_type": "text", "extent": "46"},
        ],
        "languages": [{"code": "nb"}, {"code": "en"}],
        "attributes": [
            term("service_type", "krisesenter"),
            term("topic", "vold-i-nare-relasjoner"),
            term("target_group", "kvinner"),
            term("accessibility", "rullestol"),
        ],
    }
    service.update(copy.deepcopy(overrides))
    return service


def rich_directory() -> list[dict]:
    holiday = {"x_public_holidays": True, "opens_at": "12:00", "closes_at": "18:00"}
    return [
        make_hsds_service(
            id="svc-rich",
            minimum_age=12,
            maximum_age=25,
            x_anonymous_contact=True,
            x_translations={
                "nn": {"name": "Ung linje", "description": "Skildring"},
                "en": {"name": "Youth line"},
                "se": {"description": "Válddi"},
            },
            x_chat_url="https://chat.example.no",
            x_chat_schedules=[weekly("MO,WE", "18:00", "22:00")],
            additional_urls=[{"url": "https://example.no/en", "label": "In English"}],
            phones=[
                {
                    "number": "116 111",
                    "type": "voice",
                    "description": "Alarmtelefonen",
                    "x_translations": {"en": {"description": "Helpline"}},
                    "x_schedules": [weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")],
                },
                {"number": "+46 20 10 10", "type": "voice"},
                {"number": "41 23 45 67", "type": "text"},
            ],
            schedules=[
                weekly("MO,TU,WE,TH,FR", "08:00", "16:00"),
                weekly("MO,TU,WE,TH", "20:00", "02:00"),
                weekly("SA", "00:00", "23:59"),
                holiday,
                {"valid_from": "2026-12-24", "valid_to": "2026-12-26"},
                {"valid_from": "2026-12-31", "opens_at": "10:00", "closes_at": "14:00"},
                {"valid_from": "2026-12-31", "opens_at": "16:00", "closes_at": "18:00"},
            ],
            service_areas=[
                {"extent_type": "text", "extent": "NO"},
                {"extent_type": "text", "extent": "03"},
                {"extent_type": "text", "extent": "5001"},
            ],
            languages=[{"code": "se"}, {"code": "nb"}, {"code": "uk"}],
            service_at_locations=[
                {
                    "location": {
                        "name": "Bergen",
                        "latitude": 60.3929,
                        "longitude": 5.3241,
                        "addresses": [{"address_1": "Strandgaten 2", "postal_code": "5003"}],
                    }
                },
                {"location": {"x_municipality": "5001"}},
            ],
        ),
        make_hsds_service(
            id="svc-second",
            fees_description="Egenandel",
            x_holiday_policy="closed",
            email=None,
            url=None,
            organization={"id": "org-2", "name": "Annen organisasjon"},
        ),
    ]


def screenshot(page, name: str) -> None:
    """Save a README picture of this moment (browser tests), only when asked with
    SCREENSHOTS=1: the files are committed."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def log_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the login page with both factors, as a person would (browser
    tests): the password, then the code the user's authenticator app shows now."""
    from django.contrib.auth import get_user_model

    device = enrol(get_user_model().objects.get(username=username))
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("input[name=token]", totp_code(device))
    page.press("input[name=token]", "Enter")
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


class SoftPasskey:
    """A software authenticator: an ES256 key pair that answers WebAuthn ceremonies.

    ``register`` answers creation options with attestation "none"; ``sign`` answers request
    options with a real signature over authenticatorData and the hash of clientDataJSON,
    so the server checks it exactly as it checks a browser's passkey.
    """

    def __init__(self, rp_id: str | None = None, origin: str | None = None):
        from cryptography.hazmat.primitives.asymmetric import ec
        from django.conf import settings

        self.rp_id = rp_id or settings.WEBAUTHN_RP_ID
        self.origin = origin or settings.WEBAUTHN_ALLOWED_ORIGINS[0]
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    @staticmethod
    def b64(data: bytes) -> str:
        from base64 import urlsafe_b64encode

        return urlsafe_b64encode(data).rstrip(b"=").decode()

    @staticmethod
    def unb64(text: str) -> bytes:
        from base64 import urlsafe_b64decode

        return urlsafe_b64decode(text + "=" * (-len(text) % 4))

    def _client_data(self, kind: str, challenge: str) -> bytes:
        import json

        data = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def _auth_data(self, attested: bytes = b"") -> bytes:
        import hashlib

        self.sign_count += 1
        # Flags: user present, user verified, and (at registration) attested data follows.
        flags = 0x01 | 0x04 | (0x40 if attested else 0)
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.sign_count.to_bytes(4, "big") + attested

    def _cose_public_key(self) -> bytes:
        import cbor2

        numbers = self.key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        # COSE: EC2 key (1: 2), ES256 (3: -7), curve P-256 (-1: 1), then x and y.
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})

    def register(self, options: dict) -> dict:
        """The answer of ``navigator.credentials.create()`` to ``options``."""
        import cbor2

        assert options["rp"]["id"] == self.rp_id
        aaguid = bytes(16)
        attested = (
            aaguid
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_public_key()
        )
        auth_data = self._auth_data(attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "id": self.b64(self.credential_id),
            "rawId": self.b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": self.b64(client_data),
                "attestationObject": self.b64(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def sign(self, options: dict, credential_id: bytes | None = None) -> dict:
        """The answer of ``navigator.credentials.get()`` to ``options``."""
        import hashlib

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        credential_id = credential_id or self.credential_id
        auth_data = self._auth_data()
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": self.b64(credential_id),
            "rawId": self.b64(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": self.b64(client_data),
                "authenticatorData": self.b64(auth_data),
                "signature": self.b64(signature),
            },
            "clientExtensionResults": {},
        }


def make_article(title, owner, *, topics=(), audiences=(), published=True, **fields):
    """A guidance library article on topic codes and for caller-role codes."""
    from hotline.guide.models import Article, Audience
    from services_directory.models import Topic

    fields.setdefault("body_nb", f"Brødtekst for {title}.")
    article = Article.objects.create(title_nb=title, owner=owner, is_published=published, **fields)
    article.topics.set(Topic.objects.filter(code__in=topics))
    article.audiences.set(Audience.objects.filter(code__in=audiences))
    return article


def writes(queries) -> list[str]:
    """The statements among ``queries`` (a CaptureQueriesContext) that change data."""
    import re

    return [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.IGNORECASE)
    ]


def service_post_data(service, **changes) -> dict:
    """The admin change form of ``service`` as posted unchanged, with no inline rows;
    ``changes`` override fields (None leaves one out)."""
    data = {
        "name_nb": service.name,
        "organization": service.organization_id,
        "status": service.status,
        "is_published": "on",
        "covers_whole_country": "on",
        "holiday_policy": service.holiday_policy,
        "free_of_charge": "on",
        "loaded_version": service.version,
    }
    for prefix in ("channels", "opening_hours", "locations"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def service_change_url(service) -> str:
    """The service's page in the admin."""
    from django.urls import reverse

    return reverse("admin:services_directory_service_change", args=[service.pk])


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str, tag: str, **attrs: str) -> list[dict[str, str]]:
    """The attributes of each ``tag`` element in ``html`` whose attributes include
    ``attrs`` (``class_`` for ``class``, underscores for dashes elsewhere)."""
    parser = _Elements()
    parser.feed(html)
    wanted = {("class" if k == "class_" else k.replace("_", "-")): v for k, v in attrs.items()}
    return [
        found
        for name, found in parser.found
        if name == tag and all(found.get(k) == v for k, v in wanted.items())
    ]


def make_confirming_service(name="Senter mot incest Bodø", name_en=None, **fields):
    """A published service with all that a service sees on its confirmation page: a
    phone, weekday hours, closed on public holidays, a public address, a confidential
    one, languages, accessibility, descriptions in bokmål and English, and the contact
    e-mail its personal link goes to."""
    from services_directory.models import AccessibilityFeature, Language

    fields.setdefault("contact_email", "post@smi-bodo.example.no")
    service = make_service(
        name,
        topics=["incest"],
        municipalities=[BODO],
        holiday_policy="closed",
        description="Samtaler for utsatte og pårørende.",
        **fields,
    )
    service.name_en = name_en or (
        "Centre against incest Bodø" if name == "Senter mot incest Bodø" else ""
    )
    service.description_en = "Talks for survivors and their families."
    service.save()
    add_phone(service, "75 12 34 56")
    open_weekdays(service)
    public = add_location(service, BODO)
    public.address, public.postcode = "Storgata 12", "8006"
    public.save()
    secret = add_location(service, BODO, confidential=True)
    secret.address = "Hemmeligveien 7"
    secret.save()
    service.languages.set(Language.objects.filter(code__in=["nb", "en"]))
    service.accessibility.set(AccessibilityFeature.objects.all()[:1])
    return service


AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
_AXE_REPORT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""


def serious_axe_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now (browser
    tests; axe is vendored, evaluated through DevTools so the page's CSP stays on)."""
    page.wait_for_load_state("networkidle")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return [v for v in page.evaluate(_AXE_REPORT) if v["impact"] in ("serious", "critical")]


class TableParser(HTMLParser):
    """Every <table> of a page as rows of cell texts (th and td alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(html: str) -> list[list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables


VOID_ELEMENTS = frozenset(
    ("area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr")
)


class Node:
    """An element of a parsed page: its tag, attributes and children (nodes and text)."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs = tag, attrs
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        """The text within, whitespace collapsed as a browser shows it (hidden or not)."""
        return " ".join(self._raw().split())

    def _raw(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw() for c in self.children)

    def find_all(
        self, tag: str | None = None, cls: str | None = None, **attrs: str
    ) -> list["Node"]:
        """Every element below this one, in document order, with the tag, the class
        and the attributes given (underscores for dashes in their names)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.classes)
                and all(child.attrs.get(k) == v for k, v in wanted.items())
            ):
                found.append(child)
            found += child.find_all(tag, cls, **attrs)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> "Node | None":
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> "Node":
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls} {attrs}>"
        return found[0]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.open.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse_html(html: str) -> Node:
    """A page as a tree of Nodes, for tests that assert on elements rather than bytes."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root
