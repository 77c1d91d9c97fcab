"""The desk's result card, in one home: what a card says (``DeskCard``) and its markup
(``render_cards``).

A search hit (``services_directory.search.Hit``) carries the service's fields as the
search index keeps them (``CardService`` in ``services_directory/search_cards.py``).
``DeskCard`` adds what the card says in words that take more than a lookup (open or
closed and until when, coverage and distance, the description's lead, the badges), and
``_card_html`` writes it, top to bottom as it shows.

Adding a field to a card touches two files: the field in ``CardService`` (the index then
reads, keeps and reloads it with the rest), and ``_card_html`` here
(``card.service.<field>``).

Why markup in Python and not a template: twenty cards written by the template engine
cost an htmx search about three times the function calls (61,000 against 22,000; every
escaped value is some 25 calls there, a few here), which breaks the desk's target of two
times the cheapest page (docs/performance.md, "The card in one home"). Every value is
escaped here; the only markup not written here is Django's CSRF input.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from hotline.desk.wording import Distances, moment
from services_directory.models import Service
from services_directory.models.capacity import CapacityReport
from services_directory.search import Hit
from services_directory.search_cards import CardChannel, CardService, Text, bokmal_lang, lang_of
from services_directory.search_index import Coverage


@dataclass(slots=True)
class Address:
    address: str
    postcode: str
    municipality: str


@dataclass(slots=True)
class DeskCard:
    service: CardService
    organization: str  # a Text on pages not in bokmål
    coverage_code: str  # "local", "regional", "national", "outside"
    is_open: bool  # the status tag's colour
    status: str  # "Open", "Closed", "Open then", "Temporarily closed", …
    when: str  # the chosen "open at" time the status is for, or "" for now
    change: str  # "closes 20:00", "opens Monday 08:00", or ""
    coverage: str  # "Covers the county · 12 km"
    error_reports: int
    phones: list[CardChannel]
    channels: list[tuple[str, str]]  # (href, label): "Chat", "E-mail"
    # Why there is no number to ring: "web_or_chat" (on purpose), "none" (missing)
    no_phone: str
    capacity: CapacityReport | None
    languages: str  # "Norsk, Engelsk"
    accessibility: str
    ages: str  # "12–18", "0–17", "18–"; "" for every age
    note: str  # for operators only, written in bokmål (a Text on other pages)
    confidential: bool  # has an address never to be given to a caller
    lead: str  # the description's first lines (a Text when it fell back to bokmål)
    rest: str  # the remainder, behind "Read more" ("" when it all fits)
    addresses: list[Address]  # public addresses only, never a confidential one
    badges: list[str]  # "Free of charge", "Anonymous contact possible", …
    report_url: str  # "report an error in this entry"
    confidential_url: str  # shows the confidential address, audited


def labels(terms) -> str:
    """ "Norsk, Engelsk": vocabulary terms by their labels in the interface language."""
    return ", ".join(str(term.label) for term in terms)


def per_pk_url(name: str) -> Callable[[int], str]:
    """The URL named ``name`` for any service, reversed once: twenty cards' URLs differ
    only in the id."""
    head, tail = reverse(name, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


class Words:
    """A page's words in the active language, each looked up once rather than once a
    card (every lookup asks for the active language again)."""

    def __init__(self, chosen: bool) -> None:
        self.coverage: dict[Coverage | None, str] = {
            Coverage.LOCAL: _("Covers the municipality"),
            Coverage.REGIONAL: _("Covers the county"),
            Coverage.NATIONAL: _("National"),
            Coverage.OUTSIDE: _("Outside the caller's area"),
            None: _("Outside the caller's area"),
        }
        self.temporarily_closed = _("Temporarily closed")
        self.always_open = _("Open around the clock")
        # With an "open at" time the card speaks of then, not now.
        self.open = _("Open then") if chosen else _("Open")
        self.closed = _("Closed then") if chosen else _("Closed")
        self.closes, self.opens = _("closes %(when)s"), _("opens %(when)s")
        self.free, self.anonymous = _("Free of charge"), _("Anonymous contact possible")
        self.no_police = _("No police report needed")
        self.distances = Distances()
        self.report_url = per_pk_url("directory:report_error")
        self.confidential_url = per_pk_url("desk:confidential_address")
        self.bokmal_lang = bokmal_lang()
        self._labels: dict[int, str] = {}

    def labels(self, terms) -> str:
        """As labels(), each term's label looked up once a page."""
        found = self._labels
        for term in terms:
            if id(term) not in found:
                found[id(term)] = str(term.label)
        return ", ".join(found[id(term)] for term in terms)


