"""A logged call must never be able to identify the caller."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from simple_history.models import registered_models

from hotline.calls.forms import CallForm
from hotline.calls.models import Call
from services_directory.models import Topic
from tests.factories import make_call, make_service

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
PHONE_NUMBER = "99887766"
NATIONAL_ID = "01019012345"  # 11 digits, shaped like a fødselsnummer
FINAL = {
    "channel": "phone",
    "caller_role": "utsatt",
    "outcome": "information",
    "unmet_reason": "none",
}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def call(operator, operator_site):
    return Call.start(operator, operator_site)


def concrete_fields():
    return [field for field in Call._meta.get_fields() if field.concrete]


def test_no_free_text_fields():
    for field in concrete_fields():
        assert not isinstance(field, models.TextField), field.name
        if isinstance(field, models.CharField):
            assert field.choices, f"{field.name} is a CharField without choices"


def test_no_field_name_suggests_free_text_or_identity():
    for field in Call._meta.get_fields():
        name = field.name.lower()
        for word in ("phone", "note", "comment", "text", "name"):
            assert word not in name, field.name


def test_the_start_time_is_truncated_to_the_hour(operator, operator_site):
    with time_machine.travel(datetime(2026, 3, 10, 14, 37, 12, 345678, tzinfo=OSLO), tick=False):
        call = Call.start(operator, operator_site)
    call.refresh_from_db()
    assert call.started_hour == datetime(2026, 3, 10, 14, 0, tzinfo=OSLO)
    local = call.started_hour.astimezone(OSLO)
    assert (local.minute, local.second, local.microsecond) == (0, 0, 0)


def test_the_start_hour_is_the_oslo_hour_in_summer_time(operator, operator_site):
    with time_machine.travel(datetime(2026, 7, 1, 23, 59, 59, tzinfo=OSLO), tick=False):
        call = Call.start(operator, operator_site)
    call.refresh_from_db()
    assert call.started_hour.astimezone(OSLO) == datetime(2026, 7, 1, 23, 0, tzinfo=OSLO)


def test_started_hour_is_the_only_time_on_a_call():
    time_fields = [
        field.name
        for field in concrete_fields()
        if isinstance(field, models.DateField | models.TimeField | models.DurationField)
    ]
    assert time_fields == ["started_hour"]
    started_hour = Call._meta.get_field("started_hour")
    assert not started_hour.auto_now and not started_hour.auto_now_add


def test_the_primary_key_is_random_not_sequential():
    assert isinstance(Call._meta.pk, models.UUIDField)


def test_no_row_about_a_call_is_numbered():
    # Every table with a row per call (its topic and referral links, the reports'
    # counted calls) would order calls within the hour with a numbered id.
    linked = [relation.related_model for relation in Call._meta.related_objects]
    linked += [Call.topics.through, Call.referrals.through]
    for model in linked:
        if model._meta.app_label in {"calls", "reports"}:
            assert not isinstance(model._meta.pk, models.AutoField), model


def test_link_rows_do_not_keep_the_order_calls_were_made(operator_site):
    services = [make_service(f"Senter {n}") for n in range(3)]
    topics = list(Topic.objects.values_list("code", flat=True)[:3])
    when = datetime(2026, 3, 10, 14, 5, tzinfo=OSLO)
    calls = [make_call(operator_site, when, topics=topics, referrals=services) for _ in range(12)]
    made = [call.pk for call in calls]
    for link in (Call.topics.through, Call.referrals.through):
        ids = list(link.objects.values_list("pk", flat=True))
        assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in ids), link
        # The first link of each call, by id: not the order the calls were made in.
        by_id = list(dict.fromkeys(link.objects.order_by("pk").values_list("call", flat=True)))
        assert sorted(by_id) == sorted(made)
        assert by_id != made
    assert list(Call.objects.order_by("pk").values_list("pk", flat=True)) != made
    # And what the calls hold is all there.
    for call in calls:
        assert set(call.topics.values_list("code", flat=True)) == set(topics)
        assert set(call.referrals.all()) == set(services)


BEFORE_RANDOM_LINKS = ("calls", "0004_adaptation_heard_via_missing_type")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_to_random_link_ids_keeps_every_link(operator_site):
    services = [make_service("Senter A"), make_service("Senter B")]
    topics = list(Topic.objects.values_list("pk", flat=True)[:2])
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_RANDOM_LINKS])
    try:
        old = executor.loader.project_state([BEFORE_RANDOM_LINKS]).apps
        OldCall = old.get_model("calls", "Call")
        hour = datetime(2026, 3, 10, 14, tzinfo=OSLO)
        expected = {}
        for n in range(6):
            call = OldCall.objects.create(
                site_id=operator_site.pk, is_open=False, started_hour=hour, disclosure_key=n
            )
            call.topics.set(topics[: n % 3])
            call.referrals.set([s.pk for s in services[: n % 2 + 1]])
            expected[call.pk] = (set(topics[: n % 3]), {s.pk for s in services[: n % 2 + 1]})
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = {
        call.pk: (
            set(call.topics.values_list("pk", flat=True)),
            set(call.referrals.values_list("pk", flat=True)),
        )
        for call in Call.objects.all()
    }
    assert migrated == expected
    assert all(
        isinstance(pk, uuid.UUID) for pk in Call.topics.through.objects.values_list("pk", flat=True)
    )


def test_a_closed_call_forgets_the_operator_and_the_token(operator_client, call):
    operator_client.post(reverse("calls:close"), {**FINAL, "token": call.close_token})
    call.refresh_from_db()
    assert not call.is_open
    assert call.operator is None
    assert call.close_token is None


def test_calls_have_no_history_and_are_not_in_the_admin():
    assert not hasattr(Call, "history")
    assert Call not in registered_models.values()
    assert "historicalcall" not in {model._meta.model_name for model in apps.get_models()}
    assert Call not in admin.site._registry


def stored_values(call: Call) -> str:
    """Everything stored about the call, its many-to-many rows included, as one string."""
    row = Call.objects.filter(pk=call.pk).values().get()
    related = [
        list(call.topics.values_list("pk", "code")),
        list(call.referrals.values_list("pk", flat=True)),
    ]
    return repr(row) + repr(related)


@pytest.mark.parametrize("number", [PHONE_NUMBER, NATIONAL_ID])
@pytest.mark.parametrize("field", list(CallForm.base_fields))
def test_identifying_numbers_cannot_be_stored_in_any_field(operator_client, call, field, number):
    before = stored_values(call)
    for name, headers in (("autosave", {}), ("autosave", {"HX-Request": "true"}), ("close", {})):
        data = {**FINAL, "token": call.close_token, field: number}
        response = operator_client.post(reverse(f"calls:{name}"), data, headers=headers)
        assert response.status_code == 400, (name, field)
        assert number not in response.text  # not even echoed back in an error
    assert stored_values(call) == before
    assert number not in stored_values(call)
    call.refresh_from_db()
    assert call.is_open


@pytest.mark.parametrize("number", [PHONE_NUMBER, NATIONAL_ID])
def test_identifying_numbers_in_unknown_fields_are_dropped(operator_client, call, number):
    data = {"caller_role": "utsatt", "note": number, "phone": number, "comment": number}
    assert operator_client.post(reverse("calls:autosave"), data).status_code == 302
    assert number not in stored_values(call)
    assert Call.objects.get().caller_role == "utsatt"


@pytest.mark.parametrize("number", [PHONE_NUMBER, NATIONAL_ID])
def test_identifying_numbers_cannot_be_referred_to(operator_client, call, number):
    response = operator_client.post(reverse("calls:add_referral"), {"service": number})
    assert response.status_code == 400
    assert not call.referrals.exists()


# No call id in any address: an access log has the exact time and the operator's IP address.


def calls_patterns(resolver=None, namespace=""):
    """Every URL pattern in the ``calls`` namespace, wherever it is included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace or ""
            yield from calls_patterns(entry, inner)
        elif namespace.split(":")[-1:] == ["calls"]:
            yield entry


