"""Which children a user may see, decided on the server for every child list, journey and download.

- **Analyst**: any child of the authority.
- **Manager**: only children *open*, on the day in question, to their own service area (``User.service_area``,
  a team ``service`` code such as SAFEGUARDING) or their own team (``User.team_id``). Open means a row of the
  store names one of those teams and covers the day: a referral (child in need episode), an assessment, an s47
  enquiry, a plan, an early help episode or a worker's allocation (:func:`carelens.model.journey.open_teams`).
  The day is a list's ``as_at``; for a journey, the ``as_at`` the link carries, else the latest day the data
  records. A manager with neither a service area nor a team sees no child.
- **Auditor**: only the children allocated to them for audit (``AuditAllocation``).
- **Administrator, councillor**: no child-level page at all (403, :func:`child_level_required`).

A child outside the user's scope is answered exactly as a child that does not exist (404, the same page), so
that trying ids in the URL tells nobody which children exist. In a list, children outside scope are left out
and their number said, never their ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import resolve_url

from carelens.model.journey import open_teams
from carelens.model.store import Store
from carelens.web.accounts.roles import CHILD_LEVEL, Role


def child_level_required(view: Callable) -> Callable:
    """A view decorator: signed out → the sign-in page; signed in without a child-level role → 403.

    The accounts app's sign-in middleware and ``role_required`` will do the same for every view; this keeps the
    children's pages closed whether or not they are installed (a second lock on the most sensitive door)."""
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        if not user.is_active or user.role not in CHILD_LEVEL:
            raise PermissionDenied("child-level data is for analysts, and for managers and auditors within "
                                   "their scope")
        return view(request, *args, **kwargs)

    checked.allowed_roles = CHILD_LEVEL  # type: ignore[attr-defined]  (for the permission matrix and docs)
    return checked


class ChildScope:
    """The children one user may see: ask :meth:`allows` of one child, :meth:`visible` of a list."""

    def __init__(self, user):
        self.user = user
        self.role = Role(user.role) if user.is_authenticated and user.is_active else None

    def visible(self, store: Store, la_code: str, child_ids: Iterable[str], day: dt.date) -> set[str]:
        """Those of ``child_ids`` the user may see on ``day``."""
        ids = {c for c in child_ids if c is not None}
        if not ids or self.role not in CHILD_LEVEL:
            return set()
        if self.role is Role.ANALYST:
            return ids
        if self.role is Role.AUDITOR:
            allocated = set(self.user.allocations.filter(la_code=la_code).values_list("person_id", flat=True))
            return ids & allocated
        # a manager: open on the day to their service area or their team
        service, team = self.user.service_area.strip(), self.user.team_id.strip()
        if not service and not team:
            return set()
        open_to = open_teams(store, la_code, ids, day)
        mine = {r["child_id"] for r in open_to.iter_rows(named=True)
                if (service and r["service"] == service) or (team and r["team_id"] == team)}
        return ids & mine

    def allows(self, store: Store, la_code: str, person_id: str, day: dt.date) -> bool:
        """True when the user may see this child's record on ``day``."""
        return person_id in self.visible(store, la_code, [person_id], day)

    def describe(self) -> str:
        """The scope in words, for the page and the access log."""
        if self.role is Role.ANALYST:
            return "every child"
        if self.role is Role.AUDITOR:
            return "the children allocated to you for audit"
        if self.role is Role.MANAGER:
            parts = [f"service area {self.user.service_area}"] if self.user.service_area else []
            parts += [f"team {self.user.team_id}"] if self.user.team_id else []
            return "children open to your " + " or ".join(parts) if parts else "no children (no service area or team)"
        return "no children"
