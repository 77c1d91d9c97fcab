"""JSON for staff tools. Shares the search code with the operator desk."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from hotline.accounts.roles import Role, role_required
from hotline.accounts.two_factor import second_factor_required
from hotline.api.serializers import search_payload
from hotline.http import HtmxHttpRequest
from services_directory.search import SearchForm, run_search


def api_login_required(view: Callable) -> Callable:
    """A JSON 401 instead of the login page's redirect, which an API client cannot follow."""

    @login_not_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"errors": {"__all__": ["Log in first."]}}, status=401)
        if second_factor_required(request):
            return JsonResponse(
                {"errors": {"__all__": ["Complete two-factor sign-in first."]}}, status=401
            )
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
# Search terms describe a caller's situation: keep them out of every cache.
@api_login_required
@role_required(Role.OPERATOR, Role.EDITOR, Role.SUPERVISOR)
def search(request: HtmxHttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.error_dict()}, status=400)
    return JsonResponse(search_payload(run_search(form.cleaned_data, index=form.index)))
