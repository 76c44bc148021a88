"""The child-journey store as the web app reads it: read-only, through :class:`carelens.model.store.Store`.

Each request opens the store's current version and closes it when it is done, so a load published meanwhile
(decision 017) is seen by the next request and never half-seen by this one; the figures it asks for are kept
per store version (decision 018), so a new version is computed once and then read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from carelens.model.store import Store


def store_path() -> Path:
    if not settings.STORE:
        raise ImproperlyConfigured("no store: set CARELENS_STORE (carelens serve --store PATH)")
    return Path(settings.STORE)


@contextmanager
def reading() -> Iterator[Store]:
    """The store's current version, open to read for the length of the block."""
    with Store(store_path(), read_only=True) as store:
        yield store


def authority(store: Store) -> str:
    """The authority the app shows: settings.CARELENS_LA, else the store's only one."""
    return store.authority(getattr(settings, "CARELENS_LA", None) or None)
