"""The service navigation in every page's header: the links the signed-in user's role may use, and signing out.

``{% load navigation %}{% service_navigation %}`` (base.html does it). A role sees only the links to pages it may
open; the pages still check the role themselves (carelens.web.accounts.access), so a hidden link is never the only
thing that stops anyone. A link appears once its URL name exists, so an app's pages join the navigation when their
URLs are wired in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import NoReverseMatch, reverse

from carelens.web.accounts.roles import Role

register = template.Library()

DASHBOARDS = frozenset({Role.ANALYST, Role.MANAGER, Role.AUDITOR, Role.COUNCILLOR})


@dataclass(frozen=True)
class Destination:
    """A link of the navigation: where it goes, who sees it, and which pages it is the current section of."""

    label: str
    targets: tuple[str, ...]  # URL names tried in order, each with an optional "#fragment"; the first that exists
    roles: frozenset[Role]
    within: tuple[str, ...]  # how the view names of the pages that belong to it begin ("loads:": all of that app)


DESTINATIONS = (
    Destination("Overview", ("dashboards:overview",), DASHBOARDS, ("dashboards:overview",)),
    # the areas' own index when there is one, else the list of areas on the overview
    Destination("Areas", ("dashboards:areas", "dashboards:overview#areas"), DASHBOARDS,
                ("dashboards:area", "dashboards:indicator")),
    Destination("Data loads", ("loads:index",), frozenset({Role.ANALYST}), ("loads:",)),
    Destination("Reports", ("reports:index",), DASHBOARDS, ("reports:",)),
    Destination("Users", ("accounts:users",), frozenset({Role.ADMINISTRATOR}), ("accounts:user",)),
    Destination("Access log", ("accounts:access-log",), frozenset({Role.ADMINISTRATOR}), ("accounts:access-log",)),
)
SIGN_OUT = "accounts:sign-out"


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    current: str | None  # aria-current: "page" on the page itself, "true" on a page within its section


def _href(targets: tuple[str, ...]) -> str | None:
    for target in targets:
        name, _, fragment = target.partition("#")
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        return f"{url}#{fragment}" if fragment else url
    return None


def _current(destination: Destination, view_name: str, href: str) -> str | None:
    if "#" not in href and view_name == destination.targets[0]:
        return "page"
    if view_name and view_name.startswith(destination.within):
        return "true"
    return None


def links_for(role: str | None, view_name: str = "") -> list[Link]:
    """The navigation's links for a user of ``role`` on the page named ``view_name`` (none when signed out)."""
    if role not in Role.values:
        return []
    links = []
    for destination in DESTINATIONS:
        if Role(role) not in destination.roles:
            continue
        href = _href(destination.targets)
        if href is not None:
            links.append(Link(destination.label, href, _current(destination, view_name, href)))
    return links


@register.inclusion_tag("components/service_navigation.html", takes_context=True)
def service_navigation(context) -> dict:
    """The service name, the role's links and a sign-out button, for the request in ``context`` (an error page
    rendered without a request gets the service name alone)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    links = links_for(getattr(user, "role", None), match.view_name if match else "") if signed_in else []
    sign_out = _href((SIGN_OUT,)) if signed_in else None
    return {"links": links, "sign_out": sign_out, "home": _href(("dashboards:overview",)) or "/",
            "user": user if signed_in else None}  # the csrf_token passes to the template by itself
