"""The children app: child-level data, for an analyst, and a manager or auditor within their scope.

A manager in the tests' users is scoped to the SAFEGUARDING service area; the journey's child is open to a
safeguarding team on the store's latest day (tests/web/test_children.py checks that it still is), so the manager
sees it. The auditor has no allocation, so the same child is not found for them (404: the answer for a child that
does not exist). Administrators and councillors are refused every child-level page (403).
"""

from carelens.web.accounts.roles import Role

from . import only

JOURNEY_CHILD = "8900000733"  # open to Safeguarding on 2026-03-31 in the small synthetic store (seed 7)
CHILD_LEVEL = (Role.ANALYST, Role.MANAGER, Role.AUDITOR)

# GET only: a HEAD would be a view of child-level data with nothing shown, so it is not answered (405)
ENTRIES = {
    "children:list": only(*CHILD_LEVEL, head=405, kwargs={"indicator_id": "C8"}),
    "children:list-csv": only(*CHILD_LEVEL, head=405, kwargs={"indicator_id": "C8"}),
    "children:list-xlsx": only(*CHILD_LEVEL, head=405, kwargs={"indicator_id": "C8"}),
    "children:journey": only(*CHILD_LEVEL, head=405, kwargs={"la_code": "890", "person_id": JOURNEY_CHILD}).but(
        Role.AUDITOR, get=404, post=405, head=405),
}