def desk_cards(hits: list[Hit], at: datetime, chosen: bool = False) -> list[DeskCard]:
    """The cards of ``hits`` at ``at``: the time the operator chose when ``chosen``
    ("open at"), else now."""
    words = Words(chosen)
    when = moment(at) if chosen else ""
    return [_card(hit, at, when, words) for hit in hits]


def _status(hit: Hit, at: datetime, words: Words) -> tuple[bool, str, str]:
    if hit.service.status == Service.Status.TEMPORARILY_CLOSED:
        return False, words.temporarily_closed, ""
    if hit.always_open:
        return True, words.always_open, ""
    if hit.open_now:
        change = words.closes % {"when": moment(hit.closes_at, at)} if hit.closes_at else ""
        return True, words.open, change
    change = words.opens % {"when": moment(hit.opens_next, at)} if hit.opens_next else ""
    return False, words.closed, change


def _card(hit: Hit, at: datetime, when: str, words: Words) -> DeskCard:
    service = hit.service
    is_open, status, change = _status(hit, at, words)
    coverage = words.coverage[hit.coverage]
    if hit.distance_km is not None:
        coverage = f"{coverage} · {words.distances.km(hit.distance_km)}"
    ages = ""
    if service.min_age is not None or service.max_age is not None:
        ages = f"{service.min_age or 0}–{'' if service.max_age is None else service.max_age}"
    no_phone = ""
    if not hit.phones:
        no_phone = "web_or_chat" if service.web_or_chat_only else "none"
    lead, rest = _split(service.description)
    return DeskCard(
        service=service,
        organization=Text.of(service.organization.name, words.bokmal_lang),
        coverage_code=hit.coverage.code if hit.coverage is not None else "outside",
        is_open=is_open,
        status=status,
        when=when if status in (words.open, words.closed) else "",
        change=change,
        coverage=coverage,
        error_reports=hit.open_error_reports,
        phones=hit.phones,
        channels=[
            (channel.href, capfirst(channel.get_kind_display())) for channel in hit.other_channels
        ],
        no_phone=no_phone,
        capacity=hit.capacity,
        languages=words.labels(hit.languages),
        accessibility=words.labels(hit.accessibility),
        ages=ages,
        note=Text.of(service.operator_note, words.bokmal_lang),
        # Only whether there is one: the address itself is shown on an audited request.
        confidential=bool(hit.confidential_locations),
        lead=Text.of(lead, lang_of(service.description)),
        rest=rest,
        addresses=[
            Address(location.address, location.postcode, location.municipality.name)
            for location in hit.locations
            if not location.is_confidential and location.address
        ],
        badges=_badges(hit, words),
        report_url=words.report_url(service.pk),
        confidential_url=words.confidential_url(service.pk),
    )


# About this many characters show before "Read more": two or three lines of a card.
LEAD_CHARACTERS = 180
# Accessibility recorded on the entry that a card also shows as a badge.
BADGE_ACCESSIBILITY = ("rullestol", "teleslynge", "tegnspraktolk")
POLICE_TYPE_CODE = "politi"


def _split(text: str) -> tuple[str, str]:
    """The first sentences up to about LEAD_CHARACTERS, and the rest."""
    text = " ".join(text.split())
    if len(text) <= LEAD_CHARACTERS:
        return text, ""
    cut = text.rfind(". ", 0, LEAD_CHARACTERS)
    if cut == -1:
        cut = text.rfind(" ", 0, LEAD_CHARACTERS)
        return text[:cut], text[cut + 1 :]
    return text[: cut + 1], text[cut + 2 :]


def _badges(hit: Hit, words: Words) -> list[str]:
    service = hit.service
    badges = []
    if service.free_of_charge:
        badges.append(words.free)
    if service.anonymous_contact:
        badges.append(words.anonymous)
    # Callers fear that help means reporting to the police (seed 4.3.2); the police
    # itself is the one service where the badge would mislead.
    is_police = any(term.code == POLICE_TYPE_CODE for term in hit.service_types)
    if not service.police_report_required and not is_police:
        badges.append(words.no_police)
    recorded = {term.code: term for term in hit.accessibility}
    badges += [str(recorded[code]) for code in BADGE_ACCESSIBILITY if code in recorded]
    return badges


