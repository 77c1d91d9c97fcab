"""Staff roles. A role is membership of the Django group with the same name."""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    OPERATOR = "operator"
    EDITOR = "editor"
    SUPERVISOR = "supervisor"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def home_url_name(self) -> str:
        return ROLE_HOMES[self]


ROLE_LABELS = {
    Role.OPERATOR: _("Operator"),
    Role.EDITOR: _("Directory editor"),
    Role.SUPERVISOR: _("Supervisor"),
}
ROLE_HOMES = {
    Role.OPERATOR: "desk:home",
    Role.EDITOR: "directory:dashboard",
    Role.SUPERVISOR: "reports:home",
}


def user_roles(user: AbstractUser | AnonymousUser) -> frozenset[Role]:
    """The user's roles; superusers (admins) hold every role. Cached per request."""
    if not user.is_authenticated:
        return frozenset()
    # Cached on the user object, as Django's ModelBackend caches permissions.
    cached: frozenset[Role] | None = getattr(user, "_hotline_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Role)
        else:
            names = set(user.groups.values_list("name", flat=True))
            cached = frozenset(role for role in Role if role.value in names)
        setattr(user, "_hotline_roles", cached)  # noqa: B010 - not a field of the model
    return cached


def role_required(*roles: Role) -> Callable:
    """Allow the view only to users holding one of ``roles``; others get 403.

    Anonymous users never get here: LoginRequiredMiddleware sends them to the login page.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_roles(request.user) & set(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
