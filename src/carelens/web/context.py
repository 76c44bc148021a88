"""What every page's template is given about the store: the authority's name (in the header and the title) and a
tag of the store's current version (part of the key of every cached fragment of a page, decision 020)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from carelens.report.build import authority_name
from carelens.web.store import PerVersion, version_identity

_names: PerVersion[str] = PerVersion("authority name", size=1)


def store_context(request: HttpRequest) -> dict:
    """``authority_name`` and ``store_version``; neither when no store is configured or there is none yet."""
    if not settings.STORE:
        return {}
    try:
        identity = version_identity()
    except OSError:  # no store yet (an administrator setting up accounts before the first load)
        return {}
    return {"authority_name": _names.get("name", authority_name),
            "store_version": hashlib.sha256(repr(identity).encode()).hexdigest()[:16]}