# --- The markup ---


@dataclass(slots=True)
class CardPage:
    """What every card on one page shares: its fixed words (translated and escaped once
    a page), the CSRF input, and the call's state."""

    words: dict[str, str]
    csrf_input: str
    call_open: bool
    referred: frozenset[int]
    refer_url: str
    next_path: str
    next_param: str  # already quoted for a query string


def card_page(
    request: HttpRequest, call_open: bool, referred: Iterable[int], next_path: str, next_param: str
) -> CardPage:
    words = {
        "copy": _("Copy"),
        "languages": _("Languages"),
        "accessibility": _("Accessibility"),
        "age": _("Age"),
        "note": _("Note for operators:"),
        "referred": _("Referred in this call"),
        "refer": _("Add as referral"),
        "report": _("Report an error in this entry"),
        "report_short": _("Report an error"),
        "no_phone": _("No phone number registered."),
        "web_or_chat": _("Reached by web or chat only: no phone number."),
        "more": _("Read more"),
        "address": _("Address:"),
        "warning": _("An error has been reported in this entry: double-check the number."),
        "free_places": _("Free places:"),
        "confidential": _("Confidential address"),
        "show_logged": _("Show (logged)"),
    }
    token = escape(get_token(request))
    return CardPage(
        words={key: escape(str(text)) for key, text in words.items()},
        csrf_input=f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">',
        call_open=call_open,
        referred=frozenset(referred),
        refer_url=escape(reverse("calls:add_referral")),
        next_path=escape(next_path),
        next_param=escape(next_param),
    )


def render_cards(cards: list[DeskCard], page: CardPage) -> SafeString:
    # One card a line, so that the page source stays readable.
    return mark_safe("".join(f"{_card_html(card, page)}\n" for card in cards))  # noqa: S308 (escaped)


def _lang(text: str) -> str:
    """The ``lang`` attribute of a content text not in the page's language (Text)."""
    return f' lang="{text.lang}"' if type(text) is Text else ""


