"""The demo's accounts: one user per role, with random passwords shown once (``carelens demo``)."""

from __future__ import annotations

import secrets

from carelens.web.serving import Serving, prepare


def demo_accounts(serving: Serving) -> list[tuple[str, str, str]]:
    """(username, role, password) for one new user per role in the app's database (made afresh each run:
    earlier demo users of these names get new passwords). A manager is scoped to the safeguarding service."""
    prepare(serving)
    from carelens.web.accounts.models import User
    from carelens.web.accounts.roles import Role

    made = []
    for role in Role:
        username = f"demo-{role.value}"
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.service_area = "SAFEGUARDING" if role is Role.MANAGER else ""
        user.is_active = True
        user.set_password(password)
        user.save()
        made.append((username, role.label, password))
    return made
