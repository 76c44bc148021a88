"""The permission matrix: for every URL of the web app, the status each role and a signed-out visitor get for each
method (tests/web/test_permission_matrix.py requests them all; a URL without an entry fails that test).

One module per app (``accounts.py``, ``children.py`` …) defines ``ENTRIES = {"app:name": Entry(...)}``; every
module of this package is read. The helpers keep an entry to a line or two::

    ENTRIES = {
        "children:journey": only(Role.ANALYST, Role.MANAGER, Role.AUDITOR, kwargs=lambda ctx: {...}),
        "reports:list": signed_in(),                            # every role: 200; signed out: to sign in
        "accounts:user-reactivate": only(Role.ADMINISTRATOR, get=405, post=302, kwargs=a_user),
        "dashboards:chart": only(*ROLES, htmx=True),            # a fragment, asked for as htmx asks
    }

and ``.but(role, get=..., post=...)`` changes what one role gets (e.g. a manager shown a child outside their
scope). Statuses: 200 shown, 302 redirected (after a POST, or signed out: to the sign-in page), 401 an htmx
fragment asked for signed out, 403 the role may not, 404 nothing there for this user, 405 not that method.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from carelens.web.accounts.roles import Role

ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = tuple(r.value for r in Role)
PRINCIPALS: tuple[str, ...] = (*ROLES, ANONYMOUS)
METHODS: tuple[str, ...] = ("GET", "HEAD", "POST")
SIGN_IN = 302  # a signed-out page request is sent to the sign-in page
SIGN_IN_HTMX = 401  # a signed-out htmx fragment: 401 with HX-Redirect to the sign-in page
FORBIDDEN = 403


@dataclass(frozen=True)
class Context:
    """What an entry's ``kwargs``, ``query`` or ``data`` may be computed from: a user per role (conftest's
    ``users``), one more user for the administrators' pages to act on, and the app's store (the small synthetic
    authority, 890)."""

    users: Mapping[str, Any]
    other_user: Any
    store_path: Path


Computed = Mapping[str, Any] | Callable[[Context], Mapping[str, Any]]


@dataclass(frozen=True)
class Entry:
    """One URL's expected statuses, ``{principal: {method: status}}`` (principal: a role or ``anonymous``), and
    how to ask for it: URL ``kwargs``, a ``query``, the POST ``data`` and extra request ``headers``."""

    expected: Mapping[str, Mapping[str, int]]
    kwargs: Computed = field(default_factory=dict)
    query: Computed = field(default_factory=dict)
    data: Computed = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def but(self, principal: Role | str, *, get: int, post: int | None = None, head: int | None = None) -> Entry:
        """This entry, with what one role (or ``anonymous``) gets changed (POST as GET unless given)."""
        key = principal.value if isinstance(principal, Role) else principal
        return replace(self, expected={**self.expected, key: statuses(get, post if post is not None else get,
                                                                         head)})

    def resolved(self, which: str, ctx: Context) -> dict[str, Any]:
        value = getattr(self, which)
        return dict(value(ctx) if callable(value) else value)


def statuses(get: int, post: int = 405, head: int | None = None) -> dict[str, int]:
    """The status of each method: HEAD answers as GET does unless given."""
    return {"GET": get, "HEAD": get if head is None else head, "POST": post}


def only(*roles: Role | str, get: int = 200, post: int = 405, head: int | None = None, htmx: bool = False,
         **how: Any) -> Entry:
    """Only ``roles`` may use the URL (``get``/``post``/``head`` are what they get); every other role gets 403
    for every method, and a signed-out visitor is sent to sign in."""
    allowed = {Role(r).value for r in roles}
    if not allowed:
        raise ValueError("only() needs at least one role (for a URL nobody may use, write the Entry out)")
    signed_out = SIGN_IN_HTMX if htmx else SIGN_IN
    expected = {p: statuses(get, post, head) if p in allowed else statuses(FORBIDDEN, FORBIDDEN) for p in ROLES}
    expected[ANONYMOUS] = statuses(signed_out, signed_out)
    headers = {"HX-Request": "true", **how.pop("headers", {})} if htmx else how.pop("headers", {})
    return Entry(expected=expected, headers=headers, **how)


def signed_in(get: int = 200, post: int = 405, head: int | None = None, htmx: bool = False, **how: Any) -> Entry:
    """Every role may use the URL alike; a signed-out visitor is sent to sign in."""
    return only(*ROLES, get=get, post=post, head=head, htmx=htmx, **how)


def gather() -> dict[str, Entry]:
    """Every entry of every module in this package, by URL name (a name in two modules is an error)."""
    entries: dict[str, Entry] = {}
    where: dict[str, str] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, entry in getattr(module, "ENTRIES", {}).items():
            if name in entries:
                raise ValueError(f"{name} has an entry in both matrix/{where[name]}.py and "
                                 f"matrix/{module_info.name}.py")
            entries[name], where[name] = entry, module_info.name
    return entries


@pytest.fixture()
def fast_password_hashing(settings):
    """Tests that make users by the dozen hash their passwords cheaply (Argon2 takes a fifth of a second, by
    design); test_security.py checks the real settings hash with Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