def _card_html(card: DeskCard, page: CardPage) -> str:
    service, words = card.service, page.words
    pk, name = service.pk, escape(service.name)
    report = f"{escape(card.report_url)}?next={page.next_param}"
    report_link = f'href="{report}" hx-get="{report}" hx-target="#report-{pk}"'
    out = [
        # data-service-id: the chat's "Send til chat" button finds the service by it.
        f'<li class="hit hit--{escape(card.coverage_code)}" data-service-id="{pk}">'
        f'<div class="hit__head"><h2 class="hit__name"{_lang(service.name)}>{name}</h2>'
        f'<p class="hit__org"{_lang(card.organization)}>{escape(card.organization)}</p></div>'
        f'<p class="hit__status"><span class="tag tag--{"open" if card.is_open else "closed"}">'
        f"{escape(card.status)}</span>"
    ]
    if card.when:
        out.append(f' <span class="hit__when">({escape(card.when)})</span>')
    if card.change:
        out.append(f" {escape(card.change)}")
    out.append(f' <span class="hit__coverage">{escape(card.coverage)}</span></p>')
    if card.error_reports:
        out.append(f'<p class="hit__warning">{words["warning"]}</p>')
    if card.phones:
        out.append('<ul class="phones">')
        for phone in card.phones:
            display = escape(phone.display_value)
            out.append(f'<li><a class="phone" href="{escape(phone.href)}">{display}</a>')
            if phone.description:
                description = phone.description
                out.append(f' <span class="muted"{_lang(description)}>{escape(description)}</span>')
            out.append(
                f' <button type="button" class="button button--small button--secondary copy"'
                f' data-copy="{display}" hidden>{words["copy"]}'
                f'<span class="visually-hidden"> {display}</span></button></li>'
            )
        out.append("</ul>")
    elif card.no_phone == "web_or_chat":
        out.append(f'<p class="hit__no-phone">{words["web_or_chat"]}</p>')
    else:
        # Said plainly where the number would be, with the way to get it fixed.
        out.append(
            f'<p class="hit__no-phone hit__no-phone--missing"><strong>{words["no_phone"]}</strong>'
            f" <a {report_link}>{words['report_short']}"
            f'<span class="visually-hidden">: {name}</span></a></p>'
        )
    if card.channels:
        links = " · ".join(
            f'<a href="{escape(href)}">{escape(label)}</a>' for href, label in card.channels
        )
        out.append(f'<p class="hit__channels">{links}</p>')
    if card.capacity:
        out.append(_capacity(card.capacity, words))
    if card.badges:
        badges = "".join(f"<li>{escape(badge)}</li>" for badge in card.badges)
        out.append(f'<ul class="badges">{badges}</ul>')
    if card.lead:
        rest = card.rest
        out.append(
            f'<div class="hit__about"{_lang(card.lead)}>'
            f"<p>{escape(card.lead)}{' …' if rest else ''}</p>"
        )
        if rest:
            out.append(
                f"<details><summary>{words['more']}"
                f'<span class="visually-hidden">: {name}</span></summary>'
                f"<p>{escape(rest)}</p></details>"
            )
        out.append("</div>")
    for address in card.addresses:
        postcode = f", {escape(address.postcode)}" if address.postcode else ""
        out.append(
            f'<p class="hit__address"><strong>{words["address"]}</strong>'
            f" {escape(address.address)}{postcode} {escape(address.municipality)}</p>"
        )
    out.append('<dl class="hit__facts">')
    for label, value in (
        (words["languages"], card.languages),
        (words["accessibility"], card.accessibility),
        (words["age"], card.ages),
    ):
        if value:
            out.append(f"<div><dt>{label}</dt><dd>{escape(value)}</dd></div>")
    out.append("</dl>")
    if card.note:
        out.append(
            f'<p class="hit__note"><strong>{words["note"]}</strong>'
            f" <span{_lang(card.note)}>{escape(card.note)}</span></p>"
        )
    if card.confidential:
        # Shown on request only, and the request is audited (views.confidential_address).
        url = escape(card.confidential_url)
        out.append(
            f'<form class="hit__confidential" method="post" action="{url}" hx-post="{url}"'
            f' hx-target="this" hx-swap="outerHTML">{page.csrf_input}'
            f"<strong>{words['confidential']}</strong>"
            f' <button type="submit" class="button button--small button--secondary">'
            f'{words["show_logged"]}<span class="visually-hidden"> – {name}</span></button></form>'
        )
    out.append('<div class="hit__actions">')
    if page.call_open:
        if pk in page.referred:
            out.append(f'<span class="tag tag--open" id="refer-{pk}">{words["referred"]}</span>')
        else:
            out.append(
                f'<form method="post" action="{page.refer_url}" id="refer-{pk}"'
                f' hx-post="{page.refer_url}" hx-target="#call-panel" hx-swap="outerHTML">'
                f'{page.csrf_input}<input type="hidden" name="service" value="{pk}">'
                f'<input type="hidden" name="next" value="{page.next_path}">'
                f'<button type="submit" class="button button--small">{words["refer"]}'
                f'<span class="visually-hidden">: {name}</span></button></form> '
            )
    if card.no_phone != "none":  # else offered where the number would be
        out.append(
            f' <a class="button button--small button--secondary" {report_link}>'
            f'{words["report"]}<span class="visually-hidden">: {name}</span></a>'
        )
    out.append(f'</div><div id="report-{pk}"></div></li>')
    return "".join(out)


def _capacity(capacity: CapacityReport, words: dict[str, str]) -> str:
    age = escape(capacity.age)
    if capacity.stale:
        text = escape(_("Free places: last report %(age)s ago – call to check")) % {"age": age}
        return f'<p class="hit__capacity"><span class="muted">{text}</span></p>'
    tone = {"places_free": " tag--open", "full": " tag--closed"}.get(capacity.status, "")
    out = f'<p class="hit__capacity"><span class="tag{tone}">'
    out += f"{escape(capfirst(str(capacity.status_label)))}</span>"
    figures = capacity.figures
    if figures:
        listed = ", ".join(f"{escape(label)} {number}" for label, number in figures)
        out += f" {words['free_places']} {listed}"
    # "updated just now" under a minute, where a time since would say "0 minutes ago".
    updated = escape(_("updated %(ago)s")) % {"ago": escape(capacity.ago)}
    return out + f' <span class="muted">{updated}</span></p>'
