"""Signing in and out, lockout, sessions, and the administrators' pages: users, audit allocations, the access log."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from matrix import fast_password_hashing as fast_password_hashing  # noqa: F401 (a fixture)

from carelens.model.store import Store
from carelens.web.accounts.access_log import record_access
from carelens.web.accounts.middleware import SessionKeptAliveMiddleware
from carelens.web.accounts.models import AccessLogEntry, AuditAllocation, User
from carelens.web.accounts.roles import Role
from conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

SIGN_IN = reverse("accounts:sign-in")


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra}, REMOTE_ADDR="10.1.2.3")


# --- Signing in and out -----------------------------------------------------------------------------------------

def test_a_signed_out_visitor_is_sent_to_sign_in_and_comes_back_after(client, users):
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=/accounts/users/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and 'class="govuk-button"' in html
    assert 'name="next" value="/accounts/users/"' in html
    back = sign_in(client, "administrator", next="/accounts/users/")
    assert (back.status_code, back["Location"]) == (302, "/accounts/users/")
    assert client.get("/accounts/users/").status_code == 200


def test_sign_in_goes_nowhere_outside_the_app(client, users):
    response = sign_in(client, "analyst", next="https://evil.example/phish")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_wrong_password_or_unknown_user_gets_the_same_error_summary(client, users):
    wrong = sign_in(client, "analyst", "not the password at all")
    unknown = sign_in(client, "nobody-by-this-name", "not the password at all")
    for response in (wrong, unknown):
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="govuk-error-summary"' in html and "There is a problem" in html
        assert "Enter a correct username and password" in html
        assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in_and_is_signed_out_of_an_open_session(client, users):
    analyst = users["analyst"]
    assert sign_in(client, "analyst").status_code == 302
    assert client.get(reverse("accounts:password-change")).status_code == 200
    analyst.is_active = False
    analyst.save()
    assert client.get(reverse("accounts:password-change")).status_code == 302  # their next request: signed out
    assert sign_in(client, "analyst").status_code == 200  # the form again, with its error


def test_five_failures_lock_the_username_for_15_minutes_and_the_page_says_what_to_do(client, users):
    for _ in range(4):
        assert sign_in(client, "manager", "wrong password, again").status_code == 200
    locked = sign_in(client, "manager", "wrong password, again")  # the fifth
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Your account is locked" in html and "15 minutes" in html and "administrator" in html
    assert sign_in(client, "manager").status_code == 429  # even the right password, while locked
    assert sign_in(client, "auditor").status_code == 302  # another username from the same address is not locked
    client.logout()
    # 15 minutes on, the failures have expired
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "manager").status_code == 302


def test_an_administrator_unlocks_a_locked_account(client, users):
    for _ in range(5):
        sign_in(client, "councillor", "wrong password, again")
    assert sign_in(client, "councillor").status_code == 429
    client.force_login(users["administrator"])
    edit = client.get(reverse("accounts:user-edit", args=[users["councillor"].pk])).content.decode()
    assert "Locked after failed sign-in attempts" in edit
    assert client.post(reverse("accounts:user-unlock", args=[users["councillor"].pk])).status_code == 302
    client.logout()
    assert sign_in(client, "councillor").status_code == 302


def test_sign_out_is_a_post_that_ends_the_session(client, users):
    sign_in(client, "analyst")
    key = client.session.session_key
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    response = client.post(reverse("accounts:sign-out"))
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:signed-out"))
    assert not Session.objects.filter(session_key=key).exists()
    assert "You have signed out" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("accounts:password-change")).status_code == 302


def test_a_session_ends_after_30_minutes_without_a_request_and_with_the_browser(client, users):
    response = sign_in(client, "analyst")
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    session = Session.objects.get(session_key=client.session.session_key)
    assert timedelta(minutes=29) < session.expire_date - timezone.now() <= timedelta(minutes=30)
    # each request starts the 30 minutes again — saved at most once a minute, so a page costs no write
    client.get(reverse("accounts:password-change"))
    kept = client.session
    kept[SessionKeptAliveMiddleware.KEY] = int(time.time()) - 61  # last kept alive over a minute ago
    kept.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("accounts:password-change"))
    assert Session.objects.get(pk=session.pk).expire_date - timezone.now() > timedelta(minutes=29)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("accounts:password-change"))  # within the minute: not saved again
    assert Session.objects.get(pk=session.pk).expire_date - timezone.now() < timedelta(minutes=6)
    # and 30 minutes without one signs the user out
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("accounts:password-change")).status_code == 302


def test_a_user_changes_their_own_password_under_the_validators(client, users):
    client.force_login(users["auditor"])
    url = reverse("accounts:password-change")
    short = client.post(url, {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"})
    assert "at least 12 characters" in short.content.decode()
    new = "a much longer passphrase 7"
    done = client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert (done.status_code, done["Location"]) == (302, reverse("accounts:password-changed"))
    users["auditor"].refresh_from_db()
    assert users["auditor"].check_password(new)


# --- Users ------------------------------------------------------------------------------------------------------

def create_form(**changes):
    return {"username": "new.manager", "first_name": "Nia", "last_name": "Jones", "email": "nia@example.gov.uk",
            "role": "manager", "service_area": "CHILDREN_IN_CARE", "team_id": "",
            "password1": "a long enough passphrase 9", "password2": "a long enough passphrase 9", **changes}


def test_an_administrator_creates_a_manager_with_a_scope(client, users):
    client.force_login(users["administrator"])
    assert client.get(reverse("accounts:users")).status_code == 200
    response = client.post(reverse("accounts:user-create"), create_form())
    made = User.objects.get(username="new.manager")
    assert response["Location"] == reverse("accounts:user-edit", args=[made.pk])
    assert (made.role, made.service_area, made.team_id) == (Role.MANAGER, "CHILDREN_IN_CARE", "")
    assert made.check_password("a long enough passphrase 9")
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "new.manager" in listing and "CHILDREN_IN_CARE" in listing


@pytest.mark.parametrize(("changes", "message"), [
    ({"service_area": ""}, "Choose the service area or enter the team this manager sees"),
    ({"team_id": "T12"}, "Enter a team or choose a service area, not both"),
    ({"password1": "short pass", "password2": "short pass"}, "at least 12 characters"),
    ({"password1": "123456789012345", "password2": "123456789012345"}, "entirely numeric"),
    ({"password2": "something else entirely"}, "Enter the same password in both fields"),
    ({"username": "analyst"}, "A user with that username already exists"),
])
def test_a_user_the_form_refuses_is_not_made_and_the_summary_says_why(client, users, changes, message):
    client.force_login(users["administrator"])
    response = client.post(reverse("accounts:user-create"), create_form(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html and message in html
    assert not User.objects.filter(username="new.manager").exists()


def test_scope_is_cleared_for_a_role_without_one(client, users):
    client.force_login(users["administrator"])
    client.post(reverse("accounts:user-create"), create_form(role="auditor", team_id=""))
    made = User.objects.get(username="new.manager")
    assert (made.role, made.service_area, made.team_id) == (Role.AUDITOR, "", "")


def test_an_administrator_changes_a_role_and_scope_and_deactivates_and_reactivates(client, users):
    admin, analyst = users["administrator"], users["analyst"]
    client.force_login(admin)
    edit = reverse("accounts:user-edit", args=[analyst.pk])
    client.post(edit, {"first_name": "", "last_name": "", "email": "", "role": "manager", "service_area": "",
                       "team_id": "T7"})
    analyst.refresh_from_db()
    assert (analyst.role, analyst.team_id) == (Role.MANAGER, "T7")
    confirm = client.get(reverse("accounts:user-deactivate", args=[analyst.pk]))
    assert "Deactivate analyst?" in confirm.content.decode()
    client.post(reverse("accounts:user-deactivate", args=[analyst.pk]))
    analyst.refresh_from_db()
    assert not analyst.is_active
    client.post(reverse("accounts:user-reactivate", args=[analyst.pk]))
    analyst.refresh_from_db()
    assert analyst.is_active


def test_an_administrator_can_neither_deactivate_themself_nor_drop_their_own_role(client, users):
    admin = users["administrator"]
    client.force_login(admin)
    client.post(reverse("accounts:user-deactivate", args=[admin.pk]))
    response = client.post(reverse("accounts:user-edit", args=[admin.pk]), {
        "first_name": "", "last_name": "", "email": "", "role": "analyst", "service_area": "", "team_id": ""})
    assert "You cannot remove your own administrator role" in response.content.decode()
    admin.refresh_from_db()
    assert (admin.is_active, admin.role) == (True, Role.ADMINISTRATOR)


def test_an_administrator_sets_a_new_password(client, users):
    client.force_login(users["administrator"])
    new = "given in person 2026"
    url = reverse("accounts:user-password", args=[users["councillor"].pk])
    assert client.post(url, {"new_password1": new, "new_password2": new}).status_code == 302
    users["councillor"].refresh_from_db()
    assert users["councillor"].check_password(new)


# --- Audit allocations ------------------------------------------------------------------------------------------

def test_an_administrator_allocates_children_from_the_store_to_an_auditor(client, users, app_store):
    with Store(app_store, read_only=True) as store:
        person = store.table("person")
        ids = person.filter(person.la_code == "890").select("child_id").limit(2).to_polars()["child_id"].to_list()
    client.force_login(users["administrator"])
    url = reverse("accounts:allocations")
    form = {"auditor": users["auditor"].pk, "la_code": "890", "child_ids": f"{ids[0]}\n\n {ids[1]} \n{ids[0]}"}
    assert client.post(url, form).status_code == 302
    assert sorted(users["auditor"].allocations.values_list("person_id", flat=True)) == sorted(ids)
    assert client.post(url, form).status_code == 302  # allocating again changes nothing
    assert users["auditor"].allocations.count() == 2
    refused = client.post(url, {**form, "child_ids": f"{ids[0]}\nNOT-A-CHILD"})
    assert "The store has no child with id NOT-A-CHILD in authority 890" in refused.content.decode()
    not_auditor = client.post(url, {**form, "auditor": users["analyst"].pk})
    assert "Select a valid choice" in not_auditor.content.decode()
    allocation = AuditAllocation.objects.get(person_id=ids[0])
    client.post(reverse("accounts:allocation-remove", args=[allocation.pk]))
    assert list(users["auditor"].allocations.values_list("person_id", flat=True)) == [ids[1]]


# --- The access log ---------------------------------------------------------------------------------------------

def log(user, child_ids, at=None, address="10.0.0.9"):
    request = RequestFactory().get("/children/journey/", REMOTE_ADDR=address)
    request.user = user
    entry = record_access(request, AccessLogEntry.Action.JOURNEY, child_ids, la_code="890")
    if at is not None:  # back-dated for the date filter (the model refuses a change; the test writes the row)
        AccessLogEntry._base_manager.filter(pk=entry.pk).update(at=at)
    return entry


@pytest.fixture()
def logged(users):
    now = timezone.now()
    log(users["analyst"], ["P1", "P2"], at=now - timedelta(days=10))
    log(users["analyst"], ["P10"], at=now - timedelta(days=3))
    log(users["manager"], ["P1"], at=now - timedelta(days=1))
    log(users["auditor"], ["P3"])
    return now


def shown(client, **query) -> list[tuple[str, list[str]]]:
    response = client.get(reverse("accounts:access-log"), query)
    assert response.status_code == 200
    return [(e.username, e.child_ids) for e in response.context["page"]]


def test_the_access_log_filters_by_user_child_and_dates(client, users, logged):
    client.force_login(users["administrator"])
    assert len(shown(client)) == 4
    assert shown(client, user=users["analyst"].pk) == [("analyst", ["P10"]), ("analyst", ["P1", "P2"])]
    assert shown(client, child_id="P1") == [("manager", ["P1"]), ("analyst", ["P1", "P2"])]  # not P10
    day = timezone.localdate(logged)
    assert shown(client, date_from=str(day - timedelta(days=3)), date_to=str(day - timedelta(days=1))) == [
        ("manager", ["P1"]), ("analyst", ["P10"])]
    bad = client.get(reverse("accounts:access-log"), {"date_from": str(day), "date_to": str(day - timedelta(1))})
    assert "The last day must be the same as or after the first day" in bad.content.decode()


def test_the_access_log_is_paginated_and_viewing_it_records_nothing(client, users):
    for i in range(55):
        log(users["analyst"], [f"C{i}"])
    client.force_login(users["administrator"])
    first = client.get(reverse("accounts:access-log"))
    assert len(first.context["page"]) == 50 and "page=2" in first.content.decode()
    assert len(client.get(reverse("accounts:access-log"), {"page": 2}).context["page"]) == 5
    client.get(reverse("accounts:access-log-csv"))
    assert AccessLogEntry.objects.count() == 55


def test_the_csv_export_has_every_filtered_entry_and_no_formula(client, users, logged):
    sneaky = User.objects.create_user("+sum", password=None, role=Role.ANALYST)
    log(sneaky, ["P1"])
    client.force_login(users["administrator"])
    response = client.get(reverse("accounts:access-log-csv"), {"child_id": "P1"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="carelens-access-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "username", "role", "action", "la_code", "child_ids", "list_description", "filters",
                       "address", "path"]
    assert [(r[1], r[5], r[8]) for r in rows[1:]] == [
        ("'+sum", "P1", "10.0.0.9"), ("manager", "P1", "10.0.0.9"), ("analyst", "P1 P2", "10.0.0.9")]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_request_changes_or_removes_an_access_log_entry(client, users, logged, method):
    client.force_login(users["administrator"])
    before = list(AccessLogEntry.objects.values_list("pk", "child_ids", "at"))
    for name in ("accounts:access-log", "accounts:access-log-csv"):
        response = getattr(client, method)(reverse(name), {"child_ids": "[]"})
        assert response.status_code == 405
    assert list(AccessLogEntry.objects.values_list("pk", "child_ids", "at")) == before
