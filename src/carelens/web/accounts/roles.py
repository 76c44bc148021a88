"""The roles of the web app and what each may see (issue 16, point 4; docs/web/roles.md).

Enforced on the server, on every page, fragment and download (:mod:`carelens.web.accounts.access`): a link
hidden from a role is never the only thing that stops it.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"  # users, roles, the access log
    ANALYST = "analyst", "Analyst"  # everything: dashboards, children, loads, reports
    MANAGER = "manager", "Manager"  # dashboards; children open to their own service area or team
    AUDITOR = "auditor", "Auditor"  # dashboards; the children allocated to them for audit
    COUNCILLOR = "councillor", "Councillor"  # aggregate figures only, small numbers suppressed; no child's record


# roles that may see any child-level data at all (each within its own scope)
CHILD_LEVEL = frozenset({Role.ANALYST, Role.MANAGER, Role.AUDITOR})
# roles that see figures with small numbers suppressed, as the published report does
SUPPRESSED = frozenset({Role.COUNCILLOR})

# what each role may see, in a sentence (the administrators' user form, docs/web/roles.md)
WHAT_EACH_ROLE_SEES = {
    Role.ADMINISTRATOR: "Users, roles, audit allocations and the access log; no child's record",
    Role.ANALYST: "Everything: dashboards, every child, data loads and reports",
    Role.MANAGER: "Dashboards; the children open to their own service area or team",
    Role.AUDITOR: "Dashboards; the children allocated to them for audit",
    Role.COUNCILLOR: "Aggregate figures only, small numbers suppressed; never a child's record or a list of children",
}
