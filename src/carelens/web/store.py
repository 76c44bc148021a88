"""The child-journey store as the web app reads it: read-only, through :class:`carelens.model.store.Store`.

A request that needs the store opens its current version and closes it when it is done, so a load published
meanwhile (decision 017) is seen by the next request and never half-seen by this one.

What the dashboards show is kept per store version (:class:`PerVersion`, decision 020): a page asked for again
is answered from what was computed for that version, without opening the store. Which version is current is told
by the store file's identity (:func:`version_identity`): a load never changes the file a version is in, it renames
a whole new file into its place (decision 017), so a new version is a new file — and the first request to see it
computes from it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from carelens.model.store import Store

T = TypeVar("T")


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


def version_identity(path: Path | None = None) -> tuple:
    """Which file the store's path names now: its device, inode, size and modification time.

    A stat, not an open: cheap enough for every request. Readers' hard links (store_file.connect_reader) change
    the link count, which is left out; a migration on open publishes a new file, like a load."""
    path = path or store_path()
    found = os.stat(path)
    return (str(path), found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


class PerVersion(Generic[T]):
    """What was computed from one version of the store, for each key asked, in this process.

    ``get(key, compute)`` answers from the current version's entries, or opens the store and calls
    ``compute(store, la_code)`` once — however many requests ask at the same moment — and keeps it. When the store's
    file changes, entries of the older versions are dropped: they are never shown again. At most ``size`` entries
    are kept per version (the least recently used go first), so an unusual key cannot fill the memory.
    """

    def __init__(self, name: str, size: int = 256):
        self.name = name
        self.size = size
        self._version: tuple | None = None
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[Store, str], T]) -> T:
        version = version_identity()
        with self._lock:
            if version != self._version:
                self._version, self._entries, self._computing = version, OrderedDict(), {}
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation of a key at a time; the others wait for it and read it
            with self._lock:
                if self._version == version and key in self._entries:
                    return self._entries[key]
            with reading() as store:
                found = compute(store, authority(store))
            with self._lock:
                if self._version == version:
                    self._entries[key] = found
                    while len(self._entries) > self.size:
                        self._entries.popitem(last=False)
                    self._computing.pop(key, None)
            return found

    def clear(self) -> None:
        with self._lock:
            self._version, self._entries, self._computing = None, OrderedDict(), {}
