"""Starting a call: it takes what the search already says (place, topics, who is
calling) for the operator to change, and it starts at the operator's last real site,
never in training unless training is chosen."""

import pytest
from django.urls import reverse

from hotline.calls.models import Call, LastSite
from tests.factories import elements, make_site

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
START = reverse("calls:start")


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def topics(call: Call) -> list[str]:
    return sorted(call.topics.values_list("code", flat=True))


def test_an_htmx_start_takes_the_posted_search(operator_client, operator_site):
    # hx-include="#search": the search's inputs come along with the start form's.
    search = {"where": "Bodø", "topic": ["voldtekt", "partnervold"], "audience": "parorende"}
    response = operator_client.post(START, {**search, "next": "/desk/"}, headers=HTMX)
    assert response.status_code == 200
    call = Call.objects.get()
    assert call.municipality.number == "1804"
    assert topics(call) == ["partnervold", "voldtekt"]
    assert call.caller_role == "parorende"
    # The panel shows them, for the operator to change.
    [municipality] = elements(response.text, "option", value="1804")
    assert "selected" in municipality
    [role] = elements(response.text, "input", name="caller_role", value="parorende")
    assert "checked" in role


def test_a_plain_start_takes_the_search_of_the_page_it_came_from(operator_client, operator_site):
    next_url = "/desk/?municipality=0301&topic=voldtekt&audience=under_16&audience=utsatt"
    response = operator_client.post(START, {"next": next_url})
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.municipality.number, topics(call)) == ("0301", ["voldtekt"])
    assert (call.caller_role, call.age_group) == ("utsatt", "under_16")


def test_several_callers_in_the_search_leave_who_is_calling_to_the_operator(
    operator_client, operator_site
):
    search = {"audience": ["utsatt", "parorende"], "topic": "voldtekt"}
    operator_client.post(START, search, headers=HTMX)
    call = Call.objects.get()
    assert (call.caller_role, topics(call)) == ("", ["voldtekt"])


def test_a_refused_search_parameter_does_not_stop_the_call(operator_client, operator_site):
    search = {"where": "12345678901", "topic": ["voldtekt", "nonsense"], "age": "x"}
    response = operator_client.post(START, search, headers=HTMX)
    assert response.status_code == 200
    call = Call.objects.get()
    assert call.municipality is None
    assert call.is_open


def test_without_a_search_the_call_starts_empty(operator_client, operator_site):
    operator_client.post(START, {"next": "/desk/"})
    call = Call.objects.get()
    assert (call.municipality, topics(call), call.caller_role) == (None, [], "")


def test_the_start_form_posts_the_search_along(operator_client, operator_site):
    [form] = [
        f for f in elements(operator_client.get("/desk/").text, "form") if f.get("hx-post") == START
    ]
    assert form["hx-include"] == "#search"


def test_a_second_start_changes_nothing_of_the_open_call(operator_client, operator_site):
    operator_client.post(START, {"topic": "voldtekt"}, headers=HTMX)
    operator_client.post(START, {"topic": "incest", "where": "Bodø"}, headers=HTMX)
    call = Call.objects.get()
    assert (topics(call), call.municipality) == (["voldtekt"], None)


# The site


def checked_site(client) -> list[str]:
    page = client.get("/desk/").text
    return [radio["value"] for radio in elements(page, "input", name="site") if "checked" in radio]


def test_the_only_real_site_is_the_default_beside_a_training_site(operator_client, operator):
    real = make_site("Oslo", operator)
    make_site("Opplæring", operator, is_training=True)
    assert checked_site(operator_client) == [str(real.pk)]


def test_the_last_real_site_is_the_default(operator_client, operator):
    make_site("Bodø", operator)
    tromso = make_site("Tromsø", operator)
    assert checked_site(operator_client) == []  # two real sites: no guess
    operator_client.post(START, {"site": tromso.pk})
    call = Call.objects.get()
    operator_client.post(reverse("calls:discard"))
    assert not Call.objects.filter(pk=call.pk).exists()
    assert checked_site(operator_client) == [str(tromso.pk)]
    # Kept per operator, apart from the calls (which lose the operator when closed).
    assert LastSite.objects.get(operator=operator).site == tromso


def test_training_is_chosen_explicitly_and_never_becomes_the_default(operator_client, operator):
    real = make_site("Oslo", operator)
    training = make_site("Opplæring", operator, is_training=True)
    response = operator_client.post(START, {"site": training.pk}, headers=HTMX)
    assert elements(response.text, "p", id="training-banner")
    assert Call.objects.get().site == training
    operator_client.post(reverse("calls:discard"))
    assert checked_site(operator_client) == [str(real.pk)]
    assert not LastSite.objects.filter(operator=operator).exists()


def test_a_last_site_the_operator_left_is_not_the_default(operator_client, operator):
    make_site("Bodø", operator)
    tromso = make_site("Tromsø", operator)
    make_site("Alta", operator)
    LastSite.objects.create(operator=operator, site=tromso)
    tromso.members.remove(operator)
    assert checked_site(operator_client) == []


def test_another_operators_last_site_is_not_mine(operator_client, operator):
    from hotline.accounts.roles import Role
    from tests.factories import make_user

    other = make_user(Role.OPERATOR, username="other")
    make_site("Bodø", operator, other)
    tromso = make_site("Tromsø", operator, other)
    LastSite.objects.create(operator=other, site=tromso)
    assert checked_site(operator_client) == []


def test_start_without_a_site_among_several_names_the_field(operator_client, operator):
    make_site("Bodø", operator)
    make_site("Tromsø", operator)
    response = operator_client.post(START, {}, headers=HTMX)
    assert response.status_code == 400
    assert "Site:" in response.text
    for radio in elements(response.text, "input", name="site"):
        assert (radio["aria-invalid"], radio["aria-describedby"]) == ("true", "start_site_error")


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_start_is_post_only(operator_client, operator_site, method):
    assert getattr(operator_client, method)(START).status_code == 405


def test_start_is_for_operators_only(client, editor, operator_site):
    from tests.factories import login_verified

    login_verified(client, editor)
    assert client.post(START, {"topic": "voldtekt"}).status_code == 403
    assert not Call.objects.exists()
