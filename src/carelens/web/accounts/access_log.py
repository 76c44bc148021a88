"""Recording a view or download of child-level data (issue 16, point 5). Every view that shows a child's record
or a list of children calls :func:`record_access` before it responds."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from carelens.web.accounts.models import AccessLogEntry


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from: the proxy's X-Forwarded-For first hop when the app is configured to
    trust it (settings.CARELENS_TRUSTED_PROXY), else REMOTE_ADDR."""
    from django.conf import settings

    if getattr(settings, "CARELENS_TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record_access(request: HttpRequest, action: str, child_ids: Iterable[str], *, la_code: str = "",
                  list_description: str = "", filters: dict | None = None) -> AccessLogEntry:
    """Append who saw which children (``action``: one of :class:`AccessLogEntry.Action`)."""
    user = request.user
    return AccessLogEntry.objects.create(
        user=user, username=user.get_username(), role=getattr(user, "role", ""), action=action, la_code=la_code,
        child_ids=sorted({str(c) for c in child_ids}), list_description=list_description[:300],
        filters=filters or {}, address=client_address(request), path=request.get_full_path()[:500])
