from urllib.parse import quote, urlencode, urlsplit

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from hotline.accounts.roles import Role, role_required
from hotline.audit.models import AuditEvent
from hotline.calls.panel import panel_context, referral_state
from hotline.desk.cards import card_page, desk_cards, render_cards
from hotline.desk.forms import DeskSearchForm, PlaceSuggestForm
from hotline.guide.library import library
from hotline.guide.models import Article
from hotline.http import HtmxHttpRequest
from services_directory import places
from services_directory.models import Service
from services_directory.models.capacity import shelters_with_places
from services_directory.search import (
    THIN,
    WayOut,
    interpreters,
    nearest_open,
    opening_next,
    run_search,
    ways_out,
)


@require_GET
@role_required(Role.OPERATOR)
def desk_home(request: HtmxHttpRequest) -> HttpResponse:
    """Search during a call. Nothing about the search is stored or logged."""
    return render_desk(request, request.get_full_path(), request.GET)


def render_desk(
    request: HtmxHttpRequest, path: str, query, panel: dict | None = None, status: int = 200
) -> HttpResponse:
    """The desk at ``path`` (with its search ``query``); ``panel`` is the call panel's
    context when a call-log form comes back refused without htmx (hotline.calls.views).
    At the shelter overview's address the results' place shows free shelter places."""
    overview = urlsplit(path).path == reverse("desk:shelters")
    form = DeskSearchForm(query or None)
    result, location, searched = None, None, False
    if form.is_bound:
        if form.is_valid():
            searched = True
            location = form.cleaned_data.get("location")
            if not overview:
                result = run_search(form.cleaned_data, index=form.index)
        else:
            status = 400
            location = form.cleaned_data.get("location")
    municipality = location.municipality if location else None
    # The strip follows the search (its filters and its time) once there is one.
    filters = form.cleaned_data if searched else {}
    at = result.at if result else filters.get("at") or timezone.now()
    thin = result is not None and len(result.hits) < THIN
    context = {
        "form": form,
        "result": result,
        "overview": overview,
        "search_url": reverse("desk:shelters" if overview else "desk:home"),
        # The two views of the desk, each keeping the search as it is.
        # Not a refused search: it may hold a phone number typed in the place box.
        "view_query": _filled(query) if searched else "",
        "cards": [],
        "location": location,
        "nearest_open": nearest_open(municipality, at, index=form.index, filters=filters),
        "chosen_at": filters.get("at"),
        # A dead end or nearly: which filter to drop, and when the closed ones open.
        "ways_out": [
            (way, _without(request, way))
            for way in ways_out(filters, at, form.index, found=len(result.hits))
        ]
        if thin and result
        else [],
        "opening_next": opening_next(filters, at, index=form.index)
        if thin and filters.get("open")
        else [],
        "suggestions": _suggestions(form),
        "library_articles": _library_articles(form, result is not None),
        # Every card links back here: quoted once, not once a card.
        "next_path": path,
        "next_param": quote(path, safe="/"),
        **(_shelter_rows(form, municipality) if overview and not form.errors else {}),
        # An htmx search redraws the results only, not the call panel.
        **(referral_state(request) if request.htmx else panel or panel_context(request)),
    }
    if result:
        cards = desk_cards(result.hits, result.at, chosen=bool(filters.get("at")))
        page = card_page(
            request,
            call_open=bool(context.get("call")),
            referred=context.get("referred_ids") or (),
            next_path=path,
            next_param=context["next_param"],
        )
        context["cards"] = render_cards(cards, page)
    if not request.htmx:
        # Beside the call panel: full pages only.
        context["interpreters"] = interpreters(timezone.now(), index=form.index)
        return render(request, "desk/home.html", context, status=status)
    response = render(request, "desk/home.html#live", context, status=status)
    if status != 200:
        # Half-typed or refused input (say, a phone number) stays out of the browser history.
        push_url(response, False)
    return response


def _shelter_rows(form: DeskSearchForm, municipality) -> dict:
    """The overview's rows: every shelter reporting places, nearest the caller first.
    Of the search's filters only "free place now" and "free place for" apply; the
    others stay in the address for the services' view."""
    data = form.cleaned_data if form.is_bound else {}
    kind = data.get("free_for") or ""
    return {
        "rows": shelters_with_places(
            municipality, kind=kind, only_free=bool(data.get("free") or kind)
        )
    }


def _filled(query) -> str:
    """``query`` without its empty fields, as a query string (or "")."""
    filled = [(name, value) for name, values in query.lists() for value in values if value]
    return f"?{urlencode(filled)}" if filled else ""


def _without(request: HtmxHttpRequest, way: WayOut) -> str:
    """This search's address without the one filter ``way`` is about."""
    params = request.GET.copy()
    if way.param == "only_ids":
        params.pop("free", None)
        params.pop("free_for", None)
    elif way.param in ("open", "age", "language", "q"):
        params.pop(way.param, None)
    else:
        params.setlist(way.param, [v for v in params.getlist(way.param) if v != way.value])
    return f"?{params.urlencode()}"


def _library_articles(form: DeskSearchForm, searched: bool) -> list[Article]:
    """Guidance library articles on the topics chosen or for who is calling, shown
    beside the results."""
    data = form.cleaned_data if searched else {}
    topics, audiences = data.get("topic"), data.get("audience")
    if not topics and not audiences:
        return []
    codes = [audience.code for audience in audiences or ()]
    return library(form.index.guide_token).beside_results(topics, codes)


def _suggestions(form: DeskSearchForm) -> list[places.Entry]:
    """When the place box does not resolve, offer what it might have meant."""
    where = form.data.get("where", "") if form.is_bound else ""
    if not where or not form.has_error("where") or form.has_error("where", "personal_number"):
        return []
    return places.suggest(where, 12)


@require_GET
@role_required(Role.OPERATOR)
def place_options(request: HtmxHttpRequest) -> HttpResponse:
    """Autocomplete for the place box: ``<option>`` elements for its datalist."""
    form = PlaceSuggestForm(request.GET)
    if not form.is_valid():
        return render(request, "desk/home.html#place_options", {"options": []}, status=400)
    options = places.suggest(form.cleaned_data["where"])
    return render(request, "desk/home.html#place_options", {"options": options})


@require_POST
@role_required(Role.OPERATOR)
def confidential_address(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show a service's confidential addresses, on request only, and log who asked.

    The card does not print them: printing them with every search would put them on
    every operator's screen, and logging each render would log what was searched.
    """
    service = get_object_or_404(Service.objects.published(), pk=pk)
    locations = list(service.locations.filter(is_confidential=True).select_related("municipality"))
    if not locations:
        raise Http404
    AuditEvent.record(AuditEvent.Kind.CONFIDENTIAL_ADDRESS_VIEWED, request, service=service)
    context = {"service": service, "locations": locations}
    template = "desk/confidential_address.html"
    return render(request, f"{template}#addresses" if request.htmx else template, context)


@require_GET
@role_required(Role.OPERATOR)
def shelters(request: HtmxHttpRequest) -> HttpResponse:
    """The desk with free places at every shelter in the country in the results' place,
    nearest the caller first, with the same search (place, "free place" filters) and
    call panel. Like the search, nothing about what was asked is stored or logged."""
    return render_desk(request, request.get_full_path(), request.GET)
