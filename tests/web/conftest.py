"""The web app's tests: one user per role (a manager scoped to the safeguarding service), the small synthetic
store as the app's store, and the browser harness (tests/browser)."""

from __future__ import annotations

import os

import pytest

from browser import browser_context as browser_context  # noqa: F401 (a fixture, for the browser tests)
from carelens.web.accounts.roles import Role

PASSWORD = "correct horse battery staple 42"

# CARELENS_WEB_TESTS_ON=postgresql (scripts/test.sh sets it for its second run): the app's own database is a real
# PostgreSQL server started for the run, as on a council's shared server, instead of SQLite.
ON_POSTGRESQL = os.environ.get("CARELENS_WEB_TESTS_ON") == "postgresql"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL: a throwaway server for this test process, its database the app's.

    The test runner empties every table between transactional tests with TRUNCATE, which the access log's
    append-only trigger refuses; so the tests' own connections run as a replica (session_replication_role), where
    triggers do not fire, and test_access_log_on_postgresql checks the trigger on a connection as the app's."""
    if not ON_POSTGRESQL:
        yield
        return
    from django.conf import settings

    from postgres_server import postgres_server

    with postgres_server() as server:
        # in place: Django's connections hold this very dict (and the other threads' connections are made from it)
        default = settings.DATABASES["default"]
        default.clear()
        default.update({"ENGINE": "django.db.backends.postgresql", "NAME": server["database"], "HOST": server["host"],
                        "PORT": server["port"], "USER": server["user"], "PASSWORD": "", "CONN_MAX_AGE": 0,
                        "CONN_HEALTH_CHECKS": False, "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "TIME_ZONE": None,
                        "TEST": {"NAME": "test_carelens_web", "CHARSET": None, "COLLATION": None, "MIGRATE": True,
                                 "MIRROR": None},
                        "OPTIONS": {"options": "-c session_replication_role=replica"}})
        from django.db import connections

        if hasattr(connections._connections, "default"):  # a SQLite connection made before: made again
            connections["default"].close()
            delattr(connections._connections, "default")
        yield


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
