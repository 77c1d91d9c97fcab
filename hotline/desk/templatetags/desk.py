from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from hotline.desk.card_html import card_page, render_cards
from hotline.desk.cards import DeskCard
from hotline.desk.wording import km, moment

register = template.Library()
register.filter("km", km)
register.filter("moment", moment)


@register.simple_tag(takes_context=True)
def result_cards(context: Context, cards: list[DeskCard]) -> SafeString:
    """The result cards, with this page's call state and CSRF token."""
    return render_cards(cards, card_page(context))
