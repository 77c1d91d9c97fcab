import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from services_directory.models import ErrorReport, Service
from tests.factories import login_verified, make_service

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client, settings):
    # Assertions below use the English msgids; bokmål is the default language.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    previous = translation.get_language()
    yield
    # The locale middleware leaves "en" active on this thread; later tests expect bokmål.
    translation.activate(previous)


@pytest.fixture
def service():
    return make_service("Krisesenteret i Bodø", covers_whole_country=True)


def report_url(service):
    return reverse("directory:report_error", args=[service.pk])


def resolve_url(report):
    return reverse("directory:resolve_error_report", args=[report.pk])


def queue_section(text):
    return text.split('id="error-queue"')[1].split("</section>")[0]


# Reporting (operators)


def test_operator_gets_the_report_form(operator_client, service):
    response = operator_client.get(report_url(service))
    assert response.status_code == 200
    assert "<fieldset" in response.text
    assert "<legend>" in response.text
    assert response.text.count('type="radio"') == len(ErrorReport.Kind.choices)
    assert 'name="next"' in response.text
    assert "Krisesenteret i Bodø" in response.text


def test_htmx_get_returns_only_the_form_partial(operator_client, service):
    response = operator_client.get(report_url(service), headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        f'<div class="report-error" id="report-error-{service.pk}">'
    )
    assert "<html" not in response.text
    assert f'hx-target="#report-error-{service.pk}"' in response.text


