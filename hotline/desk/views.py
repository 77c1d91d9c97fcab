from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.accounts.roles import Role, role_required
from hotline.http import HtmxHttpRequest


@require_GET
@role_required(Role.OPERATOR)
def desk_home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "desk/home.html")
