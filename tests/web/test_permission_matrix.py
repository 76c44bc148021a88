"""Every URL of the web app, asked for as each role and signed out, by GET, HEAD and POST, answers with the status
its entry in the permission matrix (tests/web/matrix/) expects; a URL without an entry fails, naming it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from matrix import ANONYMOUS, METHODS, PRINCIPALS, Context, gather
from matrix import fast_password_hashing as fast_password_hashing  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@dataclass(frozen=True)
class Route:
    name: str | None  # "app:name", None when the pattern has no name
    route: str  # the URL as written, e.g. "accounts/users/<int:pk>/"


def routes(resolver: URLResolver, namespace: str = "", prefix: str = "") -> list[Route]:
    """Every URL pattern below ``resolver``, included apps too, with its namespaced name."""
    found = []
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            found += routes(item, inner, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            found.append(Route(f"{namespace}{item.name}" if item.name else None, prefix + str(item.pattern)))
    return found


ROUTES = routes(get_resolver("carelens.web.urls"))
MATRIX = gather()


def test_every_url_pattern_has_a_name():
    """A pattern without a name can have no entry in the matrix (and cannot be reversed): name it."""
    assert [r.route for r in ROUTES if r.name is None] == []


def test_every_entry_is_of_a_url_that_exists():
    """An entry left behind by a removed or renamed URL tests nothing: remove or rename it."""
    assert sorted(set(MATRIX) - {r.name for r in ROUTES}) == []


def test_every_entry_says_what_each_role_and_a_signed_out_visitor_get():
    incomplete = {name: sorted(set(PRINCIPALS) - set(entry.expected)) + sorted(
        f"{p}:{m}" for p, by_method in entry.expected.items() for m in set(METHODS) - set(by_method))
        for name, entry in MATRIX.items()}
    assert {name: gaps for name, gaps in incomplete.items() if gaps} == {}


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.name], ids=lambda r: r.name)
def test_each_role_gets_what_the_matrix_says(route, client, users, app_store):
    entry = MATRIX.get(route.name)
    if entry is None:
        app = route.name.split(":")[0]
        pytest.fail(f"{route.name} ({route.route}) has no entry in the permission matrix: add one to "
                    f"tests/web/matrix/{app}.py saying what each role and a signed-out visitor get")
    from carelens.web.accounts.models import User

    other = User.objects.create_user("someone-else", password=None, role="analyst")
    ctx = Context(users=users, other_user=other, store_path=app_store)
    url = reverse(route.name, kwargs=entry.resolved("kwargs", ctx))
    query, data = entry.resolved("query", ctx), entry.resolved("data", ctx)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in entry.headers.items()}
    got: dict[str, dict[str, int]] = {}
    for principal in PRINCIPALS:
        for method in METHODS:
            # each request on the same data: what one POST changes (a user deactivated …) is undone before the next
            with transaction.atomic():
                client.logout()
                if principal != ANONYMOUS:
                    client.force_login(users[principal])
                if method == "POST":
                    target = url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
                    response = client.post(target, data, **headers)
                else:
                    response = getattr(client, method.lower())(url, query, **headers)
                got.setdefault(principal, {})[method] = response.status_code
                transaction.set_rollback(True)
    wrong = {f"{p} {m}": f"expected {entry.expected[p][m]}, got {got[p][m]}"
             for p in PRINCIPALS for m in METHODS if got[p][m] != entry.expected[p][m]}
    assert wrong == {}, f"{route.name} ({url})"
