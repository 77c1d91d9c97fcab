"""How the desk says times and distances aloud."""

from datetime import datetime

from django.utils import formats, numberformat, timezone
from django.utils.translation import gettext as _


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


def km(value: float | None) -> str:
    return Distances().km(value)


class Distances:
    """Distances in the active language's words and decimal mark, looked up once for a
    page that gives twenty of them."""

    def __init__(self) -> None:
        self.words = _("%(km)s km")
        self.decimal_mark = formats.get_format("DECIMAL_SEPARATOR")

    def km(self, value: float | None) -> str:
        if value is None:
            return ""
        if value < 10:
            number = numberformat.format(value, self.decimal_mark, 1, use_l10n=True)
        else:
            number = numberformat.format(round(value), self.decimal_mark, 0, use_l10n=True)
        return self.words % {"km": number}
