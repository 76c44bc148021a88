"""Signing in and out, one's own password, and the administrators' pages: users, audit allocations and the
access log. Every administrator page is ``administrator_required``; nothing here changes or removes an access
log entry (the log is read and exported only)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta

from axes.models import AccessAttempt
from axes.utils import reset as reset_sign_in_attempts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from carelens.web.accounts import forms
from carelens.web.accounts.access import administrator_required
from carelens.web.accounts.models import AccessLogEntry, AuditAllocation, User
from carelens.web.accounts.roles import WHAT_EACH_ROLE_SEES

ACCESS_LOG_PAGE_SIZE = 50
ROLE_HINTS = {role.value: text for role, text in WHAT_EACH_ROLE_SEES.items()}
USERS_PAGE_SIZE = 100


# --- Signing in and out -----------------------------------------------------------------------------------------

class SignInView(auth_views.LoginView):
    """The sign-in page (open to anyone; django-axes counts its failures and answers a locked-out username with
    accounts/locked_out.html)."""

    template_name = "accounts/sign_in.html"
    form_class = forms.SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Signing out: a POST (the header's button), which ends the session on the server."""


@login_not_required
@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in user changes their own password (staying signed in)."""

    template_name = "accounts/password_change.html"
    form_class = forms.OwnPasswordForm
    success_url = reverse_lazy("accounts:password-changed")


class PasswordChangedView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_changed.html"


# --- Users ------------------------------------------------------------------------------------------------------

@administrator_required
@require_safe
def users(request: HttpRequest) -> HttpResponse:
    """Every user: role, scope, whether active, when last signed in."""
    everyone = User.objects.annotate(allocation_count=Count("allocations")).order_by("-is_active", "username")
    page = Paginator(everyone, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "locked": locked_usernames()})


@administrator_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, f"Account {user.username} created. Give them their password in person; they "
                                  "can change it under ‘Your password’.")
        return redirect("accounts:user-edit", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form, "role_hints": ROLE_HINTS})


@administrator_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A user's name, role and scope; links to deactivate, set a password and unlock."""
    user = get_object_or_404(User, pk=pk)
    form = forms.UserChangeForm(request.POST or None, instance=user, editor=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Changes to {user.username} saved.")
        return redirect("accounts:user-edit", pk=user.pk)
    return render(request, "accounts/user_edit.html", {
        "account": user, "form": form, "role_hints": ROLE_HINTS, "locked": user.username in locked_usernames(),
        "allocation_count": user.allocations.count(),
    })


@administrator_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks, then deactivates: the user is signed out at their next request and cannot sign in again. Their
    account stays (the access log names it)."""
    user = get_object_or_404(User, pk=pk)
    if user.pk == request.user.pk:
        messages.error(request, "You cannot deactivate your own account: ask another administrator.")
        return redirect("accounts:user-edit", pk=user.pk)
    if request.method == "POST":
        user.is_active = False
        user.save(update_fields=["is_active"])
        messages.success(request, f"{user.username} is deactivated and can no longer sign in.")
        return redirect("accounts:user-edit", pk=user.pk)
    return render(request, "accounts/user_deactivate.html", {"account": user})


@administrator_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    user.is_active = True
    user.save(update_fields=["is_active"])
    messages.success(request, f"{user.username} can sign in again.")
    return redirect("accounts:user-edit", pk=user.pk)


@administrator_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator sets a new password for a user who has forgotten theirs."""
    user = get_object_or_404(User, pk=pk)
    form = forms.NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"New password set for {user.username}. Give it to them in person.")
        return redirect("accounts:user-edit", pk=user.pk)
    return render(request, "accounts/user_password.html", {"account": user, "form": form})


@administrator_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Clears a locked-out user's failed sign-in attempts, so they may try again now."""
    user = get_object_or_404(User, pk=pk)
    reset_sign_in_attempts(username=user.username)
    messages.success(request, f"{user.username} may sign in again.")
    return redirect("accounts:user-edit", pk=user.pk)