def test_post_creates_one_anonymous_report_without_text(operator_client, service):
    response = operator_client.post(report_url(service), {"kind": "phone"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    report = ErrorReport.objects.get()
    assert report.service == service
    assert report.kind == ErrorReport.Kind.PHONE
    assert report.status == ErrorReport.Status.OPEN
    assert report.resolved_by is None
    # Nothing that could link the report to an operator or carry what a caller said.
    fields = {field.name for field in ErrorReport._meta.get_fields()}
    assert fields == {
        "id",
        "service",
        "kind",
        "status",
        "reported_at",
        "resolved_at",
        "resolved_by",
    }
    assert not [f for f in ErrorReport._meta.get_fields() if f.get_internal_type() == "TextField"]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Thank you – the editors will check this entry."]


def test_htmx_post_returns_the_confirmation_partial(operator_client, service):
    response = operator_client.post(report_url(service), {"kind": "hours"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Thank you – the editors will check this entry." in response.text
    assert f'id="report-error-{service.pk}"' in response.text
    assert ErrorReport.objects.get().kind == ErrorReport.Kind.HOURS


def test_editor_may_report_too(editor_client, service):
    assert editor_client.get(report_url(service)).status_code == 200
    assert editor_client.post(report_url(service), {"kind": "other"}).status_code == 302
    assert ErrorReport.objects.count() == 1


@pytest.mark.parametrize("data", [{}, {"kind": ""}, {"kind": "caller said 12345678"}])
def test_kind_must_be_a_valid_choice(operator_client, service, data):
    response = operator_client.post(report_url(service), data)
    assert response.status_code == 400
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "Choose what is wrong with this entry." in summary
    assert f'href="#report-{service.pk}-kind_0"' in summary  # links to the kind field
    assert "12345678" not in response.text  # the bad value is not echoed back
    assert ErrorReport.objects.count() == 0


def test_invalid_kind_with_htmx_is_400_with_the_form(operator_client, service):
    response = operator_client.post(report_url(service), {"kind": "nope"}, headers=HTMX)
    assert response.status_code == 400
    assert "<html" not in response.text
    assert "Choose what is wrong with this entry." in response.text


def test_unknown_or_unpublished_service_is_404(operator_client, service):
    draft = make_service("Utkast", is_published=False)
    closed = make_service("Nedlagt", status=Service.Status.INACTIVE)
    for pk in (999999, draft.pk, closed.pk):
        url = reverse("directory:report_error", args=[pk])
        assert operator_client.get(url).status_code == 404
        assert operator_client.post(url, {"kind": "phone"}).status_code == 404
    assert ErrorReport.objects.count() == 0


def test_supervisor_and_anonymous_cannot_report(client, supervisor_client, service):
    assert supervisor_client.get(report_url(service)).status_code == 403
    assert supervisor_client.post(report_url(service), {"kind": "phone"}).status_code == 403
    supervisor_client.logout()
    response = client.post(report_url(service), {"kind": "phone"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert ErrorReport.objects.count() == 0


def test_next_on_this_site_is_followed(operator_client, service):
    next_url = "/desk/?municipality=1804"
    form = operator_client.get(report_url(service), {"next": next_url}).text
    assert 'value="/desk/?municipality=1804"' in form
    response = operator_client.post(report_url(service), {"kind": "phone", "next": next_url})
    assert response["Location"] == next_url


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/desk/", "javascript:alert(1)"]
)
def test_external_next_is_ignored(operator_client, service, next_url):
    form = operator_client.get(report_url(service), {"next": next_url}).text
    hidden = re.search(rf'<input[^>]*id="report-{service.pk}-next"[^>]*>', form).group()
    assert "value" not in hidden
    assert 'href="/"' in form.split("Back without reporting")[0].rsplit("<a ", 1)[1]
    response = operator_client.post(report_url(service), {"kind": "phone", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# The queue (editors)


@pytest.fixture
def report(service):
    return ErrorReport.report(service, ErrorReport.Kind.PHONE)


def test_editor_sees_open_reports_on_the_dashboard(editor_client, service, report):
    other = make_service("Støttesenter mot incest", covers_whole_country=True)
    ErrorReport.report(other, ErrorReport.Kind.CLOSED_DOWN)
    ErrorReport.report(service, ErrorReport.Kind.HOURS)
    response = editor_client.get(reverse("directory:dashboard"))
    assert response.status_code == 200
    queue = queue_section(response.text)
    assert reverse("admin:services_directory_service_change", args=[service.pk]) in queue
    assert "Krisesenteret i Bodø org" in queue
    assert "Phone number is wrong" in queue
    assert "The service has closed down" in queue
    assert "2 open reports" in queue
    assert queue.count(resolve_url(report)) == 2  # action and hx-post
    # Oldest first.
    assert queue.index("Phone number is wrong") < queue.index("The service has closed down")
    assert queue.index("The service has closed down") < queue.index("Opening hours are wrong")


def test_empty_queue_says_so(editor_client):
    queue = queue_section(editor_client.get(reverse("directory:dashboard")).text)
    assert "No open error reports." in queue


@pytest.mark.parametrize("status", ["fixed", "not_an_error"])
def test_editor_resolves_without_htmx(editor_client, editor, report, status):
    response = editor_client.post(resolve_url(report), {"status": status})
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:dashboard")
    report.refresh_from_db()
    assert report.status == status
    assert report.resolved_by == editor
    assert report.resolved_at is not None
    page = editor_client.get(reverse("directory:dashboard")).text
    assert resolve_url(report) not in queue_section(page)
    assert "Krisesenteret i Bodø" in page  # the success message names the service


@pytest.mark.parametrize("status", ["fixed", "not_an_error"])
def test_editor_resolves_with_htmx(editor_client, report, status):
    response = editor_client.post(resolve_url(report), {"status": status}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="error-queue"')
    assert "<html" not in response.text
    assert resolve_url(report) not in response.text
    assert "message--success" in response.text
    report.refresh_from_db()
    assert report.status == status


def test_already_resolved_report_gives_a_clear_message(editor_client, editor, report):
    report.resolve(editor, ErrorReport.Status.FIXED)
    response = editor_client.post(resolve_url(report), {"status": "not_an_error"}, headers=HTMX)
    assert response.status_code == 200
    assert "This report has already been dealt with." in response.text
    response = editor_client.post(resolve_url(report), {"status": "not_an_error"}, follow=True)
    assert "This report has already been dealt with." in response.text
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.FIXED


@pytest.mark.parametrize("data", [{}, {"status": "open"}, {"status": "bogus"}])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_invalid_status_is_400_naming_status(editor_client, report, data, headers):
    response = editor_client.post(resolve_url(report), data, headers=headers)
    assert response.status_code == 400
    assert "Status must be “fixed” or “not an error”." in response.text
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.OPEN


def test_operator_and_supervisor_cannot_resolve(operator_client, supervisor, report):
    assert operator_client.post(resolve_url(report), {"status": "fixed"}).status_code == 403
    login_verified(operator_client, supervisor)
    assert operator_client.post(resolve_url(report), {"status": "fixed"}).status_code == 403
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.OPEN


def test_resolve_refuses_get_and_unknown_ids(editor_client, report):
    assert editor_client.get(resolve_url(report)).status_code == 405
    url = reverse("directory:resolve_error_report", args=[999999])
    assert editor_client.post(url, {"status": "fixed"}).status_code == 404


# Model and queries


def test_resolve_refuses_open_and_already_resolved(editor, report):
    with pytest.raises(ValidationError):
        report.resolve(editor, ErrorReport.Status.OPEN)
    report.resolve(editor, ErrorReport.Status.NOT_AN_ERROR)
    with pytest.raises(ValidationError):
        report.resolve(editor, ErrorReport.Status.FIXED)
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.NOT_AN_ERROR


def test_report_refuses_an_unknown_kind(service):
    with pytest.raises(ValidationError):
        ErrorReport.report(service, "free text from a call")
    assert ErrorReport.objects.count() == 0


def test_only_unresolved_reports_are_open(editor, service):
    phone = ErrorReport.report(service, ErrorReport.Kind.PHONE)
    hours = ErrorReport.report(service, ErrorReport.Kind.HOURS)
    ErrorReport.report(service, ErrorReport.Kind.OTHER).resolve(editor, "fixed")
    ErrorReport.report(service, ErrorReport.Kind.OTHER).resolve(editor, "not_an_error")
    assert set(ErrorReport.objects.open()) == {phone, hours}
