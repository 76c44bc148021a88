"""Who may use a view, checked on the server for every page, fragment and download (issue 16, point 4).

``@role_required(Role.ANALYST, Role.MANAGER)`` on a view (or ``method_decorator(role_required(...),
name="dispatch")`` on a class): a signed-out request goes to the sign-in page, a signed-in user without one of
the roles gets 403 Forbidden. Which children a manager or auditor may see within their role is a question of
scope (:func:`allocated_children` for an auditor; a manager's service area or team, in ``User``), asked by the
views that show children.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from carelens.web.accounts.middleware import sign_in_response
from carelens.web.accounts.roles import Role


def has_role(user, *roles: Role | str) -> bool:
    """True when ``user`` is signed in, active and holds one of ``roles``."""
    return bool(user.is_authenticated and user.is_active and user.role in {Role(r).value for r in roles})


def role_required(*roles: Role | str) -> Callable:
    """A view decorator: only users with one of ``roles`` may use the view (see the module docstring)."""
    if not roles:
        raise ValueError("role_required needs at least one role")
    allowed = frozenset(Role(r) for r in roles)  # a misspelt role fails here, at import, not at request time

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return sign_in_response(request)
            if not has_role(request.user, *allowed):
                raise PermissionDenied(f"this page is for: {', '.join(sorted(r.label for r in allowed))}")
            return view(request, *args, **kwargs)

        checked.allowed_roles = allowed  # type: ignore[attr-defined]  (for docs and tests to read)
        return checked

    return decorate


administrator_required = role_required(Role.ADMINISTRATOR)


def allocated_children(user) -> frozenset[tuple[str, str]]:
    """The (authority, person id) of every child allocated to ``user`` for audit: the only child records an
    auditor may see. Empty for anyone who is not an auditor."""
    if not has_role(user, Role.AUDITOR):
        return frozenset()
    return frozenset(user.allocations.values_list("la_code", "person_id"))
