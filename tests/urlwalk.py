"""Every view of the project, found through the URL resolver (never a hand-kept list), so
a sweep over them covers a view the day it is added."""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    params: dict[str, str] = field(hash=False)  # keyword argument -> "int" or "text"
    regex_choices: dict[str, list[str]] = field(hash=False)  # alternatives a regex names
    positional: int = 0  # a regex's unnamed groups (django-simple-history's admin pages)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    def url(self, value: str) -> str:
        """The route's address with ``value`` (percent-encoded) in every parameter, even
        where the route's converter would refuse it, as a client could send it. Where a
        regex lists its alternatives (the admin's app list), the first one."""
        kwargs = {
            name: self.regex_choices.get(name, [_PLACEHOLDER[kind]])[0]
            for name, kind in self.params.items()
        }
        if self.positional:
            address = reverse(self.name, args=[_PLACEHOLDER["text"]] * self.positional)
        else:
            address = reverse(self.name, kwargs=kwargs)
        for placeholder in _PLACEHOLDER.values():
            address = address.replace(placeholder, quote(value, safe=""))
        return address


# Values every converter takes, replaced afterwards by the value wanted.
_PLACEHOLDER = {"int": "987654321", "text": "zzplaceholderzz"}


def _params(pattern) -> tuple[dict[str, str], dict[str, list[str]], int]:
    if isinstance(pattern, RoutePattern):
        kinds = {
            name: "int" if isinstance(converter, IntConverter) else "text"
            for name, converter in pattern.converters.items()
        }
        return kinds, {}, 0
    kinds: dict[str, str] = {}
    choices: dict[str, list[str]] = {}
    if not pattern.regex.groupindex:
        return kinds, choices, pattern.regex.groups
    for name in pattern.regex.groupindex:
        kinds[name] = "text"
        group = re.search(rf"\(\?P<{name}>([a-z_|]+)\)", pattern.regex.pattern)
        if group:  # the admin's app_list: (?P<app_label>auth|calls|...)
            choices[name] = group.group(1).split("|")
    return kinds, choices, 0


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, namespaces: list[str], kinds: dict, choices: dict) -> None:
        for entry in patterns:
            more_kinds, more_choices, positional = _params(entry.pattern)
            kinds_here, choices_here = {**kinds, **more_kinds}, {**choices, **more_choices}
            if isinstance(entry, URLResolver):
                spaces = [*namespaces, entry.namespace] if entry.namespace else namespaces
                walk(entry.url_patterns, spaces, kinds_here, choices_here)
            elif entry.name:
                name = ":".join([*namespaces, entry.name])
                found.append(Route(name, kinds_here, choices_here, positional))
            else:
                # The sweeps reach a view by reversing its name. Only the admin has
                # nameless patterns: its old "<object_id>/" redirect to the change page.
                assert namespaces == ["admin"], f"unnamed URL pattern {entry.pattern}"

    walk(get_resolver().url_patterns, [], {}, {})
    return found
