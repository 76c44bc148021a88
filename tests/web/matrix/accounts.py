"""The accounts app: signing in and out and one's password are for anyone signed in (signing in for anyone);
every other page is an administrator's."""

from carelens.web.accounts.models import AuditAllocation
from carelens.web.accounts.roles import Role

from . import ANONYMOUS, ROLES, SIGN_IN, Entry, only, signed_in, statuses

ADMIN = Role.ADMINISTRATOR


def another_user(ctx):
    return {"pk": ctx.other_user.pk}


def an_allocation(ctx):
    allocation = AuditAllocation.objects.create(auditor=ctx.users["auditor"], la_code="890", person_id="MATRIX1",
                                                allocated_by=ctx.users["administrator"])
    return {"pk": allocation.pk}


ENTRIES = {
    # signed out: the form (a POST without credentials shows it again, with errors); signed in: on to the overview
    "accounts:sign-in": Entry(expected={ANONYMOUS: statuses(200, 200), **{r: statuses(302, 302) for r in ROLES}}),
    "accounts:sign-out": signed_in(get=405, post=302).but(ANONYMOUS, get=SIGN_IN),
    "accounts:signed-out": Entry(expected={p: statuses(200) for p in (*ROLES, ANONYMOUS)}),
    "accounts:password-change": signed_in(get=200, post=200),
    "accounts:password-changed": signed_in(),
    "accounts:users": only(ADMIN),
    "accounts:user-create": only(ADMIN, post=200),
    "accounts:user-edit": only(ADMIN, post=200, kwargs=another_user),
    "accounts:user-deactivate": only(ADMIN, post=302, kwargs=another_user),
    "accounts:user-reactivate": only(ADMIN, get=405, post=302, kwargs=another_user),
    "accounts:user-password": only(ADMIN, post=200, kwargs=another_user),
    "accounts:user-unlock": only(ADMIN, get=405, post=302, kwargs=another_user),
    "accounts:allocations": only(ADMIN, post=200),
    "accounts:allocation-remove": only(ADMIN, get=405, post=302, kwargs=an_allocation),
    "accounts:access-log": only(ADMIN),
    "accounts:access-log-csv": only(ADMIN),
}
