import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.calls.models import Call, Site
from hotline.calls.panel import panel_context
from services_directory.models import Language, Municipality, Topic
from tests.factories import elements, login_verified, make_service, make_site, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
DESK = "/desk/"
SEARCH = "/desk/?municipality=0301&topic=partnervold"
FINAL = {
    "channel": "phone",
    "caller_role": "utsatt",
    "outcome": "information",
    "unmet_reason": "none",
}


@pytest.fixture(autouse=True)
def english(client, settings):
    # Assertions read the English source strings, whatever the catalog says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def call(operator, operator_site):
    return Call.start(operator, operator_site)


@pytest.fixture
def service():
    return make_service("Krisesenteret i Oslo", topics=["partnervold"])


def url(name, *args):
    return reverse(f"calls:{name}", args=args)


def flashes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def error_summary(response) -> str:
    return html.unescape(response.text.split('class="error-summary"')[1].split("</div>")[0])


# Start


def test_start_opens_one_call_at_the_operators_site(operator_client, operator, operator_site):
    response = operator_client.post(reverse("calls:start"))
    assert response.status_code == 302
    assert response.url == reverse("desk:home")
    call = Call.objects.get()
    assert call.is_open
    assert call.operator == operator
    assert call.site == operator_site
    assert call.close_token is not None


def test_start_twice_keeps_one_call(operator_client, operator_site):
    operator_client.post(reverse("calls:start"))
    first = Call.objects.get()
    response = operator_client.post(reverse("calls:start"), headers=HTMX)
    assert response.status_code == 200
    assert Call.objects.get() == first


def test_start_returns_the_existing_open_call(operator, operator_site):
    assert Call.start(operator, operator_site) == Call.start(operator, operator_site)
    assert Call.objects.count() == 1


