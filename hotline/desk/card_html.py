"""The desk's result cards written as HTML in Python, twenty to a page.

In the template engine each escaped value on a card cost some 25 function calls and
each branch ten: twenty cards were 60 % of an htmx search's time (docs/performance.md).
Written here, a card costs a few calls per value, as the admin's change list writes its
cells. Every value is escaped; the only markup not written here is ``page.csrf_input``,
Django's own.
"""

from collections.abc import Callable
from html import escape
from typing import NamedTuple

from django.middleware.csrf import get_token
from django.template.context import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from hotline.desk.cards import DeskCard, per_pk_url


class CardPage(NamedTuple):
    """What every card on one page shares."""

    words: dict[str, str]  # the cards' fixed words, translated once a page
    csrf_input: str
    call_open: bool
    referred: frozenset[int]
    refer_url: str
    next_path: str
    next_param: str  # already quoted for a query string
    confidential_url: Callable[[int], str]


def card_page(context: Context) -> CardPage:
    """The page's shared values, from the desk template's context."""
    request = context["request"]
    token = escape(get_token(request))
    words = {
        "copy": _("Copy"),
        "languages": _("Languages"),
        "accessibility": _("Accessibility"),
        "age": _("Age"),
        "note": _("Note for operators:"),
        "referred": _("Referred in this call"),
        "refer": _("Add as referral"),
        "report": _("Report an error in this entry"),
        "more": _("Read more"),
        "address": _("Address:"),
        "warning": _("An error has been reported in this entry: double-check the number."),
        "free_places": _("Free places:"),
        "confidential": _("Confidential address"),
        "show_logged": _("Show (logged)"),
    }
    return CardPage(
        words={key: escape(str(text)) for key, text in words.items()},
        csrf_input=f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">',
        call_open=bool(context.get("call")),
        referred=frozenset(context.get("referred_ids") or ()),
        refer_url=escape(reverse("calls:add_referral")),
        next_path=escape(context.get("next_path") or ""),
        next_param=escape(context.get("next_param") or ""),
        confidential_url=per_pk_url("desk:confidential_address"),
    )


def render_cards(cards: list[DeskCard], page: CardPage) -> SafeString:
    # One card a line, so that the page source reads as the template did.
    return mark_safe("".join(f"{_card(card, page)}\n" for card in cards))  # noqa: S308 (escaped)


def _card(card: DeskCard, page: CardPage) -> str:
    words, pk, name = page.words, card["pk"], escape(card["name"])
    out = [
        f'<li class="hit hit--{escape(card["coverage_code"])}">'
        f'<div class="hit__head"><h2 class="hit__name">{name}</h2>'
        f'<p class="hit__org">{escape(card["organization"])}</p></div>'
        f'<p class="hit__status"><span class="tag tag--{"open" if card["is_open"] else "closed"}">'
        f"{escape(card['status'])}</span>"
    ]
    if card["change"]:
        out.append(f" {escape(card['change'])}")
    out.append(f' <span class="hit__coverage">{escape(card["coverage"])}</span></p>')
    if card["error_reports"]:
        out.append(f'<p class="hit__warning">{words["warning"]}</p>')
    if card["phones"]:
        out.append('<ul class="phones">')
        for phone in card["phones"]:
            display = escape(phone["display"])
            out.append(f'<li><a class="phone" href="{escape(phone["href"])}">{display}</a>')
            if phone["description"]:
                out.append(f' <span class="muted">{escape(phone["description"])}</span>')
            out.append(
                f' <button type="button" class="button button--small button--secondary copy"'
                f' data-copy="{display}" hidden>{words["copy"]}'
                f'<span class="visually-hidden"> {display}</span></button></li>'
            )
        out.append("</ul>")
    if card["channels"]:
        links = " · ".join(
            f'<a href="{escape(channel["href"])}">{escape(channel["label"])}</a>'
            for channel in card["channels"]
        )
        out.append(f'<p class="hit__channels">{links}</p>')
    if card["capacity"]:
        out.append(_capacity(card["capacity"], words))
    out.append(_about(card, words))
    facts = [
        (words[key], card[key])  # type: ignore[literal-required]
        for key in ("languages", "accessibility")
        if card[key]  # type: ignore[literal-required]
    ]
    if card["ages"]:
        facts.append((words["age"], card["ages"]))
    out.append('<dl class="hit__facts">')
    out += [f"<div><dt>{label}</dt><dd>{escape(value)}</dd></div>" for label, value in facts]
    out.append("</dl>")
    if card["note"]:
        out.append(
            f'<p class="hit__note"><strong>{words["note"]}</strong> {escape(card["note"])}</p>'
        )
    if card["confidential"]:
        # Shown on request only, and the request is audited (views.confidential_address).
        url = escape(page.confidential_url(pk))
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
    report = f"{escape(card['report_url'])}?next={page.next_param}"
    out.append(
        f' <a class="button button--small button--secondary" href="{report}"'
        f' hx-get="{report}" hx-target="#report-{pk}">{words["report"]}'
        f'<span class="visually-hidden">: {name}</span></a></div>'
        f'<div id="report-{pk}"></div></li>'
    )
    return "".join(out)


def _capacity(capacity, words: dict[str, str]) -> str:
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


def _about(card: DeskCard, words: dict[str, str]) -> str:
    about = card["about"]
    out = []
    if about["badges"]:
        out.append(
            '<ul class="badges">'
            + "".join(f"<li>{escape(badge)}</li>" for badge in about["badges"])
            + "</ul>"
        )
    if about["lead"]:
        rest = about["rest"]
        out.append(f'<div class="hit__about"><p>{escape(about["lead"])}{" …" if rest else ""}</p>')
        if rest:
            out.append(
                f"<details><summary>{words['more']}"
                f'<span class="visually-hidden">: {escape(card["name"])}</span></summary>'
                f"<p>{escape(rest)}</p></details>"
            )
        out.append("</div>")
    for address in about["addresses"]:
        postcode = f", {escape(address['postcode'])}" if address["postcode"] else ""
        out.append(
            f'<p class="hit__address"><strong>{words["address"]}</strong>'
            f" {escape(address['address'])}{postcode} {escape(address['municipality'])}</p>"
        )
    return "".join(out)
