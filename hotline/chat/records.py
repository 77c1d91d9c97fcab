"""Each answered chat is a call record with channel = chat, like a phone call's.

While the chat is open its record has no operator (an operator may hold several chats and
a phone call at once; the call log allows one open call per operator). The operator who
held it records its categories once it ends (views.record); a record never recorded is
closed by close_left_open like any call left open.
"""

from django.db import transaction
from django.utils import timezone

from hotline.calls.models import Call, LastSite, Site, start_of_hour
from services_directory.models import Service


def site_for(user) -> Site | None:
    last = LastSite.objects.filter(operator=user).select_related("site").first()
    if last is not None and last.site.is_active:
        return last.site
    return user.helpline_sites.filter(is_active=True).first()


def start_chat_call(user, age_group: str) -> Call | None:
    site = site_for(user)
    if site is None:
        return None
    with transaction.atomic():
        return Call.objects.create(
            site=site,
            operator=None,
            is_open=True,
            started_hour=start_of_hour(timezone.now()),
            channel=Call.Channel.CHAT,
            age_group=age_group or "",
        )


def open_chat_call(call_id: str) -> Call | None:
    return Call.objects.filter(pk=call_id, is_open=True, channel=Call.Channel.CHAT).first()


def add_chat_referral(call_id: str, service_pk: int) -> None:
    call = open_chat_call(call_id)
    service = Service.objects.public().filter(pk=service_pk).first()
    if call is not None and service is not None:
        call.add_referral(service)
