"""The web app's tests: one user per role (a manager scoped to the safeguarding service), the small synthetic
store as the app's store, and the browser harness (tests/browser)."""

from __future__ import annotations

import pytest

from browser import browser_context as browser_context  # noqa: F401 (a fixture, for the browser tests)
from carelens.web.accounts.roles import Role

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def app_store(settings, small_store_path):
    """Every web test reads the small synthetic authority (890)."""
    settings.STORE = str(small_store_path)
    return small_store_path


@pytest.fixture()
def users(db):
    """One user per role, each with the same password (PASSWORD)."""
    from carelens.web.accounts.models import User

    made = {}
    for role in Role:
        extra = {"service_area": "SAFEGUARDING"} if role is Role.MANAGER else {}
        made[role.value] = User.objects.create_user(role.value, password=PASSWORD, role=role, **extra)
    return made


@pytest.fixture()
def client_as(client, users):
    """A test client signed in as the given role ("analyst" …); None: signed out."""
    def sign_in(role: str | None):
        client.logout()
        if role is not None:
            client.force_login(users[role])
        return client
    return sign_in
