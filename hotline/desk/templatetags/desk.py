from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def moment(value: datetime | None, now: datetime | None = None) -> str:
    """ "09:00", "tomorrow 09:00", "Tuesday 09:00" or "2 Dec 09:00": what an operator says aloud."""
    if value is None:
        return ""
    value = timezone.localtime(value)
    today = timezone.localdate(now) if now else timezone.localdate()
    clock = value.strftime("%H:%M")
    days = (value.date() - today).days
    if days == 0:
        return clock
    if days == 1:
        return _("tomorrow %(time)s") % {"time": clock}
    if 1 < days < 7:
        return f"{formats.date_format(value, 'l')} {clock}"
    return f"{formats.date_format(value, 'j. M')} {clock}"


@register.filter
def km(value: float | None) -> str:
    if value is None:
        return ""
    if value < 10:
        return _("%(km)s km") % {"km": formats.number_format(value, 1)}
    return _("%(km)s km") % {"km": formats.number_format(round(value), 0)}
