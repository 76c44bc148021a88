"""The app's own records: users with their role and scope, audit allocations, and the access log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from carelens.web.accounts.roles import Role


class User(AbstractUser):
    """A person who signs in, with one role. A manager's scope is a service area (the store's team ``service``
    codes: SAFEGUARDING, CHILDREN_IN_CARE …) or one team; an auditor's is their allocations."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COUNCILLOR)
    service_area = models.CharField(max_length=40, blank=True,
                                    help_text="Manager: the service area whose children they may see.")
    team_id = models.CharField(max_length=40, blank=True, help_text="Manager: or one team, by its store id.")

    @property
    def role_name(self) -> str:
        return Role(self.role).label


class AuditAllocation(models.Model):
    """A child allocated to an auditor for a case audit: the only children whose records the auditor may see."""

    auditor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="allocations")
    la_code = models.CharField(max_length=3)
    person_id = models.CharField(max_length=40)
    allocated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["auditor", "la_code", "person_id"], name="one_allocation")]


class AppendOnly(models.QuerySet):
    """A queryset of the access log: rows can be added and read, never changed or removed in bulk."""

    def update(self, **kwargs):
        raise PermissionError("the access log is append-only: entries cannot be changed")

    def delete(self):
        raise PermissionError("the access log is append-only: entries cannot be deleted")


class AccessLogEntry(models.Model):
    """One view or download of child-level data: who, when, from where, which children or which list.

    Append-only: the app has no path that changes or removes an entry (``save`` of an existing entry and
    ``delete`` refuse; on PostgreSQL a trigger refuses UPDATE and DELETE as well, migration 0002)."""

    class Action(models.TextChoices):
        JOURNEY = "journey", "Viewed a child's journey"
        CHILD_LIST = "child_list", "Viewed a list of children"
        EXPORT = "export", "Downloaded a list of children"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)  # kept as it was, should the user be renamed
    role = models.CharField(max_length=20)
    action = models.CharField(max_length=20, choices=Action.choices)
    la_code = models.CharField(max_length=3, blank=True)
    child_ids = models.JSONField(default=list)  # every child shown or downloaded
    list_description = models.CharField(max_length=300, blank=True)  # e.g. "C8 numerator, 2026-03, team SAF1"
    filters = models.JSONField(default=dict)  # the list's query, as asked
    address = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=500)

    objects = AppendOnly.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the access log is append-only: an entry cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the access log is append-only: an entry cannot be deleted")
