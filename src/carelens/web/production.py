"""What stops the web app serving real children's data: ``carelens serve --production`` refuses to start while
:func:`problems` lists anything, and prints each problem with what to set instead (docs/web/security.md).

Django's own ``manage.py check --deploy`` warns about the same things and more; this list is the few that must
never reach a council's network, each said in terms of CareLens's own settings (the environment variables).
Plain Python, no Django import: it reads any object with the settings as attributes.
"""

from __future__ import annotations

from typing import Any

# The key a development run signs sessions with when CARELENS_SECRET_KEY is unset: public, in this file.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret-" + "x" * 24
MINIMUM_SECRET_KEY_LENGTH = 50
MINIMUM_SECRET_KEY_CHARACTERS = 5  # distinct characters: Django's own deploy check asks the same


def problems(settings: Any) -> list[str]:
    """Each reason, in words an administrator can act on, why these settings are not fit to serve real data;
    empty when they are."""
    found = []
    if getattr(settings, "DEBUG", False):
        found.append("DEBUG is on: error pages would show code and data to anyone. Unset CARELENS_DEBUG.")
    key = str(getattr(settings, "SECRET_KEY", "") or "")
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("development-only"):
        found.append("SECRET_KEY is the development key, which is public. Set CARELENS_SECRET_KEY to a random "
                     f"value of at least {MINIMUM_SECRET_KEY_LENGTH} characters "
                     "(e.g. python -c \"import secrets; print(secrets.token_urlsafe(64))\").")
    elif len(key) < MINIMUM_SECRET_KEY_LENGTH or len(set(key)) < MINIMUM_SECRET_KEY_CHARACTERS:
        found.append(f"SECRET_KEY is too short or too simple ({len(key)} characters, {len(set(key))} distinct). "
                     f"Set CARELENS_SECRET_KEY to a random value of at least {MINIMUM_SECRET_KEY_LENGTH} characters.")
    hosts = list(getattr(settings, "ALLOWED_HOSTS", []) or [])
    if not hosts:
        found.append("ALLOWED_HOSTS is empty. Set CARELENS_ALLOWED_HOSTS to the host names the app is reached "
                     "by (comma-separated).")
    elif "*" in hosts:
        found.append("ALLOWED_HOSTS allows any host ('*'). Set CARELENS_ALLOWED_HOSTS to the app's own host names.")
    if not getattr(settings, "HTTPS", False) and not getattr(settings, "ALLOW_HTTP", False):
        found.append("HTTPS is off: passwords and children's data would cross the network in clear. Serve behind "
                     "an HTTPS proxy and set CARELENS_HTTPS=1, or, only where the app is reached on this machine "
                     "alone (127.0.0.1), set CARELENS_ALLOW_HTTP=1.")
    return found