def test_start_with_htmx_renders_the_panel_with_the_call_form(operator_client, operator_site):
    response = operator_client.post(reverse("calls:start"), {"next": SEARCH}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="call-panel"')
    assert "<html" not in response.text
    call = Call.objects.get()
    assert f'action="{url("autosave")}"' in response.text
    assert f'value="{call.close_token}"' in response.text
    # The panel's forms come back to the search the operator was on, not to the call URL.
    assert 'name="next" value="/desk/?municipality=0301&amp;topic=partnervold"' in response.text


def test_starting_or_discarding_in_place_redraws_the_results_and_focuses_the_panel(
    operator_client, operator_site
):
    # The desk's results listen for this event to show or drop "Add as referral".
    response = operator_client.post(reverse("calls:start"), {"next": SEARCH}, headers=HTMX)
    assert response.headers["HX-Trigger"] == '{"hotline:call-changed": {}}'
    assert (
        'id="call-panel-heading" tabindex="-1" aria-keyshortcuts="Alt+K" autofocus' in response.text
    )
    # An autosave redraws the panel without taking the focus from the control used.
    response = operator_client.post(url("autosave"), {"channel": "phone"}, headers=HTMX)
    assert "HX-Trigger" not in response.headers and "autofocus" not in response.text
    response = operator_client.post(url("discard"), {"next": SEARCH}, headers=HTMX)
    assert response.headers["HX-Trigger"] == '{"hotline:call-changed": {}}'
    # Without htmx nothing changes: a redirect to the page, drawn afresh.
    response = operator_client.post(reverse("calls:start"), {"next": SEARCH})
    assert response.status_code == 302 and "HX-Trigger" not in response.headers


def test_start_redirects_to_a_safe_next_and_ignores_an_external_one(operator_client, operator_site):
    response = operator_client.post(reverse("calls:start"), {"next": SEARCH})
    assert response.url == SEARCH
    Call.objects.all().delete()
    response = operator_client.post(reverse("calls:start"), {"next": "https://evil.example/"})
    assert response.url == reverse("desk:home")


def test_start_without_a_site_asks_for_an_administrator(operator_client):
    make_site("Ikke mitt senter")
    response = operator_client.post(reverse("calls:start"))
    assert response.status_code == 400
    assert "Ask an administrator to attach you to a site" in error_summary(response)
    assert not Call.objects.exists()


def test_an_inactive_site_does_not_count(operator_client, operator):
    make_site("Nedlagt senter", operator, is_active=False)
    assert operator_client.post(reverse("calls:start")).status_code == 400


def test_start_with_several_sites_needs_one_of_the_users_sites(operator_client, operator):
    bergen = make_site("Senter Bergen", operator)
    make_site("Senter Tromsø", operator)
    other = make_site("Annet senter")
    response = operator_client.post(reverse("calls:start"), {"site": other.pk})
    assert response.status_code == 400
    assert "Site:" in error_summary(response)
    assert operator_client.post(reverse("calls:start"), {"site": "99887766"}).status_code == 400
    assert not Call.objects.exists()
    operator_client.post(reverse("calls:start"), {"site": bergen.pk})
    assert Call.objects.get().site == bergen


def test_start_form_hides_a_single_site_and_offers_radios_for_several(rf, operator):
    request = rf.get(DESK)
    request.user = operator
    make_site("Senter Bergen", operator)
    form = panel_context(request)["start_form"]
    assert form.only_site.name == "Senter Bergen"
    assert form["site"].is_hidden
    make_site("Senter Tromsø", operator)
    form = panel_context(request)["start_form"]
    assert form.only_site is None
    assert str(form["site"]).count('type="radio"') == 2


# Autosave


def test_autosave_stores_every_kind_of_field(operator_client, call):
    topics = ["partnervold", "digital-vold"]
    response = operator_client.post(
        url("autosave"),
        {
            "channel": "chat",
            "caller_role": "parorende",
            "age_group": "16_17",
            "gender": "female",
            "topics": topics,
            "relation": "ex_partner",
            "municipality": "0301",
            "acute": "on",
            "emergency_services": "on",
            "interpreter_language": "ar",
            "outcome": "referred",
            "unmet_reason": "full",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'role="status">Saved<' in response.text
    call.refresh_from_db()
    assert (call.channel, call.caller_role, call.age_group, call.gender) == (
        "chat",
        "parorende",
        "16_17",
        "female",
    )
    assert set(call.topics.values_list("code", flat=True)) == set(topics)
    assert call.relation == "ex_partner"
    assert call.municipality == Municipality.objects.get(number="0301")
    assert call.acute and call.emergency_services
    assert call.interpreter_language == Language.objects.get(code="ar")
    assert (call.outcome, call.unmet_reason) == ("referred", "full")
    assert call.is_open
    # The re-rendered panel shows what was saved.
    assert 'value="0301" selected' in response.text
    assert re.search(r'value="parorende"[^>]*checked', response.text)


def test_autosave_clears_what_is_no_longer_ticked(operator_client, call):
    call.update_answers({"acute": True, "topics": Topic.objects.filter(code="voldtekt")})
    response = operator_client.post(url("autosave"), {"caller_role": "utsatt"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.caller_role == "utsatt"
    assert not call.acute
    assert not call.topics.exists()


def test_autosave_without_htmx_returns_to_the_search(operator_client, call):
    response = operator_client.post(url("autosave"), {"gender": "male", "next": SEARCH})
    assert response.status_code == 302
    assert response.url == SEARCH
    assert "Saved" in flashes(response)
    response = operator_client.post(url("autosave"), {"gender": "male", "next": "//evil.example/x"})
    assert response.url == reverse("desk:home")


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("caller_role", "victim", "Who is calling"),
        ("age_group", "42", "Age group"),
        ("topics", "ikke-et-tema", "Topics"),
        ("municipality", "9999", "Caller's municipality"),
        ("interpreter_language", "xx", "Interpreter language"),
        ("acute", "yes please", "Acute situation"),
        ("channel", "99887766", "Channel"),
    ],
)
def test_autosave_refuses_unknown_values_naming_the_field(
    operator_client, call, field, value, label
):
    response = operator_client.post(url("autosave"), {field: value}, headers=HTMX)
    assert response.status_code == 400
    assert f"{label}:" in error_summary(response)
    assert value not in error_summary(response)  # never echoed back


def test_invalid_autosave_without_htmx_shows_the_desk_with_the_errors(operator_client, call):
    response = operator_client.post(url("autosave"), {"gender": "x", "next": SEARCH})
    assert response.status_code == 400
    assert "Gender:" in error_summary(response)
    # The whole desk, with the search the form came from.
    [chip] = elements(response.text, "input", name="topic", value="partnervold")
    assert "checked" in chip
    assert elements(response.text, "form", id="search")
    assert elements(response.text, "form", class_="call-form")


# Lookup, methods and roles


def test_another_operators_call_is_not_found(client, call, service):
    # Operator B has no open call, so "current" is nothing for B, even though A has one.
    call.add_referral(service)
    other = make_user(Role.OPERATOR, username="operator2")
    make_site("Senter 2", other)
    login_verified(client, other)
    for name in ("autosave", "discard", "add_referral"):
        data = {"caller_role": "utsatt", "service": service.pk}
        assert client.post(url(name), data).status_code == 404, name
        assert client.post(url(name), data, headers=HTMX).status_code == 404, name
    assert client.post(url("remove_referral", service.pk)).status_code == 404
    # Even with A's close token, B closes nothing.
    response = client.post(url("close"), {**FINAL, "token": call.close_token})
    assert response.status_code == 302
    assert "This call was already saved." in flashes(response)
    call.refresh_from_db()
    assert call.is_open
    assert call.caller_role == ""
    assert call.close_token is not None
    assert list(call.referrals.all()) == [service]
    assert Call.objects.count() == 1


def test_a_closed_call_is_not_found(operator_client, call, service):
    call.close()
    assert operator_client.post(url("autosave"), {"gender": "male"}).status_code == 404
    assert operator_client.post(url("discard")).status_code == 404
    response = operator_client.post(url("add_referral"), {"service": service.pk})
    assert response.status_code == 404
    response = operator_client.post(url("remove_referral", service.pk))
    assert response.status_code == 404
    assert Call.objects.get().gender == ""


def all_urls(service):
    return [
        reverse("calls:start"),
        url("autosave"),
        url("close"),
        url("discard"),
        url("add_referral"),
        url("remove_referral", service.pk),
    ]


def test_every_view_is_post_only(operator_client, call, service):
    for address in all_urls(service):
        assert operator_client.get(address).status_code == 405, address


def test_other_roles_are_refused(client, editor, supervisor, call, service):
    for user in (editor, supervisor):
        login_verified(client, user)
        for address in all_urls(service):
            assert client.post(address, {"service": service.pk}).status_code == 403, address
            assert client.get(address).status_code == 405, address
    assert Call.objects.get().is_open


def test_anonymous_users_are_sent_to_the_login(client, call, service):
    for address in all_urls(service):
        response = client.post(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# Close


def test_close_requires_channel_caller_role_and_outcome(operator_client, call):
    response = operator_client.post(
        url("close"), {"token": call.close_token, "channel": ""}, headers=HTMX
    )
    assert response.status_code == 400
    summary = error_summary(response)
    for label in ("Channel", "Who is calling", "Outcome"):
        assert f"{label}:" in summary
    call.refresh_from_db()
    assert call.is_open
    assert call.close_token is not None


def test_a_refused_close_without_htmx_stays_on_the_desk(operator_client, call):
    response = operator_client.post(url("close"), {"token": call.close_token, "next": SEARCH})
    assert response.status_code == 400
    assert "Who is calling:" in error_summary(response)
    assert elements(response.text, "form", id="search")
    [chip] = elements(response.text, "input", name="topic", value="partnervold")
    assert "checked" in chip
    # The call timer is still there (its start is kept in the browser, not reset).
    assert elements(response.text, "span", id="call-timer")


def test_a_refused_close_without_a_desk_to_return_to_shows_the_plain_desk(operator_client, call):
    response = operator_client.post(
        url("close"), {"token": call.close_token, "next": "https://example.com/x"}
    )
    assert response.status_code == 400
    assert elements(response.text, "form", id="search")
    assert "example.com" not in response.text


@pytest.mark.parametrize("htmx", [HTMX, {}], ids=["htmx", "plain"])
def test_close_needs_the_unmet_need_chosen(operator_client, call, htmx):
    data = {**FINAL, "token": call.close_token}
    del data["unmet_reason"]
    response = operator_client.post(url("close"), data, headers=htmx)
    assert response.status_code == 400
    assert "Unmet need: Choose the unmet need, or “none” if the need was met." in (
        error_summary(response)
    )
    call.refresh_from_db()
    assert call.is_open


def test_the_unmet_need_has_no_preset_and_offers_none(operator_client, call):
    response = operator_client.get(DESK)
    radios = elements(response.text, "input", name="unmet_reason")
    assert [radio["value"] for radio in radios][:2] == ["none", "no_service"]
    assert not any("checked" in radio for radio in radios)
    assert "" not in [radio["value"] for radio in radios]


def test_closing_with_none_records_a_met_need(operator_client, call):
    response = operator_client.post(url("close"), {**FINAL, "token": call.close_token})
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.is_open, call.unmet_reason) == (False, "none")


def test_refused_answers_point_at_their_messages(operator_client, call):
    response = operator_client.post(
        url("close"), {"token": call.close_token, "channel": "phone"}, headers=HTMX
    )
    assert response.status_code == 400
    for name in ("caller_role", "outcome", "unmet_reason"):
        radios = elements(response.text, "input", name=name)
        assert radios
        for radio in radios:
            assert radio["aria-invalid"] == "true"
            assert radio["aria-describedby"] == f"call_{name}_error"
        [message] = elements(response.text, "p", id=f"call_{name}_error")
        assert message["class"] == "field-error"
    # An accepted answer is not marked.
    for radio in elements(response.text, "input", name="channel"):
        assert "aria-invalid" not in radio


def test_close_is_an_htmx_post_into_the_panel(operator_client, call):
    page = operator_client.get(DESK).text
    [close] = [b for b in elements(page, "button") if b.get("formaction") == url("close")]
    assert (close["hx-post"], close["hx-target"], close["hx-swap"]) == (
        url("close"),
        "#call-panel",
        "outerHTML",
    )


def test_close_saves_the_answers_and_forgets_the_operator(operator_client, call):
    data = {**FINAL, "gender": "female", "topics": ["voldtekt"], "token": call.close_token}
    response = operator_client.post(url("close"), data)
    assert response.status_code == 302
    assert response.url == reverse("desk:home")
    assert "Call saved anonymously." in flashes(response)
    call.refresh_from_db()
    assert not call.is_open
    assert call.operator is None
    assert call.close_token is None
    assert (call.caller_role, call.outcome, call.gender) == ("utsatt", "information", "female")
    assert list(call.topics.values_list("code", flat=True)) == ["voldtekt"]
    assert Call.objects.closed().count() == 1


def test_closing_twice_with_the_same_token_saves_one_call(operator_client, call):
    data = {**FINAL, "token": call.close_token}
    operator_client.post(url("close"), data)
    response = operator_client.post(url("close"), data)
    assert response.status_code == 302
    assert response.url == reverse("desk:home")
    assert "This call was already saved." in flashes(response)
    assert Call.objects.count() == 1
    assert Call.objects.closed().count() == 1


def test_a_wrong_or_missing_token_closes_nothing(operator_client, call):
    for token in ("", "not-a-uuid", "6c1e5ad4-6a2f-4a0c-9f8b-0f2e1c3d4b5a"):
        response = operator_client.post(url("close"), {**FINAL, "token": token})
        assert response.status_code == 302
        assert "This call was already saved." in flashes(response)
    call.refresh_from_db()
    assert call.is_open


def test_close_with_htmx_redirects_the_browser(operator_client, call):
    response = operator_client.post(
        url("close"), {**FINAL, "token": call.close_token}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == reverse("desk:home")
    assert not Call.objects.get().is_open


def test_a_new_call_can_start_after_closing(operator_client, operator, call):
    operator_client.post(url("close"), {**FINAL, "token": call.close_token})
    operator_client.post(reverse("calls:start"))
    assert Call.objects.count() == 2
    assert Call.objects.open_for(operator).exclude(pk=call.pk).exists()


# Discard


def test_discard_deletes_the_open_call(operator_client, call):
    response = operator_client.post(url("discard"), {"next": SEARCH})
    assert response.status_code == 302
    assert response.url == SEARCH
    assert not Call.objects.exists()


def test_discard_with_htmx_shows_the_start_form_again(operator_client, call):
    response = operator_client.post(url("discard"), headers=HTMX)
    assert response.status_code == 200
    assert f'action="{reverse("calls:start")}"' in response.text
    assert "Nothing was logged" in response.text
    assert not Call.objects.exists()


# Referrals


def test_add_and_remove_a_referral_with_htmx(operator_client, call, service):
    response = operator_client.post(
        url("add_referral"), {"service": service.pk, "next": SEARCH}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="call-panel"')
    assert "Krisesenteret i Oslo" in response.text
    assert f'action="{url("remove_referral", service.pk)}"' in response.text
    assert list(call.referrals.all()) == [service]

    response = operator_client.post(
        url("remove_referral", service.pk), {"next": SEARCH}, headers=HTMX
    )
    assert response.status_code == 200
    assert not call.referrals.exists()
    assert url("remove_referral", service.pk) not in response.text


def test_add_and_remove_a_referral_without_htmx(operator_client, call, service):
    response = operator_client.post(url("add_referral"), {"service": service.pk})
    assert response.status_code == 302
    assert response.url == reverse("desk:home")
    response = operator_client.post(url("add_referral"), {"service": service.pk, "next": SEARCH})
    assert response.url == SEARCH
    assert call.referrals.count() == 1  # adding twice is harmless

    response = operator_client.post(
        url("remove_referral", service.pk), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("desk:home")
    assert not call.referrals.exists()


def test_referral_to_an_unknown_or_unpublished_service_is_refused(operator_client, call):
    draft = make_service("Utkast", is_published=False)
    for value in ("999999", draft.pk, "99887766", "", "abc"):
        response = operator_client.post(url("add_referral"), {"service": value})
        assert response.status_code == 400, value
        assert "Service:" in error_summary(response)
    assert not call.referrals.exists()
    assert operator_client.post(url("remove_referral", 999999)).status_code == 404


def test_panel_context_lists_what_was_referred(rf, operator, call, service):
    call.add_referral(service)
    request = rf.get(SEARCH)
    request.user = operator
    context = panel_context(request)
    assert context["call"] == call
    assert context["referred_ids"] == {service.pk}
    assert context["start_form"] is None
    assert context["call_form"].instance == call
    assert context["call_next"] == SEARCH


def test_the_panel_has_only_one_tap_inputs_and_csrf_in_every_form(operator_client, call, service):
    call.add_referral(service)
    text = operator_client.post(url("autosave"), headers=HTMX).text
    assert text.count("<form") == text.count("csrfmiddlewaretoken") == 3
    assert "<textarea" not in text
    types = set(re.findall(r'<input type="([a-z]+)"', text))
    assert types <= {"hidden", "radio", "checkbox"}
    assert 'hx-trigger="change"' in text
    assert f'formaction="{url("close")}"' in text


# Demo


def test_the_demo_operator_belongs_to_the_demo_site():
    from hotline.demo.users import reset_demo_users

    reset_demo_users()
    reset_demo_users()  # idempotent
    site = Site.objects.get(name="Nasjonal hjelpelinje – Oslo")
    assert site.municipality.number == "0301"
    assert list(site.members.values_list("username", flat=True)) == ["operator"]


def test_an_htmx_referral_turns_the_cards_button_into_referred(operator_client, call, service):
    response = operator_client.post(url("add_referral"), {"service": service.pk}, headers=HTMX)
    assert response.status_code == 200
    # It keeps the focus that the card's button had (htmx focuses [autofocus]).
    assert (
        f'<span id="refer-{service.pk}" class="tag tag--open" tabindex="-1" autofocus'
        ' hx-swap-oob="true">'
    ) in response.text
    # The desk's card carries the id the swap replaces.
    desk = operator_client.get("/desk/?municipality=0301&topic=partnervold").text
    assert f'id="refer-{service.pk}"' in desk