def locked_usernames() -> set[str]:
    """Usernames locked out now (failures at the limit within the cool-off time)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                            attempt_time__gte=since).values_list("username", flat=True))


# --- Audit allocations ------------------------------------------------------------------------------------------

def children_in_store(la_code: str, child_ids: list[str]) -> list[str]:
    """Which of ``child_ids`` the store holds for ``la_code`` (every id, when no store is configured: an
    allocation may be made before the first load)."""
    from carelens.web import store

    if not settings.STORE:
        return child_ids
    with store.reading() as s:
        person = s.table("person")
        found = person.filter((person.la_code == la_code) & person.child_id.isin(child_ids)).select("child_id")
        return found.to_polars()["child_id"].to_list()


@administrator_required
def allocations(request: HttpRequest) -> HttpResponse:
    """Every auditor's allocated children, and the form that allocates more."""
    form = forms.AllocationForm(request.POST or None, known_children=children_in_store)
    if request.method == "POST" and form.is_valid():
        made = form.save(allocated_by=request.user)
        messages.success(request, f"{len(made)} children allocated to {form.cleaned_data['auditor'].username}.")
        return redirect("accounts:allocations")
    current = AuditAllocation.objects.select_related("auditor", "allocated_by").order_by(
        "auditor__username", "la_code", "person_id")
    page = Paginator(current, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/allocations.html", {"form": form, "page": page})


@administrator_required
@require_POST
def allocation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(AuditAllocation, pk=pk)
    allocation.delete()
    messages.success(request, f"Child {allocation.person_id} is no longer allocated to "
                              f"{allocation.auditor.username}.")
    return redirect("accounts:allocations")


# --- The access log (read and exported; never changed) ----------------------------------------------------------

def filtered_entries(form: forms.AccessLogFilter) -> QuerySet[AccessLogEntry]:
    """The entries the filter asks for, newest first (every entry when the filter is empty or invalid)."""
    entries = AccessLogEntry.objects.all()
    if not form.is_valid():
        return entries.none() if form.is_bound and form.errors else entries
    data = form.cleaned_data
    if data.get("user"):
        entries = entries.filter(user=data["user"])
    if data.get("child_id"):
        entries = with_child(entries, data["child_id"].strip())
    zone = timezone.get_current_timezone()
    if data.get("date_from"):
        entries = entries.filter(at__gte=datetime.combine(data["date_from"], time.min, zone))
    if data.get("date_to"):
        entries = entries.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, zone))
    return entries


def with_child(entries: QuerySet[AccessLogEntry], child_id: str) -> QuerySet[AccessLogEntry]:
    """The entries whose children include ``child_id`` exactly (not an id it is part of)."""
    if connection.features.supports_json_field_contains:
        return entries.filter(child_ids__contains=[child_id])
    # SQLite: the JSON text holds each id in quotes, so the quoted id matches it alone; then exactly, in Python
    near = entries.filter(child_ids__icontains=json.dumps(child_id))
    return entries.filter(pk__in=[pk for pk, ids in near.values_list("pk", "child_ids") if child_id in ids])


def access_log_query(request: HttpRequest) -> forms.AccessLogFilter:
    asked = {k: v for k, v in request.GET.items() if k in forms.AccessLogFilter.base_fields and v}
    return forms.AccessLogFilter(asked or None)


@administrator_required
@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    """Who saw which children, when and from where: filtered, a page at a time, newest first."""
    form = access_log_query(request)
    entries = filtered_entries(form)
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/access_log.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "csv_url": reverse("accounts:access-log-csv") + (f"?{query.urlencode()}" if query else ""),
    })


CSV_COLUMNS = ["at", "username", "role", "action", "la_code", "child_ids", "list_description", "filters",
               "address", "path"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (usernames may start with +, - or @)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_rows(entries: Iterable[AccessLogEntry]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for e in entries:
        yield [spreadsheet_safe(v) for v in (
            timezone.localtime(e.at).isoformat(timespec="seconds"), e.username, e.role, e.action, e.la_code,
            " ".join(e.child_ids), e.list_description, json.dumps(e.filters, sort_keys=True) if e.filters else "",
            e.address or "", e.path)]


class _Line:
    """A file-like object that hands back each line csv.writer writes, for streaming."""

    def write(self, text: str) -> str:
        return text


@administrator_required
@require_safe
def access_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered access log as CSV (every entry the filter matches, not only a page), streamed."""
    entries = filtered_entries(access_log_query(request)).iterator(chunk_size=2000)
    writer = csv.writer(_Line())
    response = StreamingHttpResponse((writer.writerow(row) for row in csv_rows(entries)),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="carelens-access-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response

