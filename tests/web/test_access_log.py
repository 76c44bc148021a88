"""The access log is append-only for the app: an entry cannot be changed or deleted through the model."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from carelens.web.accounts.access_log import record_access
from carelens.web.accounts.models import AccessLogEntry, User
from carelens.web.accounts.roles import Role
from conftest import ON_POSTGRESQL


@pytest.mark.django_db
def test_an_entry_is_recorded_and_can_be_neither_changed_nor_deleted():
    analyst = User.objects.create_user("ana", password="x" * 20, role=Role.ANALYST)
    request = RequestFactory().get("/children/journey/890/P1", REMOTE_ADDR="10.0.0.7")
    request.user = analyst
    entry = record_access(request, AccessLogEntry.Action.JOURNEY, ["P1"], la_code="890")
    got = AccessLogEntry.objects.get()
    assert (got.username, got.role, got.child_ids, got.address, got.path) == (
        "ana", "analyst", ["P1"], "10.0.0.7", "/children/journey/890/P1")
    entry.child_ids = ["P2"]
    with pytest.raises(PermissionError, match="append-only"):
        entry.save()
    with pytest.raises(PermissionError, match="append-only"):
        entry.delete()
    with pytest.raises(PermissionError, match="append-only"):
        AccessLogEntry.objects.all().update(child_ids=[])
    with pytest.raises(PermissionError, match="append-only"):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get().child_ids == ["P1"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the trigger is PostgreSQL's: scripts/test.sh's second run has it")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_database_itself_refuses_to_change_or_empty_the_log():
    """Whatever connects — not only the app's model — UPDATE, DELETE and TRUNCATE of the log raise."""
    import psycopg
    from django.db import connection

    analyst = User.objects.create_user("ana", password="x" * 20, role=Role.ANALYST)
    request = RequestFactory().get("/children/journey/890/P1", REMOTE_ADDR="10.0.0.7")
    request.user = analyst
    record_access(request, AccessLogEntry.Action.JOURNEY, ["P1"], la_code="890")
    db = connection.settings_dict
    assert connection.vendor == "postgresql"
    table = AccessLogEntry._meta.db_table
    # a connection as the app's would be (not the tests' replica role)
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as con:
        for statement in (f"UPDATE {table} SET child_ids = '[]'", f"DELETE FROM {table}", f"TRUNCATE {table}"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                con.execute(statement)
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)