def test_no_calls_url_captures_an_id_of_a_call():
    patterns = list(calls_patterns())
    assert {pattern.name for pattern in patterns} >= {
        "start",
        "autosave",
        "close",
        "discard",
        "add_referral",
        "remove_referral",
    }
    for pattern in patterns:
        converters = getattr(pattern.pattern, "converters", {})
        assert not any(isinstance(c, UUIDConverter) for c in converters.values()), pattern
        assert "uuid" not in str(pattern.pattern), pattern
        # The only value an address may carry is the service of a referral.
        assert set(pattern.pattern.regex.groupindex) <= {"service_pk"}, pattern
        assert set(converters) <= {"service_pk"}, pattern


def assert_no_call_id(call: Call, *texts: str) -> None:
    for text in texts:
        assert str(call.pk) not in text
        assert call.pk.hex not in text


def test_the_desk_page_never_shows_the_call_id(operator_client, call):
    from tests.factories import OSLO

    service = make_service("Referable", municipalities=[OSLO])
    referred = make_service("Referred", municipalities=[OSLO])
    call.add_referral(referred)
    for query in ({}, {"where": "Oslo"}):
        response = operator_client.get(reverse("desk:home"), query)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="call-panel"' in html
        assert_no_call_id(call, html)
    # The search page did render both the referral form and the panel's forms.
    assert reverse("calls:add_referral") in html
    assert reverse("calls:remove_referral", args=[referred.pk]) in html
    assert reverse("calls:autosave") in html
    assert f'value="{service.pk}"' in html


def test_no_call_response_shows_the_call_id(operator_client, call):
    service = make_service("Referable")
    htmx = {"HX-Request": "true"}
    responses = [
        operator_client.post(reverse("calls:start"), headers=htmx),
        operator_client.post(reverse("calls:autosave"), {"gender": "male"}, headers=htmx),
        operator_client.post(reverse("calls:autosave"), {"gender": "x"}),  # the no-JS page
        operator_client.post(reverse("calls:autosave"), {"gender": "x"}, headers=htmx),
        operator_client.post(reverse("calls:add_referral"), {"service": service.pk}, headers=htmx),
        operator_client.post(reverse("calls:add_referral"), {"service": service.pk}),
        operator_client.post(reverse("calls:remove_referral", args=[service.pk]), headers=htmx),
        operator_client.post(reverse("calls:close"), {"token": call.close_token}, headers=htmx),
        operator_client.post(
            reverse("calls:close"), {**FINAL, "token": call.close_token}, headers=htmx
        ),
    ]
    for response in responses:
        assert response.status_code in (200, 302, 400), response
        assert_no_call_id(call, response.content.decode(), repr(dict(response.headers)))
